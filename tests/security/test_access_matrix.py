"""Access control: every URL × every role × GET/POST answers as access_table.TABLE says, and
a refused request (or any GET) changes nothing in the database."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from .access_table import TABLE, Row, is_allowlisted, route_key
from .conftest import ROLES
from .integrity import db_fingerprint, fingerprint_difference

REFUSED = {"login", "admin-login", "400", "403", "404", "405", "409"}


def enumerate_routes(resolver=None, prefix="", namespace=""):
    """(pattern, name) of every URL pattern, walking included URL confs recursively."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from enumerate_routes(entry, pattern, inner)
        else:
            yield pattern, (f"{namespace}{entry.name}" if entry.name else None)


def outcome(response) -> str:
    """A response as a table cell."""
    if response.status_code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse(django_settings.LOGIN_URL) + "?next="):
            return "login"
        if location.startswith(reverse("admin:login") + "?next="):
            return "admin-login"
        return "302"
    return str(response.status_code)


def run_cell(client, world, row: Row, role: str, method: str, before) -> tuple[str, list[str]]:
    """One cell, in a savepoint rolled back afterwards: (outcome, what changed in the DB).

    The roles' sessions are made once, before any savepoint; each cell starts with an empty
    cache, so no cell sees what an earlier one left in a cached session or a rate limit."""
    savepoint = transaction.savepoint()
    try:
        cache.clear()
        world.use_session(client, role)
        url = row.url(world)
        response = client.get(url) if method == "GET" else client.post(url)
        changed = fingerprint_difference(before, db_fingerprint())
        return outcome(response), changed
    finally:
        transaction.savepoint_rollback(savepoint)


def test_every_url_has_a_row_and_every_row_a_url():
    enumerated = {route_key(pattern, name) for pattern, name in enumerate_routes()}
    required = {key for key in enumerated if not is_allowlisted(key)}
    covered = {row.route for row in TABLE}

    assert required - covered == set(), "URLs without a row in access_table.TABLE"
    assert covered - enumerated == set(), "rows for URLs that no longer exist"


def test_the_table_has_a_cell_for_every_role_and_method():
    for row in TABLE:
        for method in ("GET", "POST"):
            assert set(row.expected(method)) == set(ROLES)


@pytest.fixture(scope="module")
def matrix_client():
    """One client for the whole table: a new client loads the middleware again (WhiteNoise
    scans the static files), which would cost more than the cells themselves."""
    return Client()


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.id)
def test_access(world, settings, matrix_client, row):
    # Configured, so the webhook's own check (the signature) is what answers.
    settings.STRIPE_SECRET_KEY = "sk_test_access_matrix"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_access_matrix"
    client, wrong = matrix_client, []
    world.start_sessions()
    before = db_fingerprint()
    for method in ("GET", "POST"):
        for role, expected in row.expected(method).items():
            got, changed = run_cell(client, world, row, role, method, before)
            if got != expected:
                wrong.append(f"{method:<4} {role:<10} expected {expected:<11} got {got}")
            if changed and (expected in REFUSED or method == "GET"):
                wrong.append(f"{method:<4} {role:<10} ({got}) changed the database: {changed}")

    assert not wrong, f"{row.id} {row.url(world)}\n" + "\n".join(wrong)
