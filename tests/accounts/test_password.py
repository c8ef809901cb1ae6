import re

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a whole new tune 2024"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/[^\s]+/)")


def request_reset(client, email):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def test_password_reset_sends_an_email_with_a_link(client, member):
    response = request_reset(client, "ann@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ann@Example.com"]
    assert "Reset your EventMate password" in message.subject
    assert LINK.search(message.body)


def test_password_reset_for_an_unknown_email_sends_nothing_and_looks_the_same(client, member):
    response = request_reset(client, "nobody@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_password_reset_link_sets_a_new_password(client, member):
    request_reset(client, "ann@example.com")
    link = LINK.search(mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password-reset-complete")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_password_reset_link_works_only_once(client, member):
    request_reset(client, "ann@example.com")
    link = LINK.search(mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False
    assert "This link has expired" in again.text


def test_password_reset_pages_use_the_site_layout(client):
    response = client.get(reverse("accounts:password-reset"))

    assert response.status_code == 200
    assert "site-header" in response.text
    assert "Email me a reset link" in response.text


def test_password_change_sets_the_new_password_and_keeps_the_session(member_client, member):
    response = member_client.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change-done")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert get_user(member_client).pk == member.pk


def test_password_change_refuses_a_wrong_old_password(member_client, member):
    response = member_client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "wrong",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
