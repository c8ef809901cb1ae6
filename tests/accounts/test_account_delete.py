import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from eventmate.accounts import services as account_services
from eventmate.accounts.models import User
from eventmate.bookings import services as booking_services
from eventmate.bookings.exceptions import BookingError
from eventmate.bookings.models import Booking
from eventmate.core import cache_versions
from eventmate.payments.models import Refund
from eventmate.reviews.models import Favorite, Review
from tests.accounts.images import image_file
from tests.factories import (
    PASSWORD,
    BookingFactory,
    EventFactory,
    FavoriteFactory,
    HostFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:account-delete")


def delete_account(client, password=PASSWORD):
    return client.post(DELETE, {"password": password})


@pytest.fixture
def paid_booking(member):
    event = EventFactory(price="30.00", capacity=10)
    booking = booking_services.booking_hold(user=member, event=event, quantity=2)
    return booking_services.booking_confirm(booking=booking, payment_reference="pay_ann_1")


@pytest.fixture
def pending_booking(member):
    event = EventFactory(price="15.00", capacity=10)
    return booking_services.booking_hold(user=member, event=event, quantity=3)


def test_delete_page_shows_what_will_happen(member_client, pending_booking):
    response = member_client.get(DELETE)

    assert response.status_code == 200
    assert "1 upcoming booking" in response.text


def test_delete_with_wrong_password_is_refused(member_client, member, paid_booking):
    response = delete_account(member_client, password="not it")

    assert response.status_code == 200
    assert "That password is not correct" in response.text
    member.refresh_from_db()
    assert member.is_active and member.username == "ann"
    assert Booking.objects.get(pk=paid_booking.pk).status == Booking.Status.CONFIRMED
    assert get_user(member_client).pk == member.pk


def test_delete_cancels_upcoming_bookings_and_releases_their_tickets(
    member_client, paid_booking, pending_booking
):
    delete_account(member_client)

    paid_booking.refresh_from_db()
    pending_booking.refresh_from_db()
    assert paid_booking.status == Booking.Status.REFUNDED
    assert pending_booking.status == Booking.Status.CANCELLED
    paid_booking.event.refresh_from_db()
    pending_booking.event.refresh_from_db()
    assert paid_booking.event.tickets_sold == 0
    assert pending_booking.event.tickets_held == 0
    assert Refund.objects.filter(payment_reference="pay_ann_1").exists()


def test_delete_keeps_past_bookings_as_history(member_client, member):
    past_event = EventFactory(
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    past = BookingFactory(user=member, event=past_event)

    delete_account(member_client)

    past.refresh_from_db()
    assert past.status == Booking.Status.CONFIRMED
    assert past.user_id == member.pk


def test_delete_unpublishes_hosted_events(client):
    host = HostFactory()
    live = EventFactory(host=host, is_published=True)
    other_hosts_event = EventFactory(is_published=True)
    client.force_login(host)

    delete_account(client)

    live.refresh_from_db()
    other_hosts_event.refresh_from_db()
    assert live.is_published is False
    assert other_hosts_event.is_published is True


def test_delete_erases_personal_data(member_client, member):
    member.first_name, member.last_name = "Ann", "Lee"
    member.phone, member.bio = "+1 415 555 0100", "Jazz fan"
    member.is_staff = True
    member.save()
    FavoriteFactory(user=member)

    delete_account(member_client)

    member.refresh_from_db()
    assert member.username == f"deleted-{member.pk}"
    assert member.email == f"deleted-{member.pk}@invalid"
    assert (member.first_name, member.last_name, member.phone, member.bio) == ("", "", "", "")
    assert not member.avatar
    assert not member.has_usable_password()
    assert member.is_active is False
    assert member.is_staff is False
    assert not Favorite.objects.filter(user=member).exists()


def test_delete_keeps_reviews_under_the_anonymised_account(member_client, member):
    review = ReviewFactory(user=member)

    delete_account(member_client)

    assert Review.objects.get(pk=review.pk).user.username == f"deleted-{member.pk}"


def test_delete_removes_the_avatar_file(member_client, member, commit):
    account_services.user_profile_update(user=member, fields={}, avatar=image_file())
    member.refresh_from_db()
    avatar_path = member.avatar.path
    assert os.path.exists(avatar_path)

    with commit():
        delete_account(member_client)

    assert not os.path.exists(avatar_path)


def test_delete_is_all_or_nothing(member_client, member, monkeypatch):
    hosted = EventFactory(host=member, is_published=True)

    def refuse(*, user):
        raise BookingError("The payment provider is unreachable.")

    monkeypatch.setattr(account_services, "bookings_cancel_for_user", refuse)

    response = delete_account(member_client)

    assert response.status_code == 200
    assert "Your account was not deleted" in response.text
    hosted.refresh_from_db()
    member.refresh_from_db()
    assert hosted.is_published is True
    assert member.is_active and member.email == "Ann@Example.com"
    assert get_user(member_client).pk == member.pk


def test_delete_logs_the_user_out(member_client):
    response = delete_account(member_client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not get_user(member_client).is_authenticated
    assert member_client.get(reverse("accounts:profile")).status_code == 302


def test_deleted_account_cannot_log_in_again(member_client, client):
    delete_account(member_client)

    client.post(reverse("accounts:login"), {"username": "ann", "password": PASSWORD})

    assert not get_user(client).is_authenticated


def test_delete_ends_sessions_on_other_devices(member, client):
    other_device = client.__class__()
    other_device.force_login(member)
    client.force_login(member)

    delete_account(client)

    assert not get_user(other_device).is_authenticated


def test_delete_sends_a_confirmation_to_the_old_address(member_client, paid_booking, commit):
    with commit():
        delete_account(member_client)

    to_old_address = [message for message in mail.outbox if message.to == ["Ann@Example.com"]]
    assert len(to_old_address) == 1
    assert "has been deleted" in to_old_address[0].subject
    assert "1 upcoming booking was cancelled" in to_old_address[0].body


def test_old_username_and_email_are_free_after_deletion(member_client, client):
    delete_account(member_client)

    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "ann",
            "email": "ann@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(username="ann", is_active=True).exists()


def test_delete_needs_login(client, member):
    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    member.refresh_from_db()
    assert member.is_active


def test_delete_invalidates_the_cached_pages_of_unpublished_events(client, commit):
    host = HostFactory()
    event = EventFactory(host=host, is_published=True)
    scope = cache_versions.event_scope(event.pk)
    before = cache_versions.get_version(scope)
    client.force_login(host)

    with commit():
        delete_account(client)

    assert cache_versions.get_version(scope) != before
