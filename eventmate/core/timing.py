"""Per-request timing: SQL and cache time, `Server-Timing`, the JSON access log line, slow-request
warnings and the request metrics.

The counters live in a context variable rather than on the request, because the code that
feeds them (the database wrapper, the Redis client class) never sees the request.
"""

import logging
import time
from contextlib import ExitStack
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from eventmate.core import metrics
from eventmate.core.client_ip import get_client_ip

access_logger = logging.getLogger("eventmate.access")
slow_logger = logging.getLogger("eventmate.slow")


@dataclass
class RequestStats:
    db_queries: int = 0
    db_seconds: float = 0.0
    cache_calls: int = 0
    cache_seconds: float = 0.0


_stats_var: ContextVar[RequestStats | None] = ContextVar("request_stats", default=None)


def current_stats() -> RequestStats | None:
    """The counters of the request being served here, or None outside a request."""
    return _stats_var.get()


def record_cache_call(seconds: float) -> None:
    """Called by the Redis client class for every command or pipeline it sends."""
    stats = _stats_var.get()
    if stats is not None:
        stats.cache_calls += 1
        stats.cache_seconds += seconds


class _QueryCounter:
    """A connection.execute_wrapper that counts and times every SQL statement."""

    def __init__(self, stats: RequestStats):
        self.stats = stats

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.stats.db_queries += 1
            self.stats.db_seconds += time.perf_counter() - started


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    # Served before URL resolution: a page-cache hit knows its route; WhiteNoise answers
    # static files; anything else matched no URL (or was refused by a middleware).
    route = getattr(request, "page_cache_route", None)
    if route:
        return route
    return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"


def _user_id(request):
    """The signed-in user's id, without ever loading a session just to log it."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = getattr(request, "_cached_user", None)  # set once request.user was evaluated
    if user is not None:
        return user.pk
    session = getattr(request, "session", None)
    cached = getattr(session, "_session_cache", None) if session is not None else None
    return cached.get("_auth_user_id") if isinstance(cached, dict) else None


class RequestTimingMiddleware:
    """Outermost after the request id: measures everything below it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.slow_ms = settings.SLOW_REQUEST_MS
        self.access_log = settings.ACCESS_LOG
        self.server_timing = settings.SERVER_TIMING

    def __call__(self, request):
        stats = RequestStats()
        token = _stats_var.set(stats)
        started = time.perf_counter()
        try:
            with ExitStack() as stack:
                counter = _QueryCounter(stats)
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(counter))
                response = self.get_response(request)
        finally:
            _stats_var.reset(token)
        duration = time.perf_counter() - started
        duration_ms = round(duration * 1000, 2)
        if self.server_timing:
            response["Server-Timing"] = (
                f"total;dur={duration_ms}, "
                f'db;dur={stats.db_seconds * 1000:.2f};desc="{stats.db_queries} queries", '
                f'cache;dur={stats.cache_seconds * 1000:.2f};desc="{stats.cache_calls} calls"'
            )
        route = _route(request)
        metrics.observe_request(
            route=route,
            method=request.method,
            status=response.status_code,
            seconds=duration,
            queries=stats.db_queries,
        )
        if self.access_log or duration_ms >= self.slow_ms:
            fields = {
                "request_id": getattr(request, "request_id", None),
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "queries": stats.db_queries,
                "db_ms": round(stats.db_seconds * 1000, 2),
                "cache_calls": stats.cache_calls,
                "cache_ms": round(stats.cache_seconds * 1000, 2),
                "user_id": _user_id(request),
                "client_ip": get_client_ip(request),
                "page_cache": getattr(request, "page_cache_status", None),
            }
            if self.access_log:
                access_logger.info(
                    "%s %s %s", request.method, request.path, response.status_code, extra=fields
                )
            if duration_ms >= self.slow_ms:
                slow_logger.warning(
                    "Slow request: %s %s took %.0f ms with %d queries",
                    request.method,
                    request.path,
                    duration_ms,
                    stats.db_queries,
                    extra=fields,
                )
        return response
