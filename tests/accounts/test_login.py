import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


def test_login_with_username(client, member):
    response = client.post(LOGIN, {"username": "ann", "password": PASSWORD})

    assert response.status_code == 302
    assert get_user(client).pk == member.pk


def test_login_with_email_in_any_case(client, member):
    response = client.post(LOGIN, {"username": "ann@EXAMPLE.com", "password": PASSWORD})

    assert response.status_code == 302
    assert get_user(client).pk == member.pk


def test_login_with_wrong_password_shows_a_message(client, member):
    response = client.post(LOGIN, {"username": "ann", "password": "not the password"})

    assert response.status_code == 200
    assert "don&#x27;t match an account" in response.text
    assert not get_user(client).is_authenticated


def test_login_of_an_inactive_account_fails(client, member):
    member.is_active = False
    member.save()

    client.post(LOGIN, {"username": "ann", "password": PASSWORD})

    assert not get_user(client).is_authenticated


def test_login_page_uses_the_site_layout(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert "Username or email" in response.text
    assert "site-header" in response.text


def test_logout_by_get_is_refused_and_keeps_the_session(member_client, member):
    response = member_client.get(LOGOUT)

    assert response.status_code == 405
    assert get_user(member_client).pk == member.pk


def test_logout_by_post_ends_the_session(member_client):
    response = member_client.post(LOGOUT)

    assert response.status_code == 302
    assert not get_user(member_client).is_authenticated
