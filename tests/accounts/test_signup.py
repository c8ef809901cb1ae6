import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from eventmate.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


def signup_data(**overrides):
    data = {
        "username": "maria",
        "email": "maria@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_signup_creates_the_account_and_logs_the_user_in(client):
    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    user = User.objects.get(username="maria")
    assert user.email == "maria@example.com"
    assert user.check_password(PASSWORD)
    assert get_user(client).pk == user.pk


def test_signup_page_renders_the_form(client):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password2"' in response.text


def test_signup_refuses_an_email_taken_in_another_case(client):
    UserFactory(email="maria@example.com")

    response = client.post(SIGNUP, signup_data(username="maria2", email="MARIA@Example.COM"))

    assert response.status_code == 200
    assert "An account with this email address already exists" in response.text
    assert not User.objects.filter(username="maria2").exists()


def test_signup_refuses_a_username_taken_in_another_case(client):
    UserFactory(username="Maria")

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="maria").count() == 1


def test_signup_refuses_a_weak_password(client):
    response = client.post(SIGNUP, signup_data(password1="12345678", password2="12345678"))

    assert response.status_code == 200
    errors = response.context["form"].errors["password2"]
    assert any("too common" in error for error in errors)
    assert any("entirely numeric" in error for error in errors)
    assert not User.objects.filter(username="maria").exists()
    assert not get_user(client).is_authenticated


def test_signup_refuses_the_reserved_deleted_prefix(client):
    response = client.post(SIGNUP, signup_data(username="deleted-42"))

    assert response.status_code == 200
    assert "reserved" in response.text
    assert not User.objects.filter(username="deleted-42").exists()


def test_signup_follows_a_safe_next_url_only(client):
    ok = client.post(f"{SIGNUP}?next=/my-bookings/", signup_data())
    client.logout()
    evil = client.post(
        f"{SIGNUP}?next=https://evil.example/", signup_data(username="b", email="b@example.com")
    )

    assert ok["Location"] == "/my-bookings/"
    assert evil["Location"] == "/"


def test_signed_in_user_is_sent_from_signup_to_the_profile(client):
    client.force_login(UserFactory())

    response = client.get(SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
