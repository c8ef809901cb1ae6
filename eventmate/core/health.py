"""Readiness checks, each bounded in time. Used by /health/ready/."""

import time

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a probe reports failures, it never raises them
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 2000")
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations():
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    return "ok"


def _redis():
    if not settings.REDIS_URL:
        return "not configured (in-process cache)"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
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
