"""Database outages: a request whose database work fails because the database cannot be reached
gets a short 503 page with Retry-After (JSON for JSON clients), never a traceback.

What counts as an outage: django.db's OperationalError and InterfaceError (what Django turns
a driver's connection errors into: connection refused, server gone, a cancelled or timed-out
statement, psycopg's pool timing out), and the drivers' own OperationalError / InterfaceError
when they escape Django's wrapper. Everything else (IntegrityError, ProgrammingError, bugs)
stays a 500.

Where it is caught:
- DatabaseUnavailableMiddleware.process_exception: the view (or a template it renders) raised.
  It logs the failure once, as an error, and marks the response as logged so Django does not
  log it a second time.
- views.server_error (handler500), via `outage_in_progress()`: a middleware raised after the
  view, e.g. SessionMiddleware saving a session. Django has logged that one already.

Nothing is half-written: every service runs in one transaction, which the error rolls back.
What still works without the database: cached anonymous pages (the page cache answers them
before any middleware that could touch the database, and serves its previous copy of a page
rather than this 503), /health/ and /health/live/ (and /health/ready/ reports 503).
"""

import logging
import sqlite3
import sys

from django import db
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from eventmate.core import metrics
from eventmate.core.ratelimit import wants_json

logger = logging.getLogger("eventmate.database")

# An outage that lasts longer than this still answers 503 again; clients and crawlers wait
# this long before retrying instead of hammering a recovering database.
RETRY_AFTER_SECONDS = 10

_OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    db.OperationalError,
    db.InterfaceError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
)
try:
    import psycopg

    # psycopg_pool.PoolTimeout is a psycopg.OperationalError.
    _OUTAGE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover - psycopg is a dependency, but SQLite needs none
    pass


def is_database_outage(exception: BaseException | None) -> bool:
    """True for an error that means the database is unreachable or unavailable right now,
    also when it is the explicit cause (`raise … from`) of another error."""
    seen = 0
    while exception is not None and seen < 5:
        if isinstance(exception, _OUTAGE_ERRORS):
            return True
        exception = exception.__cause__
        seen += 1
    return False


def outage_in_progress() -> bool:
    """Inside an error handler: is the exception being handled a database outage?"""
    return is_database_outage(sys.exc_info()[1])


_page: dict[str, str] = {}


def service_unavailable(request) -> HttpResponse:
    """The 503 answer: JSON for JSON clients (as the 429 decides), else the standalone page,
    which needs no database, session, user or context processor."""
    metrics.DATABASE_UNAVAILABLE.inc()
    if wants_json(request):
        response = JsonResponse(
            {
                "error": "service_unavailable",
                "detail": "The service is temporarily unavailable. Please try again shortly.",
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        # The same for everyone: rendered once per process, so an outage costs no template work.
        body = _page.get("html")
        if body is None:
            body = _page["html"] = render_to_string("core/503.html")
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Read by the page cache, which then serves its previous copy of the page if it has one.
    response.database_unavailable = True
    return response


class DatabaseUnavailableMiddleware:
    """Last in MIDDLEWARE, so its process_exception sees a view's exception first. Turns a
    database outage into the 503 answer (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_outage(exception):
            return None
        logger.error(
            "Database unavailable: %s %s answered 503 (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            str(exception).strip()[:300],
            exc_info=exception,
        )
        response = service_unavailable(request)
        response._has_been_logged = True  # logged above; Django would log it again
        return response
