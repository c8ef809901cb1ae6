"""The page cache on the real discovery pages: second anonymous visits run no SQL, and an edit,
a booking and a review each change what the next anonymous visitor sees."""

from datetime import timedelta

import pytest
from django.utils import timezone

from eventmate.events.models import Event
from tests.factories import BookingFactory, CityFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def event():
    city = CityFactory(name="Porto", slug="porto")
    return EventFactory(title="Harbour concert", slug="harbour-concert", city=city, capacity=10)


@pytest.mark.parametrize(
    "path",
    ["/", "/events/", "/events/?q=harbour", "/city/porto/", "/event/harbour-concert/",
     "/search/autocomplete/?q=harb"],
)  # fmt: skip
def test_second_anonymous_visit_runs_no_sql(client, event, path, django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_signed_in_visitors_get_their_own_page(client, event):
    client.get("/event/harbour-concert/")
    client.force_login(UserFactory(username="carol"))
    response = client.get("/event/harbour-concert/")
    assert response["X-Page-Cache"] == "personal"  # tests/core/test_pagecache_personal.py
    assert b">carol</a>" in response.content
    assert "Cookie" in response["Vary"]


def test_editing_the_event_changes_the_next_anonymous_page(
    client, event, django_capture_on_commit_callbacks
):
    from eventmate.events.services import event_update

    client.get("/event/harbour-concert/")
    client.get("/events/")
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=event.host, event=event, fields={"title": "Harbour concert, moved"})
    assert b"Harbour concert, moved" in client.get("/event/harbour-concert/").content
    assert b"Harbour concert, moved" in client.get("/events/").content


def test_booking_tickets_changes_the_next_anonymous_page(
    client, event, django_capture_on_commit_callbacks
):
    from eventmate.bookings.services import booking_hold

    assert b"Only 10 left" in client.get("/event/harbour-concert/").content
    with django_capture_on_commit_callbacks(execute=True):
        booking_hold(user=UserFactory(), event=Event.objects.get(pk=event.pk), quantity=4)
    after = client.get("/event/harbour-concert/")
    assert after["X-Page-Cache"] == "miss"
    assert b"Only 6 left" in after.content


def test_a_review_changes_the_next_anonymous_page(client, django_capture_on_commit_callbacks):
    from eventmate.reviews.services import review_create

    started = timezone.now() - timedelta(days=2)
    past = EventFactory(slug="last-week", starts_at=started, ends_at=started + timedelta(hours=2))
    guest = UserFactory(first_name="Ines", last_name="Reviewer")
    BookingFactory(user=guest, event=past)
    assert b"Unforgettable harbour night" not in client.get("/event/last-week/").content
    with django_capture_on_commit_callbacks(execute=True):
        review_create(user=guest, event=past, rating=5, comment="Unforgettable harbour night")
    assert b"Unforgettable harbour night" in client.get("/event/last-week/").content
