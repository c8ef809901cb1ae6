"""Redis stopped (the cache points at a port where nothing listens): every page still answers,
log-in still works, the outage is logged once, and Redis is not retried on every command."""

import logging
import socket
import threading

import pytest
import redis
from django.core.cache import cache

from eventmate.core import cache_versions
from eventmate.core.redis_client import breaker
from tests.core.conftest import redis_cache_settings
from tests.factories import PASSWORD, CityFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def catalogue():
    city = CityFactory(name="Lisbon", slug="lisbon")
    event = EventFactory(title="Fado evening", slug="fado-evening", city=city)
    return event


def _public_pages(event):
    return [
        "/",
        "/events/",
        "/events/?q=fado",
        f"/city/{event.city.slug}/",
        f"/event/{event.slug}/",
        "/search/autocomplete/?q=fad",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/health/",
        "/health/live/",
    ]


@pytest.mark.usefixtures("redis_down")
def test_every_public_page_answers_200_with_redis_down(client, catalogue):
    for path in _public_pages(catalogue):
        for _ in range(2):  # first render and what would have been a cache hit
            response = client.get(path)
            assert response.status_code == 200, path


@pytest.mark.usefixtures("redis_down")
def test_login_works_and_the_session_holds_with_redis_down(client, catalogue):
    user = UserFactory(username="ana")
    response = client.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    profile = client.get("/profile/")
    assert profile.status_code == 200
    assert profile.wsgi_request.user == user
    for path in ["/", f"/event/{catalogue.slug}/", "/my-bookings/"]:
        assert client.get(path).status_code == 200, path


@pytest.mark.usefixtures("redis_down")
def test_outage_is_logged_once_not_per_request(client, catalogue, caplog):
    with caplog.at_level(logging.WARNING, logger="eventmate.redis"):
        for _ in range(5):
            client.get("/")
            client.get(f"/event/{catalogue.slug}/")
    outage_lines = [r for r in caplog.records if r.name == "eventmate.redis"]
    assert len(outage_lines) == 1
    assert "unavailable" in outage_lines[0].getMessage()


@pytest.mark.usefixtures("redis_down")
def test_dead_redis_is_not_retried_on_every_command(client, catalogue, monkeypatch, settings):
    settings.REDIS_RETRY_SECONDS = 60
    attempts = []
    original_connect = redis.connection.AbstractConnection.connect

    def counting_connect(self, *args, **kwargs):
        attempts.append(1)
        return original_connect(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counting_connect)
    for _ in range(5):
        assert client.get("/").status_code == 200
    assert len(attempts) == 1


@pytest.mark.usefixtures("redis_down")
def test_cache_versions_never_raise_with_redis_down(catalogue):
    cache_versions.event_changed(catalogue.pk)
    cache_versions.listings_changed()
    versions = cache_versions.get_versions(cache_versions.LISTINGS, "event:1")
    assert all(version < 0 for version in versions.values())  # "unknown": matches nothing


def test_bumps_missed_during_an_outage_are_applied_when_redis_returns(settings):
    before = cache_versions.get_version(cache_versions.LISTINGS)
    working_caches = settings.CACHES
    settings.CACHES = redis_cache_settings("redis://127.0.0.1:1/0")
    cache_versions.listings_changed()  # lost: Redis is down
    settings.CACHES = working_caches
    breaker.reset()
    assert cache_versions.get_version(cache_versions.LISTINGS) != before


@pytest.mark.usefixtures("redis_down")
def test_rate_limit_still_applies_per_process_with_redis_down(client, settings):
    settings.RATELIMIT_REQUESTS = 3
    statuses = [client.get("/health/").status_code for _ in range(2)]  # exempt
    statuses += [client.get("/accounts/login/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 200, 200, 429]


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers: a hung or overloaded Redis."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 8601))
    listener.listen(64)
    accepted = []
    stop = threading.Event()

    def accept_forever():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                accepted.append(connection)
            except OSError:
                continue

    thread = threading.Thread(target=accept_forever, daemon=True)
    thread.start()
    yield "redis://127.0.0.1:8601/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_hung_redis_costs_one_timeout_then_is_skipped(client, settings, hung_redis, catalogue):
    settings.REDIS_URL = hung_redis
    settings.CACHES = redis_cache_settings(hung_redis)
    settings.REDIS_RETRY_SECONDS = 60
    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting_send(self, *args, **kwargs):
        sent.append(1)
        return original(self, *args, **kwargs)

    from unittest import mock

    with mock.patch.object(
        redis.connection.AbstractConnection, "send_packed_command", counting_send
    ):
        for path in ["/", f"/event/{catalogue.slug}/", "/events/"]:
            assert client.get(path).status_code == 200
    # One command timed out; every later one was refused by the breaker without being sent.
    assert len(sent) == 1
    assert cache.get("anything") is None
