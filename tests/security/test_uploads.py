"""Uploads that are not plain images are refused with a message, and nothing is stored: not
the row, not the file. Avatars (settings) and event images (create and edit)."""

import pytest
from django.conf import settings
from django.urls import reverse

from eventmate.accounts.models import User
from eventmate.events.models import Event, EventImage

from .hostile_files import HOSTILE_UPLOADS
from .submissions import event_edit_data, event_form_data, profile_data

pytestmark = pytest.mark.django_db

CASES = pytest.mark.parametrize(("make", "message"), HOSTILE_UPLOADS.values(), ids=HOSTILE_UPLOADS)


def stored_files() -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_refused(errors, message):
    assert errors, "the upload was accepted"
    assert any(message in error for error in errors), errors


@CASES
def test_avatar_upload_is_refused_and_nothing_stored(world, make, message):
    client = world.client_for("user")

    response = client.post(
        reverse("accounts:settings"), {**profile_data(world.user), "avatar": make()}
    )

    assert response.status_code == 200
    assert_refused(response.context["form"].errors.get("avatar"), message)
    assert not User.objects.get(pk=world.user.pk).avatar
    assert stored_files() == []


@CASES
def test_new_event_image_is_refused_and_nothing_stored(world, make, message):
    client = world.client_for("host")
    events_before = Event.objects.count()

    response = client.post(
        reverse("events:event-create"),
        event_form_data(world.city, title="Upload test", uploads=[make()]),
    )

    assert response.status_code == 200
    assert_refused(response.context["images_form"].errors.get("uploads"), message)
    assert Event.objects.count() == events_before
    assert not EventImage.objects.exists()
    assert stored_files() == []


@CASES
def test_added_event_image_is_refused_and_nothing_stored(world, make, message):
    client = world.client_for("host")

    response = client.post(
        reverse("events:event-edit", args=[world.event.slug]),
        event_edit_data(world.event, uploads=[make()]),
    )

    assert response.status_code == 200
    assert_refused(response.context["images_form"].errors.get("uploads"), message)
    assert not EventImage.objects.exists()
    assert stored_files() == []


def test_a_good_image_beside_a_bad_one_is_not_stored_either(world):
    from tests.factories import uploaded_image

    from .hostile_files import png_with_html_appended

    client = world.client_for("host")

    response = client.post(
        reverse("events:event-edit", args=[world.event.slug]),
        event_edit_data(
            world.event, uploads=[uploaded_image("fine.png"), png_with_html_appended()]
        ),
    )

    assert "polyglot.png" in response.context["images_form"].errors["uploads"][0]
    assert not EventImage.objects.exists()
    assert stored_files() == []


def test_a_plain_image_is_still_accepted(world):
    """The control: the refusals above come from the content, not from uploading at all."""
    from tests.factories import uploaded_image

    client = world.client_for("host")

    response = client.post(
        reverse("events:event-edit", args=[world.event.slug]),
        event_edit_data(world.event, uploads=[uploaded_image("fine.png")]),
    )

    assert response.status_code == 302
    assert EventImage.objects.filter(event=world.event).count() == 1
    assert len(stored_files()) == 1
