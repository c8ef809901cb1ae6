import json

import pytest
from django.db import connection

from eventmate.core import health

PROBES = ["/health/", "/health/live/", "/health/ready/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PROBES)
def test_probes_answer_for_any_host_header(client, path):
    response = client.get(path, HTTP_HOST="10.1.2.3:8000")  # not in ALLOWED_HOSTS
    assert response.status_code == 200


@pytest.mark.django_db
def test_probes_keep_their_historic_bodies(client):
    assert json.loads(client.get("/health/").content)["status"] == "healthy"
    assert json.loads(client.get("/health/live/").content)["status"] == "alive"
    ready = json.loads(client.get("/health/ready/").content)
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == {"database", "migrations", "redis"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PROBES)
def test_probes_are_never_cached(client, path):
    assert "no-cache" in client.get(path)["Cache-Control"]


@pytest.mark.django_db
def test_probes_are_not_rate_limited(client, settings):
    settings.RATELIMIT_REQUESTS = 1
    assert [client.get("/health/ready/").status_code for _ in range(5)] == [200] * 5


@pytest.mark.django_db
def test_database_failure_gives_503_with_each_check_reported(client, monkeypatch):
    monkeypatch.setattr(health, "_database", _raising("OperationalError: connection refused"))
    response = client.get("/health/ready/")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert "connection refused" in body["checks"]["database"]["detail"]
    assert body["checks"]["migrations"]["detail"].startswith("skipped")
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_pending_migrations_give_503(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)]
    )
    body = json.loads(client.get("/health/ready/").content)
    assert body["checks"]["migrations"] == {
        "ok": False,
        "detail": "RuntimeError: 1 migration(s) not applied",
        "ms": body["checks"]["migrations"]["ms"],
    }


@pytest.mark.django_db
def test_redis_failure_is_reported_when_redis_is_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/ready/")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_probes_never_use_the_cache(client, monkeypatch):
    from django.core.cache import caches

    def forbidden(*args, **kwargs):
        raise AssertionError("a probe touched the cache")

    backend = type(caches["default"])
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key"):
        monkeypatch.setattr(backend, name, forbidden)
    for path in PROBES:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_liveness_answers_while_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("liveness touched the database")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert client.get("/health/").status_code == 200
    assert client.get("/health/live/").status_code == 200


def _raising(message):
    def check():
        raise RuntimeError(message)

    return check
