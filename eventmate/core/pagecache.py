"""Whole-page cache for anonymous visitors, with a lean hit path.

Which pages: only views marked with `@anonymous_page_cache(scope=...)`; the middleware finds the
mark by resolving the path (memoised), so an unmarked view is never cached.

Which requests: GET and HEAD without a session cookie, a messages cookie or an Authorization
header. Which responses are stored: 200, not streaming, no Set-Cookie, no `Vary` other than
Accept-Encoding (so never one that read the session: that adds `Vary: Cookie`), no CSRF token
produced, no `Cache-Control: private/no-store/no-cache` set by the view.

Key: scheme, host, language, path and the query string normalised (parameters sorted by name,
tracking parameters dropped). A page is stored as three entries, one per encoding (plain, gzip,
brotli: compressed once, at store time), each with the headers, an ETag and the versions
(eventmate.core.cache_versions) of what the page shows: listing pages depend on "listings", an
event page on its slug's version (and the all-event-pages version). A hit is one cache round
trip (the entry for the client's encoding and the current versions, pipelined with the request's
rate-limit count) and no session, auth, template or database work; it answers 304 to a matching
If-None-Match / If-Modified-Since.

Freshness: an entry is fresh while its versions are current and it is younger than
PAGE_CACHE_SECONDS (which bounds staleness from time alone: events starting, a city renamed).
While the database is down, a stale copy is served instead of the 503 page.

Signed-in visitors: a view marked with `personal=` (a function rendering the parts of the page
that differ for the visitor, such as the site navigation with their name and log-out form) is
answered from the anonymous copy: the parts between the `{% personal "name" %}` markers are
replaced by the visitor's own (personal_from_cache). Without a fresh copy, the view first
renders and stores the anonymous one. The answer itself is never stored; with pending
messages, or parts that don't match the copy's, the view renders the whole page as usual.

Stampede protection: when an entry is stale, one worker takes a short lock and re-renders while
the others keep serving the stale copy (for at most PAGE_CACHE_STALE_SECONDS more); when there
is no copy at all, the others wait up to PAGE_CACHE_LOCK_WAIT_MS for the first to finish.
"""

import copy
import functools
import hashlib
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from eventmate.core import cache_versions, compression, metrics, ratelimit
from eventmate.core.compression import negotiate
from eventmate.core.middleware import make_anonymous

LISTINGS = "listings"
EVENT = "event"

_ENTRY_FORMAT = 2
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
# Headers the middleware sets itself on every cached answer, or that belong to one response.
_UNSTORED_HEADERS = frozenset(
    {
        "content-length",
        "content-encoding",
        "vary",
        "etag",
        "last-modified",
        "cache-control",
        "expires",
        "date",
        "set-cookie",
        "server-timing",
        "x-request-id",
    }
)
_MAX_QUERY_LENGTH = 1024


def anonymous_page_cache(scope: str, *, slug_kwarg: str = "slug", personal=None):
    """Mark a view's anonymous GET responses as cacheable by PageCacheMiddleware.

    scope=LISTINGS: the page lists events (invalidated by any event change).
    scope=EVENT: the page shows the event named by the URL's `slug_kwarg` (invalidated by
    cache_versions.event_changed for that event).
    personal: for signed-in visitors, `personal(request, **view_kwargs)` returns the HTML of
    each `{% personal %}` part of the page as that visitor sees it (a dict by part name), or
    None to render the whole page; the rest comes from the anonymous copy (personal_from_cache).
    The view itself is unchanged: it must not read the session or render a CSRF token for
    anonymous visitors (those responses would simply not be stored).
    """
    if scope not in (LISTINGS, EVENT):
        raise ValueError(f"unknown page cache scope {scope!r}")

    def decorator(view):
        if personal is not None:

            @functools.wraps(view)
            def view_with_personal_parts(request, *args, **kwargs):
                if request.user.is_authenticated:
                    response = personal_from_cache(request, personal, view, args, kwargs)
                    if response is not None:
                        return response
                return view(request, *args, **kwargs)

            marked = view_with_personal_parts
        else:
            marked = view
        marked.page_cache_scope = scope
        marked.page_cache_slug_kwarg = slug_kwarg
        return marked

    return decorator


@dataclass(frozen=True)
class PageRule:
    scopes: tuple[str, ...]
    route: str


@lru_cache(maxsize=4096)
def page_rule(path_info: str, urlconf: str) -> PageRule | None:
    """How `path_info` is cached, or None when its view is not marked. Memoised: the answer
    depends only on the URL configuration."""
    try:
        match = resolve(path_info, urlconf)
    except Resolver404:
        return None
    scope = getattr(match.func, "page_cache_scope", None)
    if scope == LISTINGS:
        return PageRule((cache_versions.LISTINGS,), match.view_name)
    if scope == EVENT:
        slug = match.kwargs.get(match.func.page_cache_slug_kwarg)
        if not slug:
            return None
        return PageRule(
            (cache_versions.event_page_scope(slug), cache_versions.EVENT_PAGES), match.view_name
        )
    return None


def normalised_query(query_string: str) -> str:
    pairs = [
        (name, value)
        for name, value in parse_qsl(query_string, keep_blank_values=True)
        if not name.startswith(_TRACKING_PARAMS)
    ]
    # Stable sort by name only: the order of repeated values can matter to a view.
    pairs.sort(key=lambda pair: pair[0])
    return urlencode(pairs)


def page_key(request, host: str, *, per_request_language: bool) -> str:
    language = (
        translation.get_language_from_request(request)
        if per_request_language
        else settings.LANGUAGE_CODE
    )
    query = request.META.get("QUERY_STRING", "")
    identity = "|".join(
        (request.scheme, host, language, request.path, normalised_query(query) if query else "")
    )
    return "pc:" + hashlib.blake2b(identity.encode(), digest_size=20).hexdigest()


@dataclass
class Entry:
    """One encoding of a cached page. A page is stored as three entries (identity, gzip, br),
    each under its own key, so a hit fetches only the bytes it sends."""

    versions: tuple
    fresh_until: float
    built_at: float
    status: int
    headers: list
    body: bytes
    content_encoding: str | None  # None when this variant is the plain body
    etag: str
    route: str
    vary_encoding: bool  # several variants exist: the answer varies by Accept-Encoding
    format: int = _ENTRY_FORMAT


_ENCODINGS = ("br", "gzip", "identity")


def storable(request, response, *, max_bytes: int) -> bool:
    """Whether a rendered response may be stored as the anonymous copy of its page."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Content-Encoding") or compression.csrf_token_produced(
        request, response
    ):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - {"accept-encoding"}:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    return len(response.content) <= max_bytes


def build_entries(response, versions: tuple, route: str, *, fresh_seconds: int) -> dict:
    """The stored variants of a page (plain, gzip, brotli), each an Entry."""
    body = response.content
    bodies = {"identity": (body, None)}
    if len(body) >= compression.MIN_SIZE and compression.is_compressible_type(
        response.get("Content-Type", "")
    ):
        for name in ("br", "gzip"):
            compressed = compression.compress(body, name, best=True)
            if len(compressed) < len(body):
                bodies[name] = (compressed, name)
    now = time.time()
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _UNSTORED_HEADERS
    ]
    etag = f'W/"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    entries = {}
    for name in _ENCODINGS:
        # An encoding that did not pay off (tiny or binary body) is served plain.
        variant_body, content_encoding = bodies.get(name) or bodies["identity"]
        entries[name] = Entry(
            versions=versions,
            fresh_until=now + fresh_seconds,
            built_at=now,
            status=response.status_code,
            headers=headers,
            body=variant_body,
            content_encoding=content_encoding,
            etag=etag,
            route=route,
            vary_encoding=len(bodies) > 1,
        )
    return entries


def per_request_language() -> bool:
    return settings.USE_I18N and "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def versions_to_store(rule: PageRule, current: tuple) -> tuple:
    """The versions an entry rendered now records. Read before rendering: a change committed
    while the page renders bumps them past these, so the entry is stale at once. Missing ones
    (never set) are created."""
    if any(version is None for version in current):
        versions = cache_versions.get_versions(*rule.scopes)
        current = tuple(versions[scope] for scope in rule.scopes)
    return current


def store_entries(page_key: str, entries: dict) -> None:
    cache.set_many(
        {f"{page_key}:{name}": entry for name, entry in entries.items()},
        timeout=settings.PAGE_CACHE_SECONDS + settings.PAGE_CACHE_STALE_SECONDS,
    )


class PageCacheMiddleware:
    """Place right after WhiteNoise and before RateLimitMiddleware, compression and sessions:
    a hit skips everything below it. It still gets the security headers (above it) and is
    rate limited: the hit path counts the request against the site limit in the same Redis
    round trip that fetches the page (ratelimit.hit_and_get), and RateLimitMiddleware skips
    requests counted here."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.PAGE_CACHE_ENABLED
        self.fresh_seconds = settings.PAGE_CACHE_SECONDS
        self.stale_seconds = settings.PAGE_CACHE_STALE_SECONDS
        self.lock_seconds = settings.PAGE_CACHE_LOCK_SECONDS
        self.wait_seconds = settings.PAGE_CACHE_LOCK_WAIT_MS / 1000
        self.max_bytes = settings.PAGE_CACHE_MAX_BYTES
        self.bypass_cookies = (settings.SESSION_COOKIE_NAME, "messages")
        self.per_request_language = per_request_language()
        self.rate_limit = settings.RATELIMIT_REQUESTS
        self.rate_period = settings.RATELIMIT_PERIOD

    # ------------------------------------------------------------------------------------------
    def __call__(self, request):
        if not self._candidate(request):
            return self.get_response(request)
        rule = page_rule(request.path_info, settings.ROOT_URLCONF)
        if rule is None:
            return self.get_response(request)
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # the normal path answers 400
        cache_versions.retry_pending_bumps()
        page_key = self._key(request, host)
        encoding = negotiate(request.META.get("HTTP_ACCEPT_ENCODING", "")) or "identity"
        entry_key = f"{page_key}:{encoding}"
        version_keys = cache_versions.version_keys(rule.scopes)
        if ratelimit.site_limit_applies(request):
            result, found = ratelimit.hit_and_get(
                ratelimit.SITE,
                ratelimit.site_identifiers(request),
                limit=self.rate_limit,
                period=self.rate_period,
                keys=[entry_key, *version_keys],
            )
            request.META[ratelimit.COUNTED] = True
            if not result.allowed:
                return ratelimit.too_many_requests(request, result, scope=ratelimit.SITE)
        else:
            found = cache_versions.get_many_quietly([entry_key, *version_keys])
        entry = found.get(entry_key)
        if not isinstance(entry, Entry) or entry.format != _ENTRY_FORMAT:
            entry = None
        current = tuple(found.get(key) for key in version_keys)
        if entry is not None and entry.versions == current and time.time() < entry.fresh_until:
            return self._serve(request, entry, "hit")
        lock_key = "pcl:" + page_key[3:]
        locked = cache.add(lock_key, 1, timeout=self.lock_seconds)
        if locked is False:  # another worker is rendering this page right now
            if entry is not None:
                return self._serve(request, entry, "stale")
            entry = self._wait_for(entry_key, current)
            if entry is not None:
                return self._serve(request, entry, "hit")
        try:
            return self._render_and_store(request, page_key, encoding, rule, current, entry)
        finally:
            if locked:
                cache.delete(lock_key)

    def _candidate(self, request) -> bool:
        if not self.enabled or request.method not in ("GET", "HEAD"):
            return False
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        if len(request.META.get("QUERY_STRING", "")) > _MAX_QUERY_LENGTH:
            return False
        cookies = request.COOKIES
        return not any(name in cookies for name in self.bypass_cookies)

    def _key(self, request, host: str) -> str:
        return page_key(request, host, per_request_language=self.per_request_language)

    def _wait_for(self, entry_key: str, current: tuple) -> Entry | None:
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            time.sleep(0.02)
            entry = cache.get(entry_key)
            if isinstance(entry, Entry) and entry.versions == current:
                return entry
        return None

    # ------------------------------------------------------------------------------------------
    def _render_and_store(
        self, request, page_key, encoding, rule: PageRule, current: tuple, previous: Entry | None
    ):
        current = versions_to_store(rule, current)
        request.META[compression.DEFERRED] = True
        response = self.get_response(request)
        if previous is not None and getattr(response, "database_unavailable", False):
            # The database is down (eventmate.core.db_outage): the previous copy of the page,
            # even out of date, is better than an error page.
            return self._serve(request, previous, "stale")
        request.page_cache_status = "miss"
        metrics.PAGE_CACHE.labels("miss").inc()
        if not self._storable(request, response) or any(v < 0 for v in current):
            response["X-Page-Cache"] = "miss"
            return compression.compress_response(request, response)
        entries = self._entries(response, current, rule.route)
        store_entries(page_key, entries)
        return self._answer(request, entries[encoding], response_status="miss")

    def _storable(self, request, response) -> bool:
        return storable(request, response, max_bytes=self.max_bytes)

    def _entries(self, response, versions: tuple, route: str) -> dict[str, Entry]:
        return build_entries(response, versions, route, fresh_seconds=self.fresh_seconds)

    # ------------------------------------------------------------------------------------------
    def _serve(self, request, entry: Entry, status: str):
        request.page_cache_status = status
        request.page_cache_route = entry.route
        metrics.PAGE_CACHE.labels(status).inc()
        return self._answer(request, entry, response_status=status)

    def _answer(self, request, entry: Entry, *, response_status: str):
        response = HttpResponse(entry.body, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        if entry.content_encoding:
            response["Content-Encoding"] = entry.content_encoding
        response["Content-Length"] = str(len(entry.body))
        response["ETag"] = entry.etag
        response["Last-Modified"] = http_date(entry.built_at)
        # Browsers revalidate every time (cheap: 304); shared caches must not keep it, since it
        # is the anonymous variant and carries no `Vary: Cookie`.
        response["Cache-Control"] = "private, no-cache"
        response["X-Page-Cache"] = response_status
        if entry.vary_encoding:
            patch_vary_headers(response, ("Accept-Encoding",))
        return get_conditional_response(
            request, etag=entry.etag, last_modified=int(entry.built_at), response=response
        )


# ----------------------------------------------------------------------------------------------
# Signed-in visitors: the anonymous copy with their own parts
# ----------------------------------------------------------------------------------------------
_PERSONAL_PART = re.compile(r"<!--personal:([a-z0-9-]+)-->.*?<!--/personal:\1-->", re.DOTALL)


def personal_part(name: str, html: str) -> str:
    """The markers around a part of a page that differs by visitor (templatetag `personal`)."""
    return f"<!--personal:{name}-->{html}<!--/personal:{name}-->"


def splice_personal_parts(body: str, parts: dict[str, str]) -> str | None:
    """`body` with each marked part replaced by the visitor's; None unless the page has
    exactly the parts given (a template changed: render the whole page instead)."""
    pieces, position, seen = [], 0, set()
    for match in _PERSONAL_PART.finditer(body):
        name = match.group(1)
        if name not in parts:
            return None
        pieces += (body[position : match.start()], personal_part(name, parts[name]))
        position = match.end()
        seen.add(name)
    if seen != parts.keys():
        return None
    pieces.append(body[position:])
    return "".join(pieces)


def personal_from_cache(request, personal, view, view_args: tuple, view_kwargs: dict):
    """The anonymous copy of this page with the signed-in visitor's parts, or None (then the
    view renders the page). Called by views marked with anonymous_page_cache(personal=...),
    after the session and authentication middleware. Without a fresh copy, the view renders
    one as an anonymous visitor would see it and stores it for everyone, as the middleware
    would have."""
    if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
        return None
    if len(request.META.get("QUERY_STRING", "")) > _MAX_QUERY_LENGTH:
        return None
    if len(get_messages(request)):
        return None  # the page must show them, and the copy has none
    rule = page_rule(request.path_info, getattr(request, "urlconf", None) or settings.ROOT_URLCONF)
    if rule is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    key = page_key(request, host, per_request_language=per_request_language())
    version_keys = cache_versions.version_keys(rule.scopes)
    found = cache_versions.get_many_quietly([f"{key}:identity", *version_keys])
    entry = found.get(f"{key}:identity")
    current = tuple(found.get(version_key) for version_key in version_keys)
    fresh = (
        isinstance(entry, Entry)
        and entry.format == _ENTRY_FORMAT
        and entry.versions == current
        and time.time() < entry.fresh_until
    )
    if not fresh:
        entry = _store_anonymous_copy(request, view, view_args, view_kwargs, key, rule, current)
        if entry is None:
            return None
    parts = personal(request, **view_kwargs)
    if parts is None:
        return None
    body = splice_personal_parts(entry.body.decode(), parts)
    if body is None:
        return None
    response = HttpResponse(body, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    status = "personal" if fresh else "personal-miss"
    response["Cache-Control"] = "private, no-cache"
    response["X-Page-Cache"] = status
    request.page_cache_status = status
    metrics.PAGE_CACHE.labels(status).inc()
    return response


def _store_anonymous_copy(request, view, view_args, view_kwargs, key, rule, current):
    """Render the page as an anonymous visitor, store it like the middleware does, and
    return its plain Entry; None when that page is not storable (an unpublished event that
    only its host may see, say)."""
    current = versions_to_store(rule, current)
    if any(version < 0 for version in current):
        return None  # versions unknown (cache down): nothing stored, as in the middleware
    anonymous = _as_anonymous(request)
    try:
        response = view(anonymous, *view_args, **view_kwargs)
    except Http404:
        return None
    if anonymous.session.accessed or not storable(
        anonymous, response, max_bytes=settings.PAGE_CACHE_MAX_BYTES
    ):
        return None
    entries = build_entries(
        response, current, rule.route, fresh_seconds=settings.PAGE_CACHE_SECONDS
    )
    store_entries(key, entries)
    return entries["identity"]


def _as_anonymous(request):
    """A copy of the request as an anonymous visitor makes it: no cookies, no session, no
    user, no messages, no CSRF token yet."""
    anonymous = copy.copy(request)
    anonymous.META = {
        name: value for name, value in request.META.items() if name not in _PERSONAL_META
    }
    anonymous.COOKIES = {}
    make_anonymous(anonymous)
    anonymous.session = import_module(settings.SESSION_ENGINE).SessionStore()
    anonymous._messages = []
    return anonymous


_PERSONAL_META = frozenset(
    {"HTTP_COOKIE", "HTTP_AUTHORIZATION", "CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE"}
)
