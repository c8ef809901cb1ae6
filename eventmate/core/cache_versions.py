"""Versioned cache keys: invalidate cached pages and fragments at once, without deleting keys.

A cached page or fragment records (or embeds in its key) the current version of what it shows.
Bumping a version makes everything built from the old one unreachable. Scopes:
  - "listings": every page that lists events (home, search, city pages, autocomplete);
  - "event:<id>": one event, for fragments keyed by id;
  - "event-page:<slug>": one event's public page (/event/<slug>/), which the page cache looks up
    from the URL alone, without a query;
  - "event-pages": every event page at once (used when an event's slug cannot be found).

Writers call `event_changed(event_id)` after commit whenever something an event page or a
listing shows changes (the event itself, its images, tickets left, its rating).

Nothing here ever raises because the cache is down or slow: reads then return a version that
matches nothing ever stored (so nothing stale can be served), and bumps that could not be
written are retried by this process once the cache answers again.

A missing version starts at the current time in microseconds rather than at 1, so a version
lost with a Redis restart or an eviction can never come back to a value an old entry holds.
"""

import logging
import time

from django.apps import apps
from django.core.cache import cache

logger = logging.getLogger("eventmate.cache")

LISTINGS = "listings"
# Part of every event page's versions, so one bump can invalidate all of them.
EVENT_PAGES = "event-pages"
# Named by label, not imported: core imports no app (see CONVENTIONS.md).
EVENT_MODEL = "events.Event"
# Versions outlive any entry built on them (pages live minutes); a version that expires anyway
# restarts at the current time, which invalidates, never revives.
VERSION_TIMEOUT = 30 * 24 * 3600

_pending_bumps: set[str] = set()


def event_scope(event_id: int) -> str:
    return f"event:{event_id}"


def event_page_scope(slug: str) -> str:
    return f"event-page:{slug}"


def _key(scope: str) -> str:
    return f"v:{scope}"


def _fresh_version() -> int:
    return time.time_ns() // 1000


def _unknown_version() -> int:
    # Negative and unique: a key built from it is never built again, so nothing is reused.
    return -time.time_ns()


def get_versions(*scopes: str) -> dict[str, int]:
    """Current version of each scope; never raises. See the module docstring."""
    if _pending_bumps:
        _retry_pending_bumps()
    keys = {scope: _key(scope) for scope in scopes}
    try:
        found = cache.get_many(list(keys.values()))
        versions = {}
        for scope, key in keys.items():
            value = found.get(key)
            if value is None:
                value = _initialise(key)
            versions[scope] = value
        return versions
    except Exception:
        logger.exception("Could not read cache versions")
        return {scope: _unknown_version() for scope in scopes}


def version_keys(scopes) -> list[str]:
    """The cache keys holding these scopes' versions, for callers that fetch them together
    with other keys in one round trip (the page cache). A missing key means "no version yet":
    call get_versions() to create it."""
    return [_key(scope) for scope in scopes]


def get_many_quietly(keys: list[str]) -> dict:
    """cache.get_many that never raises (and first retries bumps an outage made us miss)."""
    if _pending_bumps:
        _retry_pending_bumps()
    try:
        return cache.get_many(keys)
    except Exception:
        logger.exception("Could not read from the cache")
        return {}


def get_version(scope: str) -> int:
    return get_versions(scope)[scope]


def _initialise(key: str) -> int:
    version = _fresh_version()
    added = cache.add(key, version, timeout=VERSION_TIMEOUT)
    if added:
        return version
    if added is False:  # another process initialised it first
        value = cache.get(key)
        if value is not None:
            return value
    return _unknown_version()  # the cache did not answer (django-redis returns None)


def bump(*scopes: str) -> None:
    """Make every entry built on these scopes stale. Never raises."""
    for scope in scopes:
        if not _bump_one(scope):
            _pending_bumps.add(scope)


def _bump_one(scope: str) -> bool:
    key = _key(scope)
    try:
        try:
            # None: django-redis swallowed a connection error.
            return cache.incr(key) is not None
        except ValueError:  # no version yet: nothing was built on it, start a fresh one
            if cache.add(key, _fresh_version(), timeout=VERSION_TIMEOUT):
                return True
            return cache.incr(key) is not None
    except Exception:
        logger.exception("Could not bump cache version %s", scope)
        return False


def retry_pending_bumps() -> None:
    """Apply bumps an outage made this process miss; cheap when there are none."""
    if _pending_bumps:
        _retry_pending_bumps()


def _retry_pending_bumps() -> None:
    for scope in list(_pending_bumps):
        if _bump_one(scope):
            _pending_bumps.discard(scope)
        else:
            return  # still down: try again on a later call


def _event_slug(event_id: int) -> str | None:
    try:
        model = apps.get_model(EVENT_MODEL)
        return model._default_manager.filter(pk=event_id).values_list("slug", flat=True).first()
    except Exception:
        logger.exception("Could not look up the slug of event %s", event_id)
        return None


def event_changed(event_id: int, *, slug: str | None = None, listings: bool = True) -> None:
    """Invalidate the event's page, its fragments and (unless `listings` is False) every
    listing. Call from transaction.on_commit (after the write is visible). Never raises.

    The event page is cached by slug: pass it when at hand, else it is looked up (one
    primary-key query). If the event is gone (deleted) or the lookup fails, every event page
    is invalidated instead: heavier, but never stale.

    listings=False is for changes no listing shows, such as a ticket count that stays
    outside the few-left badge (eventmate.bookings.services decides): listings then keep
    their cached pages, which matters because every hold and payment changes a count.
    """
    slug = slug or _event_slug(event_id)
    page_scope = event_page_scope(slug) if slug else EVENT_PAGES
    scopes = [event_scope(event_id), page_scope]
    if listings:
        scopes.append(LISTINGS)
    bump(*scopes)


def listings_changed() -> None:
    bump(LISTINGS)
