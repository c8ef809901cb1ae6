"""Versioned cache keys: invalidate cached pages and fragments at once, without deleting keys.

A cached page's key embeds the current version of what it shows. Bumping a version makes
every key built from the old one unreachable (they age out on their own). Two scopes:
  - per event ("event:<id>"): its detail page;
  - "listings": every page that lists events (home, search, city pages, autocomplete).

Writers call `event_changed(event_id)` after commit whenever something an event page or a
listing shows changes (the event itself, its images, tickets left, its rating).
"""

from django.core.cache import cache

LISTINGS = "listings"


def event_scope(event_id: int) -> str:
    return f"event:{event_id}"


def _key(scope: str) -> str:
    return f"v:{scope}"


def get_version(scope: str) -> int:
    return cache.get(_key(scope)) or 1


def get_versions(*scopes: str) -> dict[str, int]:
    found = cache.get_many([_key(scope) for scope in scopes])
    return {scope: found.get(_key(scope)) or 1 for scope in scopes}


def bump(*scopes: str) -> None:
    for scope in scopes:
        key = _key(scope)
        try:
            cache.incr(key)
        except ValueError:  # missing key: start past the implicit version 1
            cache.add(key, 2, timeout=None) or cache.incr(key)


def event_changed(event_id: int) -> None:
    """Invalidate the event's page and every listing. Call from transaction.on_commit."""
    bump(event_scope(event_id), LISTINGS)


def listings_changed() -> None:
    bump(LISTINGS)
