"""The discovery pages as a visitor sees them: home, search, city, event and autocomplete."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eventmate.core import cache_versions
from eventmate.events import selectors
from tests.factories import (
    CityFactory,
    EventFactory,
    EventImageFactory,
    FavoriteFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def soon(days=5, hours=0):
    return timezone.now() + timedelta(days=days, hours=hours)


def html(response) -> str:
    return response.content.decode()


# Home ---------------------------------------------------------------------------------------


def test_home_shows_featured_upcoming_popular_cities_and_categories(client):
    CityFactory(name="Chicago", slug="chicago", is_featured=True)
    EventFactory(title="Starred", is_featured=True)
    EventFactory(title="Next up")
    EventFactory(title="Crowd pleaser", tickets_sold=80)
    page = html(client.get("/"))
    for text in ("Featured events", "Starred", "Next up", "Crowd pleaser", "Chicago"):
        assert text in page
    assert 'href="/city/chicago/"' in page
    assert "/events/?category=food-drink" in page
    assert 'name="q"' in page and 'name="location"' in page and 'name="date"' in page


def test_home_leaves_out_past_events(client):
    EventFactory(title="Long gone", starts_at=soon(-3), ends_at=soon(-2))
    assert "Long gone" not in html(client.get("/"))


# Search ---------------------------------------------------------------------------------------


def test_search_page_shows_count_chips_and_results(client):
    EventFactory(title="Jazz Brunch", category="food-drink")
    EventFactory(title="Jazz Night", category="music")
    page = html(client.get("/events/?q=jazz&category=music"))
    assert "1 event" in page
    assert "Jazz Night" in page and "Jazz Brunch" not in page
    assert 'href="/events/?q=jazz"' in page  # the Music chip removes the category
    assert 'href="/events/?category=music"' in page  # the keyword chip removes the keyword


def test_search_page_says_which_filters_it_ignored(client):
    EventFactory()
    page = html(client.get("/events/?min_price=-4&category=knitting&from=tomorrow"))
    assert "Some of your filters couldn" in page
    assert "knitting" in page
    assert "negative" in page
    assert "YYYY-MM-DD" in page


def test_search_page_links_pages_with_stable_urls(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for day in range(5):
        EventFactory(starts_at=soon(day + 1))
    page = html(client.get("/events/?category=music&page=2"))
    assert 'href="/events/?category=music&amp;page=3" rel="next"' in page
    assert 'href="/events/?category=music" rel="prev"' in page
    assert "data-load-more" in page


def test_partial_page_holds_only_cards_and_the_next_link(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for day in range(5):
        EventFactory(title=f"Day {day}", starts_at=soon(day + 1))
    response = client.get("/events/?page=2&partial=1")
    page = html(response)
    assert "<html" not in page and "site-header" not in page
    assert "Day 2" in page and "Day 3" in page and "Day 0" not in page
    assert re.search(r'href="/events/\?page=3"[^>]*data-load-more', page)


def test_last_partial_page_has_no_load_more_link(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for day in range(3):
        EventFactory(starts_at=soon(day + 1))
    assert "data-load-more" not in html(client.get("/events/?page=2&partial=1"))


def test_no_results_page_offers_to_clear_filters(client):
    page = html(client.get("/events/?q=nothing-like-this"))
    assert "No events match" in page
    assert 'href="/events/"' in page


def test_search_count_above_the_cap_is_shown_as_a_floor(client, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        EventFactory()
    assert "2+ events" in html(client.get("/events/"))


# City ---------------------------------------------------------------------------------------


def test_city_page_lists_only_that_citys_events(client):
    chicago = CityFactory(name="Chicago", slug="chicago")
    EventFactory(title="Windy gig", city=chicago)
    EventFactory(title="Somewhere else")
    page = html(client.get("/city/chicago/"))
    assert "Events in Chicago" in page
    assert "Windy gig" in page and "Somewhere else" not in page


def test_city_page_applies_the_same_filters(client):
    chicago = CityFactory(slug="chicago")
    EventFactory(title="Free thing", city=chicago, price=0)
    EventFactory(title="Paid thing", city=chicago, price=Decimal("9"))
    page = html(client.get("/city/chicago/?free=1"))
    assert "Free thing" in page and "Paid thing" not in page


def test_unknown_city_is_a_styled_404(client):
    response = client.get("/city/atlantis/")
    assert response.status_code == 404
    assert "Page not found" in html(response)


# Event page ---------------------------------------------------------------------------------


def test_event_page_shows_the_details(client):
    event = EventFactory(
        title="Jazz on the Lake",
        description="Smooth sounds.",
        whats_included="Entry\nA drink",
        things_to_know="Bring ID",
        cancellation_policy="Refunds up to two days before.",
        minimum_age=18,
        venue="Lakeside Stage",
        address="1 Shore Rd",
    )
    page = html(client.get(event.get_absolute_url()))
    for text in (
        "Jazz on the Lake",
        "Smooth sounds.",
        "A drink",
        "Bring ID",
        "Refunds up to two days before.",
        "18+ only",
        "Lakeside Stage",
        "1 Shore Rd",
        "$25",
        event.host.display_name,
    ):
        assert text in page, text


def test_event_times_are_shown_in_the_citys_time_zone(client):
    tokyo = CityFactory(name="Tokyo", slug="tokyo", timezone="Asia/Tokyo")
    start = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)  # 19:00 in Tokyo
    event = EventFactory(city=tokyo, starts_at=start, ends_at=start + timedelta(hours=2))
    page = html(client.get(event.get_absolute_url()))
    assert "7:00 PM" in page and "JST" in page
    assert "10:00 AM" not in page


def test_free_event_says_free(client):
    event = EventFactory(price=0)
    assert "Free" in html(client.get(event.get_absolute_url()))


def test_map_link_only_with_coordinates(client):
    placed = EventFactory(latitude=Decimal("41.88"), longitude=Decimal("-87.63"))
    unplaced = EventFactory()
    assert "openstreetmap.org/?mlat=41.88000&amp;mlon=-87.63000" in html(
        client.get(placed.get_absolute_url())
    )
    assert "openstreetmap.org" not in html(client.get(unplaced.get_absolute_url()))


def test_few_tickets_left_says_how_many(client):
    event = EventFactory(capacity=100, tickets_sold=97)
    assert "Only 3 left" in html(client.get(event.get_absolute_url()))


def test_sold_out_event_cannot_be_booked(client):
    user = UserFactory()
    client.force_login(user)
    event = EventFactory(capacity=10, tickets_sold=10)
    page = html(client.get(event.get_absolute_url()))
    assert "Sold out" in page
    assert reverse("bookings:booking-create", args=[event.slug]) not in page


def test_ended_event_cannot_be_booked(client):
    client.force_login(UserFactory())
    event = EventFactory(starts_at=soon(-2), ends_at=soon(-1))
    page = html(client.get(event.get_absolute_url()))
    assert "This event has ended." in page
    assert 'name="quantity"' not in page


def test_cancelled_event_says_so_and_cannot_be_booked(client):
    client.force_login(UserFactory())
    event = EventFactory(is_cancelled=True)
    page = html(client.get(event.get_absolute_url()))
    assert "has been cancelled" in page
    assert 'name="quantity"' not in page


def test_anonymous_visitor_gets_log_in_links_not_forms(client):
    event = EventFactory()
    page = html(client.get(event.get_absolute_url()))
    login_next = f"{reverse('accounts:login')}?next={event.get_absolute_url()}"
    assert f'href="{login_next}"' in page
    assert "Log in to book" in page
    assert 'method="post"' not in page


def test_signed_in_user_gets_a_booking_form_with_allowed_quantities(client, settings):
    settings.BOOKING_MAX_TICKETS_PER_ORDER = 6
    client.force_login(UserFactory())
    event = EventFactory(capacity=100, tickets_sold=96)  # 4 left, fewer than the maximum
    page = html(client.get(event.get_absolute_url()))
    assert f'action="{reverse("bookings:booking-create", args=[event.slug])}"' in page
    assert re.findall(r'<option value="(\d+)">\d+</option>', page) == ["1", "2", "3", "4"]
    assert "csrfmiddlewaretoken" in page
    assert 'name="attendance_date"' not in page


def test_multi_day_event_asks_which_day(client):
    client.force_login(UserFactory())
    city = CityFactory(timezone="UTC")
    start = (timezone.now() + timedelta(days=10)).replace(hour=10, minute=0)
    event = EventFactory(city=city, starts_at=start, ends_at=start + timedelta(days=2))
    page = html(client.get(event.get_absolute_url()))
    days = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})">', page)
    assert days == [(start + timedelta(days=n)).date().isoformat() for n in range(3)]


def test_an_evening_past_midnight_is_one_day(client):
    client.force_login(UserFactory())
    city = CityFactory(timezone="UTC")
    start = (timezone.now() + timedelta(days=10)).replace(hour=21, minute=0)
    event = EventFactory(city=city, starts_at=start, ends_at=start + timedelta(hours=5))
    page = html(client.get(event.get_absolute_url()))
    assert 'name="quantity"' in page
    assert 'name="attendance_date"' not in page


def test_a_running_festival_offers_only_the_days_left(client):
    client.force_login(UserFactory())
    city = CityFactory(timezone="UTC")
    start = (timezone.now() - timedelta(days=1)).replace(hour=10, minute=0)
    event = EventFactory(city=city, starts_at=start, ends_at=start + timedelta(days=3))
    page = html(client.get(event.get_absolute_url()))
    days = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})">', page)
    assert days[0] == timezone.now().date().isoformat()
    assert start.date().isoformat() not in days


def test_a_one_day_event_that_has_started_cannot_be_booked(client):
    client.force_login(UserFactory())
    event = EventFactory(starts_at=soon(0, -1), ends_at=soon(0, 2))
    page = html(client.get(event.get_absolute_url()))
    assert "already started" in page
    assert 'name="quantity"' not in page


def test_favourite_form_shows_the_current_state(client):
    user = UserFactory()
    client.force_login(user)
    saved, unsaved = EventFactory(), EventFactory()
    FavoriteFactory(user=user, event=saved)
    saved_page = html(client.get(saved.get_absolute_url()))
    unsaved_page = html(client.get(unsaved.get_absolute_url()))
    assert reverse("reviews:favorite-toggle", args=[saved.slug]) in saved_page
    assert 'aria-pressed="true"' in saved_page and 'value="remove"' in saved_page
    assert 'aria-pressed="false"' in unsaved_page and 'value="add"' in unsaved_page


def test_unpublished_event_is_hidden_from_everyone_but_its_host(client):
    event = EventFactory(is_published=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(event.host)
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert "isn't published" in html(response)


def test_unknown_event_is_a_404(client):
    assert client.get("/event/no-such-event/").status_code == 404


def test_gallery_shows_every_image_primary_first(client):
    event = EventFactory()
    EventImageFactory(event=event, order=0, alt_text="Stage")
    EventImageFactory(event=event, order=1, alt_text="Crowd", is_primary=True)
    page = html(client.get(event.get_absolute_url()))
    assert page.index('alt="Crowd"') < page.index('alt="Stage"')
    assert "data-gallery-thumb" in page


def test_reviews_are_paginated_newest_first(client):
    event = EventFactory(starts_at=soon(-3), ends_at=soon(-2), rating_count=12)
    for n in range(12):
        review = ReviewFactory(event=event, comment=f"Review number {n:02}")
        type(review).objects.filter(pk=review.pk).update(
            created_at=timezone.now() - timedelta(hours=n)
        )
    first = html(client.get(event.get_absolute_url()))
    assert "Review number 00" in first and "Review number 09" in first
    assert "Review number 10" not in first
    assert 'href="?reviews=2#reviews"' in first
    second = html(client.get(event.get_absolute_url() + "?reviews=2"))
    assert "Review number 10" in second and "Review number 11" in second
    assert "Review number 09" not in second


def test_similar_events_share_the_category(client):
    event = EventFactory(category="comedy")
    EventFactory(title="Another laugh", category="comedy")
    EventFactory(title="A concert", category="music")
    page = html(client.get(event.get_absolute_url()))
    assert "Another laugh" in page and "A concert" not in page


def test_similar_events_are_fetched_once_per_category_and_never_list_the_event_itself(client):
    first, second = EventFactory(category="comedy"), EventFactory(category="comedy")
    EventFactory(title="Third laugh", category="comedy")
    with CaptureQueriesContext(connection) as cold:
        assert "Third laugh" in html(client.get(first.get_absolute_url()))
    with CaptureQueriesContext(connection) as warm:
        assert "Third laugh" in html(client.get(second.get_absolute_url()))
    # The second event page of the category reuses the list: its two queries are saved.
    assert len(warm) == len(cold) - 2
    assert [e.pk for e in selectors.similar_events(event=first)] == [second.pk, second.pk + 1]
    assert first.pk in [e.pk for e in selectors.similar_events(event=second)]
    assert second.pk not in [e.pk for e in selectors.similar_events(event=second)]


def test_similar_events_follow_a_listing_change(client):
    event = EventFactory(category="comedy")
    client.get(event.get_absolute_url())
    newcomer = EventFactory(title="A new stand-up night", category="comedy")
    cache_versions.listings_changed()
    other = EventFactory(category="comedy")
    assert newcomer.title in html(client.get(other.get_absolute_url()))


def test_sharing_metadata_and_structured_data(client):
    event = EventFactory(title="Jazz </script><script>alert(1)</script> & more")
    EventImageFactory(event=event, is_primary=True)
    page = html(client.get(event.get_absolute_url()))
    assert '<meta property="og:title"' in page
    assert "og:image" in page
    assert "<script>alert(1)" not in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["offers"]["priceCurrency"] == "USD"
    assert data["startDate"].startswith(str(event.starts_at.year))


# Anonymous pages stay cacheable -------------------------------------------------------------


@pytest.fixture
def anonymous_urls():
    city = CityFactory(slug="chicago")
    event = EventFactory(city=city)
    return [
        "/",
        "/events/",
        "/events/?q=jazz&min_price=-1",
        "/events/?page=2&partial=1",
        "/city/chicago/",
        event.get_absolute_url(),
        "/search/autocomplete/?q=ev",
    ]


def test_anonymous_pages_do_not_vary_on_cookie_or_carry_csrf_tokens(client, anonymous_urls):
    for url in anonymous_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "cookie" not in response.get("Vary", "").lower(), url
        assert "csrfmiddlewaretoken" not in html(response), url
        assert "csrftoken" not in response.cookies, url
        assert not response.cookies, url
        assert not response.wsgi_request.session.accessed, url


# Autocomplete -------------------------------------------------------------------------------


def test_autocomplete_needs_two_characters(client):
    EventFactory(title="Jazz")
    assert client.get("/search/autocomplete/?q=j").json() == {"events": [], "cities": []}


def test_autocomplete_matches_the_start_of_titles_and_their_words(client):
    city = CityFactory(name="Jacksonville", slug="jacksonville", timezone="America/New_York")
    EventFactory(title="Jazz Festival", city=city)
    EventFactory(title="Summer Jazz Night")
    EventFactory(title="Pyjama Party")  # "ja" inside a word: not a prefix
    EventFactory(title="Jazz Past", starts_at=soon(-3), ends_at=soon(-2))
    data = client.get("/search/autocomplete/?q=JA").json()
    assert [event["title"] for event in data["events"]] == ["Jazz Festival", "Summer Jazz Night"]
    first = data["events"][0]
    assert first["url"] == "/event/" + first["url"].split("/")[2] + "/"
    assert first["city"] == "Jacksonville"
    assert first["starts_at"].endswith(("-05:00", "-04:00"))
    assert data["cities"] == [{"name": "Jacksonville", "url": "/city/jacksonville/"}]


def test_autocomplete_returns_at_most_eight_events_and_three_cities(client):
    for n in range(10):
        CityFactory(name=f"Springfield {n}", slug=f"springfield-{n}")
        EventFactory(title=f"Spring fair {n}")
    data = client.get("/search/autocomplete/?q=spr").json()
    assert len(data["events"]) == 8
    assert len(data["cities"]) == 3


# Error pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("core/400.html", "didn't make sense"),
        ("core/403.html", "can't do that"),
        ("core/404.html", "Page not found"),
        ("core/429.html", "Slow down"),
        ("core/500.html", "Something went wrong"),
    ],
)
def test_error_pages_render_without_a_request(template, heading):
    # The rate limiter renders 429 without a request, and 500 must not need one either.
    from django.template.loader import render_to_string

    page = render_to_string(template, {"message": ""})
    assert heading in page
    assert 'class="error-code"' in page
    assert "csrfmiddlewaretoken" not in page
