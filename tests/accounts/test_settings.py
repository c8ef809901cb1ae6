import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from eventmate.accounts.models import User
from tests.accounts.images import image_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = reverse("accounts:settings")


def profile_data(user, **overrides):
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": user.email,
        "phone": "+1 415 555 0100",
        "bio": "I like jazz.",
    }
    data.update(overrides)
    return data


def test_settings_saves_the_profile(member_client, member):
    response = member_client.post(SETTINGS, profile_data(member, email="ann.lee@example.com"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Ann", "Lee")
    assert member.email == "ann.lee@example.com"
    assert member.phone == "+1 415 555 0100"
    assert member.bio == "I like jazz."


def test_settings_needs_login(client):
    response = client.get(SETTINGS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_settings_refuses_an_email_of_another_account(member_client, member):
    UserFactory(email="bob@example.com")

    response = member_client.post(SETTINGS, profile_data(member, email="BOB@example.com"))

    assert response.status_code == 200
    assert "Another account already uses this email address" in response.text
    member.refresh_from_db()
    assert member.email == "Ann@Example.com"


def test_settings_refuses_a_phone_number_with_letters(member_client, member):
    response = member_client.post(SETTINGS, profile_data(member, phone="call me maybe"))

    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


def test_avatar_upload_is_stored_small_and_renamed(member_client, member):
    upload = image_file("holiday.jpeg", size=(1200, 900), image_format="JPEG")

    response = member_client.post(SETTINGS, {**profile_data(member), "avatar": upload})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.endswith(".jpg")
    assert "holiday" not in member.avatar.name
    with Image.open(member.avatar.path) as stored:
        assert max(stored.size) <= 320


def test_avatar_upload_refuses_a_file_that_is_not_an_image(member_client, member):
    upload = SimpleUploadedFile("me.png", b"<script>alert(1)</script>", content_type="image/png")

    response = member_client.post(SETTINGS, {**profile_data(member), "avatar": upload})

    assert response.status_code == 200
    assert "Upload a valid image" in response.text
    member.refresh_from_db()
    assert not member.avatar


def test_avatar_upload_refuses_a_file_over_5_mb(member_client, member):
    upload = image_file(size=(1400, 1400), noise=True)
    assert upload.size > 5 * 1024 * 1024

    response = member_client.post(SETTINGS, {**profile_data(member), "avatar": upload})

    assert response.status_code == 200
    assert "the limit is 5.0\xa0MB" in response.context["form"].errors["avatar"][0]
    member.refresh_from_db()
    assert not member.avatar


def test_avatar_upload_refuses_too_large_dimensions(member_client, member):
    upload = image_file(size=(6001, 10))

    response = member_client.post(SETTINGS, {**profile_data(member), "avatar": upload})

    assert response.status_code == 200
    assert "6001×10 pixels" in response.text
    member.refresh_from_db()
    assert not member.avatar


def test_avatar_can_be_removed(member_client, member, commit):
    member_client.post(SETTINGS, {**profile_data(member), "avatar": image_file()})
    member.refresh_from_db()
    stored_path = member.avatar.path

    with commit():
        member_client.post(SETTINGS, {**profile_data(member), "remove_avatar": "on"})

    member.refresh_from_db()
    assert not member.avatar
    assert not os.path.exists(stored_path)


def test_settings_form_does_not_change_the_username(member_client, member):
    member_client.post(SETTINGS, {**profile_data(member), "username": "mallory"})

    assert User.objects.get(pk=member.pk).username == "ann"


def test_remove_photo_is_offered_only_when_there_is_one(member_client, member):
    assert "Remove my photo" not in member_client.get(SETTINGS).text

    member_client.post(SETTINGS, {**profile_data(member), "avatar": image_file()})

    assert "Remove my photo" in member_client.get(SETTINGS).text


def test_uploading_and_removing_the_photo_at_once_is_refused(member_client, member):
    member_client.post(SETTINGS, {**profile_data(member), "avatar": image_file()})
    member.refresh_from_db()
    current = member.avatar.name

    response = member_client.post(
        SETTINGS, {**profile_data(member), "avatar": image_file(), "remove_avatar": "on"}
    )

    assert response.status_code == 200
    assert "not both" in response.text
    member.refresh_from_db()
    assert member.avatar.name == current
