"""Fixtures for the production-stack tests: clean per-process state, Redis pointed at a closed
port, the page cache switched on, and a URL configuration with small test-only views."""

import pytest
from django.conf import settings as django_settings

from eventmate.core import cache_versions, ratelimit
from eventmate.core.pagecache import page_rule
from eventmate.core.ratelimit import local_counter
from eventmate.core.redis_client import breaker

# Port 1 on loopback: nothing listens there, so every connection is refused at once.
CLOSED_PORT_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _fresh_process_state():
    breaker.reset()
    local_counter.reset()
    page_rule.cache_clear()
    cache_versions._pending_bumps.clear()
    ratelimit._rendered_pages.clear()
    yield
    breaker.reset()
    local_counter.reset()
    page_rule.cache_clear()
    cache_versions._pending_bumps.clear()


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = "tests.core.urls"


def redis_cache_settings(url: str) -> dict:
    options = dict(django_settings.CACHES["default"].get("OPTIONS", {}))
    options.update(
        {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "REDIS_CLIENT_CLASS": "eventmate.core.redis_client.ResilientRedis",
            "SOCKET_CONNECT_TIMEOUT": 0.1,
            "SOCKET_TIMEOUT": 0.2,
            "IGNORE_EXCEPTIONS": True,
        }
    )
    options.pop("MAX_ENTRIES", None)
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "em-test",
            "OPTIONS": options,
        }
    }


@pytest.fixture
def redis_down(settings):
    """The cache is Redis on a port where nothing listens (as if Redis had stopped)."""
    settings.REDIS_URL = CLOSED_PORT_REDIS_URL
    settings.CACHES = redis_cache_settings(CLOSED_PORT_REDIS_URL)
    yield
