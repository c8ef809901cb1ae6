"""Reviews: who may write one, one per user and event, the author's edit and delete, and the
event's stored rating summary staying exact."""

import threading
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.models import Avg, Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from eventmate.bookings.models import Booking
from eventmate.core import cache_versions
from eventmate.events.models import Event
from eventmate.reviews import services
from eventmate.reviews.exceptions import (
    AlreadyReviewed,
    CommentTooLong,
    InvalidRating,
    NotAuthor,
    NotEligible,
)
from eventmate.reviews.models import Review
from tests.factories import BookingFactory, EventFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def started_event(**kwargs):
    starts_at = timezone.now() - timedelta(days=2)
    return EventFactory(starts_at=starts_at, ends_at=starts_at + timedelta(hours=3), **kwargs)


def attendee(event):
    return BookingFactory(event=event, status=Booking.Status.CONFIRMED).user


def assert_summary_exact(event):
    """The stored summary equals what the reviews say, by Avg/Count and by exact sums."""
    event.refresh_from_db()
    reviews = Review.objects.filter(event=event)
    aggregate = reviews.aggregate(avg=Avg("rating"), count=Count("pk"), total=Sum("rating"))
    assert event.rating_count == aggregate["count"]
    if aggregate["count"] == 0:
        assert event.rating_average == Decimal("0.00")
        return
    exact = (Decimal(aggregate["total"]) / aggregate["count"]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert event.rating_average == exact
    assert abs(event.rating_average - Decimal(str(aggregate["avg"]))) <= Decimal("0.005")


# --- eligibility ---------------------------------------------------------------------------


def test_confirmed_booking_for_a_started_event_may_review():
    event = started_event()
    user = attendee(event)
    review = services.review_create(user=user, event=event, rating=4, comment=" Lovely ")
    assert (review.rating, review.comment) == (4, "Lovely")
    assert review.booking.status == Booking.Status.CONFIRMED


def test_user_without_booking_is_refused():
    event = started_event()
    with pytest.raises(NotEligible, match="confirmed booking"):
        services.review_create(user=UserFactory(), event=event, rating=5)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "status", [Booking.Status.CANCELLED, Booking.Status.EXPIRED, Booking.Status.REFUNDED]
)
def test_booking_that_is_not_confirmed_is_refused(status):
    event = started_event()
    user = BookingFactory(event=event, status=status).user
    with pytest.raises(NotEligible):
        services.review_create(user=user, event=event, rating=5)


def test_pending_booking_is_refused():
    event = started_event()
    booking = BookingFactory(
        event=event,
        status=Booking.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now() + timedelta(minutes=10),
    )
    with pytest.raises(NotEligible):
        services.review_create(user=booking.user, event=event, rating=5)
    assert not Review.objects.exists()


def test_event_that_has_not_started_is_refused():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=1))
    user = attendee(event)
    with pytest.raises(NotEligible, match="once it has started"):
        services.review_create(user=user, event=event, rating=5)


def test_host_cannot_review_own_event():
    event = started_event()
    BookingFactory(event=event, user=event.host)
    with pytest.raises(NotEligible, match="own events"):
        services.review_create(user=event.host, event=event, rating=5)


def test_second_review_by_the_same_user_is_refused():
    event = started_event()
    user = attendee(event)
    first = services.review_create(user=user, event=event, rating=4)
    with pytest.raises(AlreadyReviewed) as error:
        services.review_create(user=user, event=event, rating=1)
    assert error.value.review == first
    assert Review.objects.count() == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "abc", "4.5", None, True])
def test_invalid_rating_is_refused(rating):
    event = started_event()
    with pytest.raises(InvalidRating):
        services.review_create(user=attendee(event), event=event, rating=rating)


def test_overlong_comment_is_refused():
    event = started_event()
    with pytest.raises(CommentTooLong):
        services.review_create(user=attendee(event), event=event, rating=3, comment="x" * 4001)


# --- rating summary ------------------------------------------------------------------------


def test_rating_summary_stays_exact_through_creates_edits_and_deletes():
    event = started_event()
    users = [attendee(event) for _ in range(4)]
    reviews = []
    for user, rating in zip(users, [5, 4, 4, 2], strict=True):
        reviews.append(services.review_create(user=user, event=event, rating=rating))
        assert_summary_exact(event)
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("3.75"), 4)
    services.review_update(actor=users[3], review=reviews[3], rating=5)
    assert_summary_exact(event)
    services.review_delete(actor=users[0], review=reviews[0])
    assert_summary_exact(event)
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("4.33"), 3)
    for user, review in zip(users[1:], reviews[1:], strict=True):
        services.review_delete(actor=user, review=review)
    assert_summary_exact(event)
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("0.00"), 0)


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([5, 5, 4], "4.67"),
        ([1, 2, 2], "1.67"),
        ([4, 5], "4.50"),
        ([3, 3, 3, 4, 4, 4, 4, 4], "3.63"),
    ],
)
def test_average_is_rounded_half_up_to_two_decimals(ratings, expected):
    event = started_event()
    for rating in ratings:
        services.review_create(user=attendee(event), event=event, rating=rating)
    event.refresh_from_db()
    assert event.rating_average == Decimal(expected)
    assert_summary_exact(event)


def test_summary_is_recomputed_from_the_reviews_not_from_a_stale_event():
    event = started_event()
    stale = Event.objects.get(pk=event.pk)
    services.review_create(user=attendee(event), event=event, rating=5)
    services.review_create(user=attendee(event), event=stale, rating=3)
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("4.00"), 2)


def test_review_invalidates_event_caches_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    changed = []
    monkeypatch.setattr(cache_versions, "event_changed", changed.append)
    event = started_event()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_create(user=attendee(event), event=event, rating=5)
    assert changed == [event.pk]


def test_only_the_author_can_edit():
    event = started_event()
    author = attendee(event)
    review = services.review_create(user=author, event=event, rating=5)
    with pytest.raises(NotAuthor):
        services.review_update(actor=attendee(event), review=review, rating=1)
    review.refresh_from_db()
    assert review.rating == 5


def test_only_the_author_or_staff_can_delete():
    event = started_event()
    review = services.review_create(user=attendee(event), event=event, rating=5)
    with pytest.raises(NotAuthor):
        services.review_delete(actor=UserFactory(), review=review)
    services.review_delete(actor=UserFactory(is_staff=True), review=review)
    assert_summary_exact(event)
    assert not Review.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_keep_the_summary_exact(postgres_only):
    """Twelve attendees review at the same moment through separate connections."""
    event = started_event()
    users = [attendee(event) for _ in range(12)]
    ratings = [1, 2, 3, 4, 5, 5, 4, 3, 5, 5, 2, 4]
    barrier = threading.Barrier(len(users))
    errors = []

    def review(user, rating):
        try:
            barrier.wait()
            services.review_create(user=user, event=event, rating=rating)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(user, rating))
        for user, rating in zip(users, ratings, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_summary_exact(event)
    event.refresh_from_db()
    assert event.rating_count == 12
    assert event.rating_average == Decimal("3.58")


# --- pages ---------------------------------------------------------------------------------


def login(user):
    client = Client()
    client.force_login(user)
    return client


def review_url(event, name="review-create"):
    return reverse(f"reviews:{name}", args=[event.slug])


def test_review_page_needs_login():
    response = Client().get(review_url(started_event()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_ineligible_user_sees_why_and_cannot_post():
    event = started_event()
    client = login(UserFactory())
    response = client.get(review_url(event))
    assert response.status_code == 403
    assert "confirmed booking" in response.content.decode()
    response = client.post(review_url(event), {"rating": "5", "comment": "Sneaky"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_future_event_review_page_is_refused():
    event = EventFactory()
    response = login(attendee(event)).post(review_url(event), {"rating": "5"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_attendee_writes_a_review():
    event = started_event()
    client = login(attendee(event))
    assert client.get(review_url(event)).status_code == 200
    response = client.post(review_url(event), {"rating": "4", "comment": "Great sound."})
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url() + "#reviews"
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("4.00"), 1)


@pytest.mark.parametrize("rating", ["", "0", "6", "x"])
def test_bad_rating_is_a_form_error(rating):
    event = started_event()
    response = login(attendee(event)).post(review_url(event), {"rating": rating})
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_second_review_redirects_to_edit_with_a_message():
    event = started_event()
    user = attendee(event)
    ReviewFactory(user=user, event=event)
    response = login(user).post(review_url(event), {"rating": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == review_url(event, "review-edit")
    assert "already reviewed" in response.content.decode()
    assert Review.objects.count() == 1


def test_author_edits_the_review():
    event = started_event()
    user = attendee(event)
    services.review_create(user=user, event=event, rating=2)
    client = login(user)
    assert 'value="2" ' in client.get(review_url(event, "review-edit")).content.decode()
    response = client.post(review_url(event, "review-edit"), {"rating": "5", "comment": "Better"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.rating_average, event.rating_count) == (Decimal("5.00"), 1)


def test_another_user_cannot_reach_someone_elses_review():
    event = started_event()
    services.review_create(user=attendee(event), event=event, rating=5)
    intruder = login(attendee(event))
    assert intruder.get(review_url(event, "review-edit")).status_code == 404
    assert intruder.post(review_url(event, "review-delete")).status_code == 404
    assert Review.objects.get().rating == 5


def test_author_deletes_after_confirmation():
    event = started_event()
    user = attendee(event)
    services.review_create(user=user, event=event, rating=3)
    client = login(user)
    assert client.get(review_url(event, "review-delete")).status_code == 200
    assert Review.objects.count() == 1
    response = client.post(review_url(event, "review-delete"))
    assert response.status_code == 302
    assert not Review.objects.exists()
    assert_summary_exact(event)


def test_unpublished_event_review_page_is_404():
    event = started_event(is_published=False)
    assert login(attendee(event)).get(review_url(event)).status_code == 404
