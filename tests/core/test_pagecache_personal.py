"""Signed-in visitors get the anonymous copy of a cached page with their own parts spliced in
(pagecache.personal_from_cache): their navigation, booking form and favourite button, with
working CSRF tokens, and never another visitor's."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from eventmate.core import cache_versions
from eventmate.core.pagecache import personal_part, splice_personal_parts
from eventmate.events.models import Event
from eventmate.reviews.models import Favorite
from tests.factories import CityFactory, EventFactory, HostFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def event():
    city = CityFactory(name="Porto", slug="porto")
    return EventFactory(title="Harbour concert", slug="harbour-concert", city=city, capacity=50)


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/", "/events/?q=harbour", "/city/porto/"])
def test_listing_comes_from_the_anonymous_copy_with_the_visitors_navigation(
    client, event, path, django_assert_max_num_queries
):
    anonymous = client.get(path)
    assert anonymous["X-Page-Cache"] == "miss"
    alice = UserFactory(username="alice")
    visitor = signed_in(alice)
    with django_assert_max_num_queries(1):  # the user (sessions live in the cache)
        response = visitor.get(path)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "personal"
    body = response.content.decode()
    assert ">alice</a>" in body and "Log out" in body
    assert 'href="/accounts/login/"' not in body
    assert "Cookie" in response["Vary"] and "private" in response["Cache-Control"]
    # The rest of the page is the anonymous copy, byte for byte.
    outside = re.sub(r"<!--personal:nav-->.*?<!--/personal:nav-->", "", body, flags=re.S)
    assert outside == re.sub(
        r"<!--personal:nav-->.*?<!--/personal:nav-->", "", anonymous.content.decode(), flags=re.S
    )
    # Nothing personal went into the shared copy.
    again = client.get(path)
    assert again["X-Page-Cache"] == "hit" and b"alice" not in again.content


def test_hosts_see_their_own_links(client, event):
    client.get("/")
    response = signed_in(HostFactory(username="hostess")).get("/")
    assert response["X-Page-Cache"] == "personal"
    assert b'href="/my-events/"' in response.content and b">hostess</a>" in response.content


def test_event_page_parts_follow_the_visitor(client, event, django_assert_max_num_queries):
    client.get("/event/harbour-concert/")
    fan, other = UserFactory(), UserFactory()
    Favorite.objects.create(user=fan, event=event)
    fan_client = signed_in(fan)
    with django_assert_max_num_queries(3):  # user, event with its city, favourite
        response = fan_client.get("/event/harbour-concert/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "personal"
    body = response.content.decode()
    assert 'action="/event/harbour-concert/book/"' in body and "Log in to book" not in body
    assert 'aria-pressed="true"' in body and "Saved" in body
    other_body = signed_in(other).get("/event/harbour-concert/").content.decode()
    assert 'aria-pressed="false"' in other_body
    assert "Log in to book" in client.get("/event/harbour-concert/").content.decode()


def test_forms_on_a_spliced_page_carry_a_valid_csrf_token(client, event):
    client.get("/event/harbour-concert/")
    buyer = signed_in(UserFactory(), enforce_csrf_checks=True)
    page = buyer.get("/event/harbour-concert/")
    assert page["X-Page-Cache"] == "personal"
    token = re.search(
        r'action="/event/harbour-concert/book/".*?name="csrfmiddlewaretoken" value="([^"]+)"',
        page.content.decode(),
        re.S,
    ).group(1)
    booked = buyer.post(
        "/event/harbour-concert/book/", {"csrfmiddlewaretoken": token, "quantity": "2"}
    )
    assert booked.status_code == 302
    assert Event.objects.get(pk=event.pk).tickets_held == 2


def test_pending_messages_get_the_whole_page(client, event):
    client.get("/event/harbour-concert/")
    visitor = signed_in(UserFactory())
    visitor.post("/event/harbour-concert/favorite/", {"action": "add"})  # leaves a message
    response = visitor.get("/event/harbour-concert/")
    assert "X-Page-Cache" not in response
    assert "saved in your favourites" in response.content.decode()


def test_an_out_of_date_copy_is_replaced_for_everyone(client, event):
    client.get("/event/harbour-concert/")
    Event.objects.filter(pk=event.pk).update(title="Harbour concert, moved")
    cache_versions.event_changed(event.pk, slug=event.slug)
    response = signed_in(UserFactory()).get("/event/harbour-concert/")
    assert response["X-Page-Cache"] == "personal-miss"
    assert b"Harbour concert, moved" in response.content
    anonymous = client.get("/event/harbour-concert/")
    assert anonymous["X-Page-Cache"] == "hit" and b"Harbour concert, moved" in anonymous.content


def test_a_copy_showing_another_state_is_not_used(client, event):
    """The copy has a booking form; the event has started since (no version bump: time
    alone). The visitor's parts no longer match the copy's, so the page is rendered."""
    client.get("/event/harbour-concert/")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    response = signed_in(UserFactory()).get("/event/harbour-concert/")
    assert "X-Page-Cache" not in response
    assert b"Booking has closed" in response.content


def test_a_signed_in_visit_stores_the_anonymous_copy_for_everyone(
    client, event, django_assert_max_num_queries
):
    visitor = signed_in(UserFactory(username="bob"))
    first = visitor.get("/events/?q=harbour")
    assert first["X-Page-Cache"] == "personal-miss" and b">bob</a>" in first.content
    anonymous = client.get("/events/?q=harbour")
    assert anonymous["X-Page-Cache"] == "hit"
    assert b"bob" not in anonymous.content and b"csrfmiddlewaretoken" not in anonymous.content
    assert b'href="/accounts/login/"' in anonymous.content
    with django_assert_max_num_queries(1):
        assert visitor.get("/events/?q=harbour")["X-Page-Cache"] == "personal"


def test_a_page_only_its_host_may_see_is_never_stored(client, event):
    Event.objects.filter(pk=event.pk).update(is_published=False)
    response = signed_in(event.host).get("/event/harbour-concert/")
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert client.get("/event/harbour-concert/").status_code == 404


def test_a_visit_of_a_missing_page_stores_nothing(client):
    assert signed_in(UserFactory()).get("/event/no-such-thing/").status_code == 404
    assert client.get("/event/no-such-thing/").status_code == 404


def test_page_cache_off_renders_every_page(client, event, settings):
    client.get("/")
    settings.PAGE_CACHE_ENABLED = False
    assert "X-Page-Cache" not in signed_in(UserFactory()).get("/")


def test_splice_needs_exactly_the_parts_of_the_page():
    body = "a" + personal_part("nav", "ANON") + "b" + personal_part("favorite", "LOGIN") + "c"
    assert (
        splice_personal_parts(body, {"nav": "ME", "favorite": "SAVE"})
        == "a" + personal_part("nav", "ME") + "b" + personal_part("favorite", "SAVE") + "c"
    )
    assert splice_personal_parts(body, {"nav": "ME"}) is None  # a part left anonymous
    assert splice_personal_parts(body, {"nav": "ME", "favorite": "S", "booking": "B"}) is None
