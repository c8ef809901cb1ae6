"""The database is down: pages that need it answer a friendly 503 (JSON for JSON clients) with
Retry-After, logged once; nothing is half-written; cached anonymous pages keep being served.

The outage is simulated on whichever backend the suite runs on (SQLite, or PostgreSQL with
DATABASE_URL), two ways: connecting fails (every cursor raises the driver's OperationalError,
wrapped by Django as it would be), or the server goes away mid-request (every statement raises,
either the driver's own error or Django's wrapped one).
"""

import json
import logging
from contextlib import ExitStack, contextmanager

import psycopg
import psycopg_pool
import pytest
from django import db
from django.db import IntegrityError, connections
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path
from prometheus_client import REGISTRY

from eventmate.bookings.models import Booking
from eventmate.core import cache_versions, db_outage
from eventmate.events.models import Event
from tests.factories import CityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTAGE_MODES = ["refused", "gone-native", "gone-wrapped"]


# ---------------------------------------------------------------------------------------------
# A URL configuration for this module: the real site plus two views that fail in other ways.
# ---------------------------------------------------------------------------------------------
def remembers_visit(request):
    """Touches no table itself; SessionMiddleware saves the new session after the view."""
    request.session["visited"] = True
    return HttpResponse("remembered")


def duplicate_row(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("t/remember/", remembers_visit),
    path("t/duplicate/", duplicate_row),
    path("", include("config.urls")),
]
handler500 = "eventmate.core.views.server_error"


# ---------------------------------------------------------------------------------------------
# The outage
# ---------------------------------------------------------------------------------------------
def _refuse_connections(wrapper):
    def ensure_connection():
        with wrapper.wrap_database_errors:  # as Django reports a failed connect
            raise wrapper.Database.OperationalError("connection refused: is the server running?")

    return ensure_connection


def _fail_statements(wrapper, *, wrapped, fail_when=None):
    def execute(run, sql, params, many, context):
        if fail_when is None or fail_when(sql):
            error = wrapper.Database.OperationalError("server closed the connection unexpectedly")
            if not wrapped:
                raise error
            with wrapper.wrap_database_errors:
                raise error
        return run(sql, params, many, context)

    return execute


@contextmanager
def database_down(mode="refused", *, fail_when=None):
    """Every database alias fails from here on. `fail_when(sql)` limits a mid-request outage
    to the statements it accepts (and those after it, if it says so)."""
    with ExitStack() as stack:
        for alias in connections:
            wrapper = connections[alias]
            if mode == "refused":
                stack.enter_context(
                    _patched(wrapper, "ensure_connection", _refuse_connections(wrapper))
                )
            else:
                wrapped = mode == "gone-wrapped"
                stack.enter_context(
                    wrapper.execute_wrapper(
                        _fail_statements(wrapper, wrapped=wrapped, fail_when=fail_when)
                    )
                )
        yield


@contextmanager
def _patched(obj, name, value):
    setattr(obj, name, value)
    try:
        yield
    finally:
        delattr(obj, name)  # back to the class's method


@pytest.fixture
def catalogue():
    city = CityFactory(name="Lisbon", slug="lisbon")
    return EventFactory(title="Fado evening", slug="fado-evening", city=city)


def _is_friendly_503(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(db_outage.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "Back in a moment" in body
    assert "cannot reach its database" in body
    assert "css/site.css" in body  # styled like the other error pages
    for leak in ("Traceback", "OperationalError", "server closed", "connection refused"):
        assert leak not in body
    return True


# ---------------------------------------------------------------------------------------------
# 503 instead of 500
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", OUTAGE_MODES)
@pytest.mark.parametrize(
    "page", ["/", "/events/?q=fado", "/city/lisbon/", "/event/fado-evening/", "/my-bookings/"]
)
def test_pages_that_need_the_database_answer_the_friendly_503(client, catalogue, mode, page):
    client.force_login(UserFactory())
    assert client.get(page).status_code == 200  # the same page works while the database does
    with database_down(mode):
        response = client.get(page)
    assert _is_friendly_503(response)


@pytest.mark.parametrize("mode", OUTAGE_MODES)
def test_anonymous_pages_that_need_the_database_answer_503_too(client, catalogue, mode):
    for page in ["/", "/events/", "/event/fado-evening/"]:
        with database_down(mode):
            response = client.get(page)
        assert _is_friendly_503(response)


def test_logging_in_answers_503_but_the_form_still_shows(client, password):
    UserFactory(username="ana")
    with database_down():
        form = client.get("/accounts/login/")  # needs no database
        attempt = client.post("/accounts/login/", {"username": "ana", "password": password})
    assert form.status_code == 200
    assert _is_friendly_503(attempt)
    again = client.post("/accounts/login/", {"username": "ana", "password": password})
    assert again.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ACCEPT": "application/json"}, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}],
)
def test_json_clients_get_a_json_503(client, catalogue, headers):
    with database_down("gone-wrapped"):
        response = client.get("/search/autocomplete/?q=fad", **headers)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(db_outage.RETRY_AFTER_SECONDS)
    assert json.loads(response.content) == {
        "error": "service_unavailable",
        "detail": "The service is temporarily unavailable. Please try again shortly.",
        "retry_after": db_outage.RETRY_AFTER_SECONDS,
    }


def test_a_browser_asking_for_html_and_json_gets_the_page(client, catalogue):
    with database_down():
        response = client.get("/events/", HTTP_ACCEPT="text/html,application/json;q=0.9")
    assert _is_friendly_503(response)


def test_the_outage_is_logged_once_as_an_error(client, catalogue, caplog):
    with caplog.at_level(logging.INFO), database_down("gone-wrapped"):
        client.get("/events/")
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert errors[0].name == "eventmate.database"
    assert "GET /events/ answered 503" in errors[0].getMessage()
    assert errors[0].exc_info is not None  # the traceback goes to the log, not to the visitor
    access = [r for r in caplog.records if r.name == "eventmate.access"]
    assert [r.status for r in access] == [503]


def test_503s_are_counted_in_the_metrics(client, catalogue):
    def counted():
        return REGISTRY.get_sample_value("eventmate_database_unavailable_responses_total")

    before = counted()
    with database_down():
        client.get("/events/")
        client.get("/")
    assert counted() == before + 2


@pytest.mark.django_db(transaction=True)  # server_error may close the connection
@pytest.mark.parametrize("mode", ["refused", "gone-wrapped"])
def test_a_failure_in_a_middleware_after_the_view_is_a_503_too(settings, caplog, mode):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO), database_down(mode):
        response = client.get("/t/remember/")  # saving the new session fails
    assert _is_friendly_503(response)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1, [record.getMessage() for record in errors]  # by django.request
    assert "/t/remember/" in errors[0].getMessage()


def test_other_database_errors_stay_500(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/t/duplicate/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    "error",
    [
        db.OperationalError("connection refused"),
        db.InterfaceError("connection already closed"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.InterfaceError("the connection is closed"),
        psycopg_pool.PoolTimeout("couldn't get a connection after 3.00 sec"),
    ],
    ids=lambda error: type(error).__module__ + "." + type(error).__name__,
)
def test_outage_errors_are_recognised(error):
    assert db_outage.is_database_outage(error)
    try:
        try:
            raise error
        except Exception as cause:
            raise RuntimeError("rendering failed") from cause
    except RuntimeError as wrapped:
        assert db_outage.is_database_outage(wrapped)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("duplicate key"),
        db.ProgrammingError("syntax error"),
        db.DataError("value too long"),
        ValueError("bad input"),
        None,
    ],
)
def test_other_errors_are_not_outages(error):
    assert not db_outage.is_database_outage(error)


# ---------------------------------------------------------------------------------------------
# Nothing half-written
# ---------------------------------------------------------------------------------------------
def test_a_booking_cut_off_by_the_outage_leaves_nothing_half_written(client, catalogue):
    user = UserFactory()
    client.force_login(user)
    statements = []

    def after_the_booking_row(sql):
        # The booking row is written; the server goes away before the event's counters are.
        # (Savepoint statements still pass, so this test's own transaction survives.)
        statements.append(sql)
        if sql.startswith(("SAVEPOINT", "ROLLBACK", "RELEASE")):
            return False
        return any('INSERT INTO "bookings_booking"' in earlier for earlier in statements[:-1])

    with database_down("gone-wrapped", fail_when=after_the_booking_row):
        response = client.post(f"/event/{catalogue.slug}/book/", {"quantity": 2})
    assert _is_friendly_503(response)
    assert any('INSERT INTO "bookings_booking"' in sql for sql in statements)
    assert Booking.objects.count() == 0
    catalogue.refresh_from_db()
    assert (catalogue.tickets_held, catalogue.tickets_sold) == (0, 0)
    # Once the database is back, the same booking goes through.
    response = client.post(f"/event/{catalogue.slug}/book/", {"quantity": 2})
    assert response.status_code == 302
    assert Booking.objects.get().quantity == 2
    assert Event.objects.get(pk=catalogue.pk).tickets_held == 2


# ---------------------------------------------------------------------------------------------
# What keeps working
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", OUTAGE_MODES)
def test_readiness_fails_and_liveness_holds_while_the_database_is_down(client, mode):
    with database_down(mode):
        ready = client.get("/health/ready/")
        live = client.get("/health/live/")
        healthy = client.get("/health/")
    assert ready.status_code == 503
    body = json.loads(ready.content)
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert (live.status_code, healthy.status_code) == (200, 200)
    assert client.get("/health/ready/").status_code == 200  # and ready again once it is back


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize("mode", OUTAGE_MODES)
def test_cached_anonymous_pages_keep_being_served(client, catalogue, mode):
    pages = ["/", "/events/", "/city/lisbon/", "/event/fado-evening/", "/search/autocomplete/?q=fa"]
    rendered = {}
    for page in pages:
        rendered[page] = client.get(page).content
        assert client.get(page)["X-Page-Cache"] == "hit", page
    with database_down(mode):
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert response["X-Page-Cache"] == "hit"
            assert response.content == rendered[page]
        assert _is_friendly_503(client.get("/events/?q=lisbon"))  # never cached: needs the DB
    assert not client.cookies.get("sessionid")


@pytest.mark.usefixtures("page_cache_on")
def test_an_out_of_date_cached_page_is_served_rather_than_the_503(client, catalogue):
    first = client.get("/events/")
    cache_versions.listings_changed()  # the copy is out of date: normally it is re-rendered
    with database_down():
        response = client.get("/events/")
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "stale"
    assert response.content == first.content
    assert client.get("/events/")["X-Page-Cache"] == "miss"  # re-rendered once it is back
