"""CI only: really stop the Redis server, check the site, start it again.

Runs when CI_REAL_REDIS_RESTART=1 (.ci/run sets it on the PostgreSQL + Redis pass). Redis is
started again in a `finally`, whatever happens, with the same options .ci/run uses.
"""

import os
import shutil
import subprocess
import time
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.factories import PASSWORD, CityFactory, EventFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        os.environ.get("CI_REAL_REDIS_RESTART") != "1", reason="set CI_REAL_REDIS_RESTART=1"
    ),
]


def _redis_address(settings):
    if not settings.REDIS_URL or shutil.which("redis-server") is None:
        pytest.skip("needs REDIS_URL and redis-server")
    url = urlparse(settings.REDIS_URL)
    return url.hostname or "127.0.0.1", url.port or 6379


def _ping(host, port) -> bool:
    result = subprocess.run(
        ["redis-cli", "-h", host, "-p", str(port), "ping"], capture_output=True, text=True
    )
    return result.stdout.strip() == "PONG"


def _wait(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _stop_redis(host, port):
    subprocess.run(
        ["redis-cli", "-h", host, "-p", str(port), "shutdown", "nosave"], capture_output=True
    )
    assert _wait(lambda: not _ping(host, port)), "Redis did not stop"


def _start_redis(host, port):
    if _ping(host, port):
        return
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", host, "--port", str(port),
         "--save", "", "--appendonly", "no"],
        check=True,
    )  # fmt: skip
    assert _wait(lambda: _ping(host, port)), "Redis did not come back"


def test_site_keeps_serving_through_a_real_redis_stop_and_restart(settings):
    host, port = _redis_address(settings)
    settings.PAGE_CACHE_ENABLED = True
    settings.REDIS_RETRY_SECONDS = 0.2
    city = CityFactory(slug="oslo")
    event = EventFactory(slug="northern-lights", city=city)
    UserFactory(username="signed")
    UserFactory(username="latecomer")
    pages = ["/", "/events/", f"/city/{city.slug}/", f"/event/{event.slug}/", "/accounts/login/"]

    anonymous, signed_in = Client(), Client()
    assert (
        signed_in.post("/accounts/login/", {"username": "signed", "password": PASSWORD}).status_code
        == 302
    )
    anonymous.get("/events/")
    assert anonymous.get("/events/")["X-Page-Cache"] == "hit"

    try:
        _stop_redis(host, port)
        for path in pages:
            assert anonymous.get(path).status_code == 200, path
            if path != "/accounts/login/":  # which redirects signed-in visitors
                assert signed_in.get(path).status_code == 200, path
        assert signed_in.get("/profile/").status_code == 200  # the session outlived Redis
        newcomer = Client()
        assert (
            newcomer.post(
                "/accounts/login/", {"username": "latecomer", "password": PASSWORD}
            ).status_code
            == 302
        )
        assert newcomer.get("/profile/").status_code == 200
    finally:
        _start_redis(host, port)

    def cached_again():
        anonymous.get("/events/")
        return anonymous.get("/events/").get("X-Page-Cache") == "hit"

    assert _wait(cached_again), "the page cache did not recover after Redis came back"
    assert signed_in.get("/profile/").status_code == 200
