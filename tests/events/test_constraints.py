"""The database itself refuses rows the domain forbids, even when forms are bypassed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.events.models import EventImage
from eventmate.reviews.models import Favorite, Review
from tests.factories import (
    BookingFactory,
    EventFactory,
    EventImageFactory,
    FavoriteFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def assert_rejected(save):
    with pytest.raises(IntegrityError), transaction.atomic():
        save()


@pytest.mark.parametrize(
    "changes",
    [
        {"price": Decimal("-0.01")},
        {"capacity": 0},
        {"tickets_sold": 101},
        {"tickets_sold": 60, "tickets_held": 41},
        {"rating_average": Decimal("5.01")},
        {"latitude": Decimal("91")},
        {"longitude": Decimal("-181")},
    ],
    ids=str,
)
def test_event_rejects_invalid_numbers(changes):
    event = EventFactory(capacity=100)
    for field, value in changes.items():
        setattr(event, field, value)
    assert_rejected(event.save)


def test_event_rejects_end_before_start():
    event = EventFactory()
    event.ends_at = event.starts_at - timedelta(minutes=1)
    assert_rejected(event.save)


def test_event_accepts_counters_at_capacity():
    event = EventFactory(capacity=10)
    event.tickets_sold, event.tickets_held = 6, 4
    event.save()


def test_event_slug_is_unique():
    event = EventFactory()
    assert_rejected(lambda: EventFactory(slug=event.slug))


def test_only_one_primary_image_per_event():
    image = EventImageFactory(is_primary=True)
    EventImageFactory(event=image.event, is_primary=False)
    assert_rejected(lambda: EventImageFactory(event=image.event, is_primary=True))
    assert EventImage.objects.filter(event=image.event, is_primary=True).count() == 1


def test_email_is_unique_case_insensitively():
    UserFactory(email="Ann@Example.com")
    assert_rejected(lambda: UserFactory(email="ann@example.COM"))
    assert User.objects.filter(email__iexact="ann@example.com").count() == 1


def test_username_is_unique_case_insensitively():
    UserFactory(username="Ann")
    assert_rejected(lambda: UserFactory(username="ANN"))


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": 0},
        {"unit_price": Decimal("-1"), "total": Decimal("-1")},
        {"total": Decimal("999")},
        {"status": Booking.Status.PENDING, "hold_expires_at": None},
    ],
    ids=str,
)
def test_booking_rejects_invalid_rows(changes):
    booking = BookingFactory()
    for field, value in changes.items():
        setattr(booking, field, value)
    assert_rejected(booking.save)


def test_booking_payment_reference_is_unique():
    BookingFactory(payment_reference="cs_test_1")
    assert_rejected(lambda: BookingFactory(payment_reference="cs_test_1"))


def test_only_confirmed_bookings_can_be_checked_in():
    booking = BookingFactory(status=Booking.Status.CANCELLED)
    booking.checked_in_at = booking.created_at
    assert_rejected(booking.save)


@pytest.mark.parametrize("rating", [0, 6])
def test_review_rating_must_be_1_to_5(rating):
    review = ReviewFactory()
    review.rating = rating
    assert_rejected(review.save)
    assert Review.objects.get(pk=review.pk).rating == 4


def test_one_review_per_user_and_event():
    review = ReviewFactory()
    assert_rejected(lambda: ReviewFactory(user=review.user, event=review.event))


def test_favorite_pair_is_unique():
    favorite = FavoriteFactory()
    assert_rejected(lambda: FavoriteFactory(user=favorite.user, event=favorite.event))
    assert Favorite.objects.count() == 1


def test_booking_accepts_exact_total_with_cents():
    # 5 × 24.99 is not exact in floating point (SQLite's storage); the constraint must hold.
    booking = BookingFactory(
        event=EventFactory(price=Decimal("24.99")), quantity=5, total=Decimal("124.95")
    )
    booking.refresh_from_db()
    assert booking.total == Decimal("124.95")
