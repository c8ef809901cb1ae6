import pytest
from django.core.cache import cache
from django.db import transaction

from eventmate.core import cache_versions
from eventmate.core.pagecache import normalised_query
from tests.factories import EventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "test_urls")]


def test_second_anonymous_request_is_served_without_queries(client, django_assert_num_queries):
    EventFactory(title="Jazz night")
    first = client.get("/t/listing/")
    with django_assert_num_queries(0):
        second = client.get("/t/listing/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert b"Jazz night" in second.content


def test_hit_returns_stored_headers_and_policy_headers(client):
    client.get("/t/listing/")
    hit = client.get("/t/listing/")
    assert hit["Content-Type"].startswith("text/html")
    assert hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Request-ID"]
    assert "Cookie" not in hit.get("Vary", "")
    assert hit["Cache-Control"] == "private, no-cache"


def test_unmarked_views_are_never_cached(client, django_assert_num_queries):
    client.get("/t/not-marked/")
    with django_assert_num_queries(1):
        response = client.get("/t/not-marked/")
    assert "X-Page-Cache" not in response


def test_signed_in_visitors_bypass_the_cache(client, django_assert_max_num_queries):
    EventFactory(title="Before")
    client.get("/t/listing/")  # cached for anonymous visitors
    client.cookies["sessionid"] = "anything"
    response = client.get("/t/listing/")
    assert "X-Page-Cache" not in response


def test_messages_cookie_bypasses_the_cache(client):
    client.get("/t/listing/")
    client.cookies["messages"] = "x"
    assert "X-Page-Cache" not in client.get("/t/listing/")


@pytest.mark.parametrize("path", ["/t/sets-cookie/", "/t/csrf/", "/t/session/"])
def test_responses_with_cookies_tokens_or_session_reads_are_not_stored(client, path):
    client.get(path)
    client.cookies.clear()
    assert client.get(path)["X-Page-Cache"] == "miss"


def test_post_is_never_served_from_cache(client):
    client.get("/t/listing/")
    response = client.post("/t/listing/")
    assert "X-Page-Cache" not in response


def test_query_order_and_tracking_parameters_share_one_entry(client):
    client.get("/t/listing/?b=2&a=1")
    response = client.get("/t/listing/?a=1&utm_source=news&b=2")
    assert response["X-Page-Cache"] == "hit"


def test_different_queries_are_different_pages(client):
    client.get("/t/listing/?q=jazz")
    response = client.get("/t/listing/?q=rock")
    assert response["X-Page-Cache"] == "miss"
    assert b"q=rock" in response.content


def test_normalised_query_keeps_repeated_values_in_order():
    assert normalised_query("z=1&cat=b&cat=a&utm_medium=x") == "cat=b&cat=a&z=1"


def test_etag_revalidation_answers_304(client):
    first = client.get("/t/listing/")
    response = client.get("/t/listing/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response.content == b""


def test_if_modified_since_answers_304(client):
    first = client.get("/t/listing/")
    response = client.get("/t/listing/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert response.status_code == 304


def test_hit_is_precompressed_for_brotli_and_gzip_clients(client):
    client.get("/t/listing/")
    plain = client.get("/t/listing/")
    brotli_hit = client.get("/t/listing/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    gzip_hit = client.get("/t/listing/", HTTP_ACCEPT_ENCODING="gzip")
    assert brotli_hit["Content-Encoding"] == "br"
    assert gzip_hit["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain
    assert len(brotli_hit.content) < len(plain.content)
    assert "Accept-Encoding" in brotli_hit["Vary"]


def test_listing_version_bump_changes_the_next_response(client):
    EventFactory(title="Old title")
    client.get("/t/listing/")
    EventFactory(title="Brand new")
    assert b"Brand new" not in client.get("/t/listing/").content  # still the cached copy
    cache_versions.listings_changed()
    response = client.get("/t/listing/")
    assert response["X-Page-Cache"] == "miss"
    assert b"Brand new" in response.content


def test_event_changed_invalidates_that_event_page_only(client):
    event = EventFactory(title="First", slug="first")
    other = EventFactory(title="Second", slug="second")
    client.get("/t/event/first/")
    client.get("/t/event/second/")
    event.title = "First, renamed"
    event.save()
    cache_versions.event_changed(event.pk)
    assert b"First, renamed" in client.get("/t/event/first/").content
    assert client.get(f"/t/event/{other.slug}/")["X-Page-Cache"] == "hit"


def test_event_changed_for_a_deleted_event_invalidates_every_event_page(client):
    event = EventFactory(slug="gone")
    client.get("/t/event/gone/")
    event_id = event.pk
    event.delete()
    cache_versions.event_changed(event_id)
    assert client.get("/t/event/gone/").status_code == 404


def test_stale_copy_is_served_while_another_worker_recomputes(client):
    EventFactory(title="Before")
    first = client.get("/t/listing/")
    cache_versions.listings_changed()
    EventFactory(title="After")
    # Another worker holds the recompute lock for this page.
    lock_key = _lock_key_for(first)
    cache.add(lock_key, 1, timeout=30)
    stale = client.get("/t/listing/")
    assert stale["X-Page-Cache"] == "stale"
    assert b"After" not in stale.content
    cache.delete(lock_key)
    fresh = client.get("/t/listing/")
    assert fresh["X-Page-Cache"] == "miss"
    assert b"After" in fresh.content


def test_without_a_copy_a_waiting_worker_renders_after_the_wait(client, settings):
    settings.PAGE_CACHE_LOCK_WAIT_MS = 60
    # Learn the page's lock key from a first render, then forget the page.
    lock_key = _lock_key_for(client.get("/t/listing/"))
    cache.clear()
    cache.add(lock_key, 1, timeout=30)
    response = client.get("/t/listing/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"


def test_editing_an_event_through_the_service_changes_the_next_page(
    client, django_capture_on_commit_callbacks
):
    from eventmate.events.services import event_update

    event = EventFactory(title="Original title", slug="edited")
    assert b"Original title" in client.get("/t/event/edited/").content
    with django_capture_on_commit_callbacks(execute=True):
        event_update(actor=event.host, event=event, fields={"title": "Edited title"})
    assert b"Edited title" in client.get("/t/event/edited/").content


def test_booking_tickets_changes_the_next_page(client, django_capture_on_commit_callbacks):
    from eventmate.bookings.services import booking_hold
    from tests.factories import UserFactory

    EventFactory(slug="popular", capacity=10)
    assert b"left: 10" in client.get("/t/event/popular/").content
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        from eventmate.events.models import Event

        booking_hold(user=UserFactory(), event=Event.objects.get(slug="popular"), quantity=3)
    assert b"left: 7" in client.get("/t/event/popular/").content


def _lock_key_for(response):
    """The lock key of the page `response` came from: the only page key in the cache."""
    client = cache.client.get_client() if hasattr(cache, "client") else None
    if client is not None:
        keys = [k.decode().split(":", 2)[2] for k in client.keys("*pc:*")]
    else:
        keys = [k.split(":", 2)[2] for k in cache._cache if ":pc:" in k]
    (page_key,) = {key.rsplit(":", 1)[0] for key in keys}  # one page, three encodings
    return "pcl:" + page_key[3:]


def test_hits_count_against_the_rate_limit(client, settings):
    settings.RATELIMIT_REQUESTS = 3
    statuses = [client.get("/t/listing/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_a_hit_costs_one_cache_round_trip_including_the_rate_limit(client, settings):
    if not settings.REDIS_URL:
        pytest.skip("round trips are counted for Redis")
    client.get("/t/listing/")
    hit = client.get("/t/listing/")
    assert hit["X-Page-Cache"] == "hit"
    assert "cache;dur=" in hit["Server-Timing"]
    assert 'desc="1 calls"' in hit["Server-Timing"].split("cache;")[1]
