import json
import logging

import pytest

from eventmate.core.logging import JsonFormatter
from tests.factories import PASSWORD, EventFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_urls")]


def test_a_request_id_is_created_and_returned(client):
    first = client.get("/t/tiny/")["X-Request-ID"]
    second = client.get("/t/tiny/")["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_valid_incoming_request_id_is_kept(client):
    response = client.get("/t/tiny/", HTTP_X_REQUEST_ID="nginx-5f2c1a")
    assert response["X-Request-ID"] == "nginx-5f2c1a"


def test_an_unsafe_incoming_request_id_is_replaced(client):
    response = client.get("/t/tiny/", HTTP_X_REQUEST_ID='x" onload="alert(1)')
    assert response["X-Request-ID"] != 'x" onload="alert(1)'
    assert len(response["X-Request-ID"]) == 32


def test_server_timing_reports_total_db_and_cache(client):
    EventFactory()
    timing = client.get("/t/not-marked/")["Server-Timing"]
    parts = {part.split(";")[0].strip(): part for part in timing.split(",")}
    assert set(parts) == {"total", "db", "cache"}
    assert 'desc="1 queries"' in parts["db"]


def test_one_json_access_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="eventmate.access"):
        response = client.get("/t/not-marked/", HTTP_X_REQUEST_ID="abc-123")
    (line,) = [r for r in caplog.records if r.name == "eventmate.access"]
    assert line.route == "tests.core.urls.not_marked"
    assert line.status == 200
    assert line.queries == 1
    assert line.user_id is None
    assert line.duration_ms >= 0
    formatted = json.loads(JsonFormatter().format(line))
    assert formatted["request_id"] == "abc-123" == response["X-Request-ID"]
    assert formatted["path"] == "/t/not-marked/"


def test_access_line_carries_the_signed_in_user_id(client, caplog):
    user = UserFactory(username="rui")
    client.post("/accounts/login/", {"username": "rui", "password": PASSWORD})
    with caplog.at_level(logging.INFO, logger="eventmate.access"):
        client.get("/profile/")
    (line,) = [r for r in caplog.records if r.name == "eventmate.access" and r.path == "/profile/"]
    assert line.user_id == user.pk


def test_anonymous_requests_never_load_a_session_for_the_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="eventmate.access"):
        response = client.get("/t/not-marked/")
    assert "Cookie" not in response.get("Vary", "")


def test_slow_requests_are_logged_as_warnings(client, settings, caplog):
    settings.SLOW_REQUEST_MS = 0
    EventFactory()
    with caplog.at_level(logging.WARNING, logger="eventmate.slow"):
        client.get("/t/not-marked/")
    (warning,) = [r for r in caplog.records if r.name == "eventmate.slow"]
    assert warning.levelno == logging.WARNING
    assert warning.path == "/t/not-marked/"
    assert warning.queries == 1
    assert "ms" in warning.getMessage()


def test_fast_requests_are_not_logged_as_slow(client, settings, caplog):
    settings.SLOW_REQUEST_MS = 60_000
    with caplog.at_level(logging.WARNING, logger="eventmate.slow"):
        client.get("/t/tiny/")
    assert not [r for r in caplog.records if r.name == "eventmate.slow"]


def test_errors_log_a_traceback_but_never_show_it(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/t/explode/")
    assert response.status_code == 500
    assert b"kaboom" not in response.content
    (error,) = [r for r in caplog.records if r.name == "django.request"]
    formatted = json.loads(JsonFormatter().format(error))
    assert "kaboom secret detail" in formatted["traceback"]
