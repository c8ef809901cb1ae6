"""Which cached pages a ticket change invalidates: always the event's page, and listings only
when what a listing card shows changes (sold out, "Only N left")."""

import pytest
from django.urls import reverse

from eventmate.bookings import services
from eventmate.core import cache_versions
from eventmate.events.selectors import FEW_TICKETS_LEFT
from tests.bookings.steps import pay
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def versions(event):
    return (
        cache_versions.get_version(cache_versions.LISTINGS),
        cache_versions.get_version(cache_versions.event_page_scope(event.slug)),
    )


def test_a_hold_far_from_the_few_left_badge_keeps_listings_and_invalidates_the_page(commit):
    event = EventFactory(capacity=FEW_TICKETS_LEFT + 50)
    listings_before, page_before = versions(event)

    with commit():
        services.booking_hold(user=UserFactory(), event=event, quantity=2)

    listings_after, page_after = versions(event)
    assert listings_after == listings_before
    assert page_after != page_before


def test_a_hold_into_the_few_left_range_invalidates_listings(commit):
    event = EventFactory(capacity=FEW_TICKETS_LEFT + 1)
    listings_before, _ = versions(event)

    with commit():
        services.booking_hold(user=UserFactory(), event=event, quantity=1)

    assert versions(event)[0] != listings_before


def test_every_change_inside_the_few_left_range_invalidates_listings(commit):
    # The card shows the exact count there ("Only 4 left").
    event = EventFactory(capacity=5)
    with commit():
        booking = services.booking_hold(user=UserFactory(), event=event, quantity=1)
    listings_before, _ = versions(event)

    with commit():
        services.booking_cancel(booking=booking, user=booking.user)

    assert versions(event)[0] != listings_before


def test_paying_for_a_hold_changes_no_listing_when_the_count_shown_is_the_same(commit):
    # Held → sold leaves tickets_left as it was: the card says the same thing.
    event = EventFactory(capacity=3)
    with commit():
        booking = services.booking_hold(user=UserFactory(), event=event, quantity=1)
    listings_before, page_before = versions(event)

    with commit():
        pay(booking)

    listings_after, page_after = versions(event)
    assert listings_after == listings_before
    assert page_after != page_before


def test_the_listing_card_shows_the_new_count_once_it_enters_the_few_left_range(
    client, commit, settings
):
    settings.PAGE_CACHE_ENABLED = True
    event = EventFactory(capacity=FEW_TICKETS_LEFT + 2, title="Harbour lights concert")
    search = reverse("events:event-search") + "?q=harbour"
    first = client.get(search)
    assert first["X-Page-Cache"] == "miss"  # stored now
    assert "left</span>" not in first.content.decode()

    with commit():
        services.booking_hold(user=UserFactory(), event=event, quantity=3)

    again = client.get(search)
    assert again["X-Page-Cache"] == "miss"  # the stored page was invalidated
    page = again.content.decode()
    assert f"Only {FEW_TICKETS_LEFT - 1} left" in page


def test_a_cached_listing_is_kept_when_a_hold_changes_nothing_it_shows(client, commit, settings):
    settings.PAGE_CACHE_ENABLED = True
    event = EventFactory(capacity=FEW_TICKETS_LEFT + 50, title="Harbour lights concert")
    search = reverse("events:event-search") + "?q=harbour"
    client.get(search)

    with commit():
        services.booking_hold(user=UserFactory(), event=event, quantity=2)

    assert client.get(search)["X-Page-Cache"] == "hit"
