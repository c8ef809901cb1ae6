"""Probes: readiness checks (each bounded in time) and the middleware that answers probes first.

ProbeMiddleware is the first middleware: /health/, /health/live/, /health/ready/ and /metrics/
are answered before host validation (load balancers and Prometheus address the server by IP),
before rate limiting and the page cache, and without sessions or the cache. The same views are
also in the URL configuration (for reverse() and for setups without this middleware).
"""

import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

# Once every migration is applied it stays so for the life of this code (a deploy that adds
# migrations starts new processes), so the graph walk is not repeated on every probe.
_migrations_applied = False


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a probe reports failures, it never raises them
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


@contextmanager
def _time_limited():
    """On PostgreSQL, a transaction whose statements are cancelled after
    HEALTH_CHECK_TIMEOUT. (Not on SQLite: a local file has no network to hang on, and a
    transaction there would take the write lock.)"""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            # LOCAL: for this transaction only, so a persistent connection keeps its settings.
            timeout_ms = int(settings.HEALTH_CHECK_TIMEOUT * 1000)
            cursor.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
        yield


def _database():
    with _time_limited(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations():
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    with _time_limited():
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    _migrations_applied = True
    return "ok"


def _redis():
    if not settings.REDIS_URL:
        return "not configured (in-process cache)"
    import redis

    # Its own short-lived client, not the cache's: the probe must tell the truth even while
    # the cache's circuit breaker is skipping Redis, and must not wait for the cache's pool.
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.HEALTH_CHECK_TIMEOUT,
        socket_timeout=settings.HEALTH_CHECK_TIMEOUT,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def run_readiness_checks() -> dict:
    checks = {"database": _timed(_database)}
    checks["migrations"] = (
        _timed(_migrations)
        if checks["database"]["ok"]
        else {"ok": False, "detail": "skipped: database unavailable", "ms": 0}
    )
    checks["redis"] = _timed(_redis)
    return checks


class ProbeMiddleware:
    """First in MIDDLEWARE. Answers probe and metrics paths directly (see the module docstring)."""

    def __init__(self, get_response):
        from eventmate.core import views

        self.get_response = get_response
        self.routes = {}
        for path, view in (
            ("/health/", views.health),
            ("/health/live/", views.health_live),
            ("/health/ready/", views.health_ready),
            ("/metrics/", views.metrics),
        ):
            self.routes[path] = view
            self.routes[path.rstrip("/")] = view

    def __call__(self, request):
        view = self.routes.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
