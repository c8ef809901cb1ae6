"""Scale-out: two Gunicorn instances (as on two app servers) sharing one PostgreSQL database and
one Redis behave as one site: a session started on one works on the other, rate-limit counts
add up across them, and an edit made through one is what the other's page cache serves next.
And behind nginx, as deploy/ configures it, a database outage reaches visitors as the app's
503 page, not as nginx's 502.

The shared-state tests need PostgreSQL and Redis (the CI PostgreSQL pass sets DATABASE_URL and
REDIS_URL): both instances use this run's test database, so those tests are transactional (the
servers see only committed rows) and everything is deleted afterwards.
"""

import http.client
import os
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connections

from eventmate.events.models import Event
from tests.core.servers import GUNICORN, NGINX, Gunicorn, Nginx, request
from tests.factories import PASSWORD, CityFactory, EventFactory, HostFactory, UserFactory
from tests.security.submissions import event_edit_data

pytestmark = pytest.mark.skipif(
    not os.access(GUNICORN, os.X_OK), reason="gunicorn is not installed next to this Python"
)
shared_services = [
    pytest.mark.skipif(
        not (settings.IS_POSTGRES and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis shared by both instances (set DATABASE_URL and "
        "REDIS_URL, as the CI PostgreSQL pass does)",
    ),
    pytest.mark.django_db(transaction=True),
]

LOGIN_ATTEMPTS = 3  # RATELIMIT_AUTH_REQUESTS of both instances
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _test_database_url() -> str:
    db = connections["default"].settings_dict  # after setup: this run's test database
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


@pytest.fixture(scope="module")
def instances(django_db_setup, tmp_path_factory):
    """Two instances, started once for this module."""
    tmp_path = tmp_path_factory.mktemp("scaleout")
    environment = {
        "DATABASE_URL": _test_database_url(),
        "RATELIMIT_AUTH_REQUESTS": LOGIN_ATTEMPTS,
        "DB_CONN_MAX_AGE": 0,  # nothing left connected to the test database between requests
    }
    started = Gunicorn.start_many(tmp_path, ["app-1", "app-2"], **environment)
    yield started
    for server in started:
        server.stop()


class Browser:
    """Keeps cookies (whatever their Secure flag: the instances are reached over plain HTTP)
    and talks to whichever instance it is told to, as a load balancer would send it."""

    def __init__(self, client_ip: str):
        self.cookies: dict[str, str] = {}
        self.client_ip = client_ip  # the address nginx would forward (loopback is trusted)

    def request(self, server, path, *, method="GET", form=None, headers=None):
        headers = {"X-Forwarded-For": self.client_ip, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def csrf_token(self, server, path) -> str:
        status, _, content = self.request(server, path)
        assert status == 200, (path, status)
        found = _CSRF_INPUT.search(content)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def log_in(self, server, username, password=PASSWORD):
        token = self.csrf_token(server, "/accounts/login/")
        return self.request(
            server,
            "/accounts/login/",
            method="POST",
            form={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )


@shared_services[0]
@shared_services[1]
def test_a_session_started_on_one_instance_works_on_the_other(instances):
    first, second = instances
    UserFactory(username="ana")
    browser = Browser("198.51.100.10")
    status, headers, _ = browser.log_in(first, "ana")
    assert status == 302, "log-in through instance 1 failed"
    assert "sessionid" in browser.cookies
    status, _, content = browser.request(second, "/profile/")
    assert status == 200
    assert "@ana" in content
    # And logging out on instance 2 ends the session on instance 1.
    token = browser.csrf_token(second, "/profile/")
    status, _, _ = browser.request(
        second, "/accounts/logout/", method="POST", form={"csrfmiddlewaretoken": token}
    )
    assert status == 302
    status, headers, _ = browser.request(first, "/profile/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


@shared_services[0]
@shared_services[1]
def test_log_in_attempts_are_counted_across_both_instances(instances):
    first, second = instances
    UserFactory(username="bob")
    attacker = Browser("198.51.100.20")
    token = attacker.csrf_token(first, "/accounts/login/")
    wrong = {"csrfmiddlewaretoken": token, "username": "bob", "password": "not-the-password"}
    statuses = []
    for server in (first, second) * LOGIN_ATTEMPTS:  # alternating, as a balancer would
        status, headers, _ = attacker.request(server, "/accounts/login/", method="POST", form=wrong)
        statuses.append(status)
    # Three attempts allowed in all, not three per instance.
    assert statuses == [200] * LOGIN_ATTEMPTS + [429] * LOGIN_ATTEMPTS
    assert int(headers["Retry-After"]) >= 1
    # The account is protected from any address, on both instances.
    other = Browser("198.51.100.21")
    right = {
        "csrfmiddlewaretoken": other.csrf_token(second, "/accounts/login/"),
        "username": "bob",
        "password": PASSWORD,
    }
    assert other.request(second, "/accounts/login/", method="POST", form=right)[0] == 429


@shared_services[0]
@shared_services[1]
def test_an_edit_through_one_instance_is_served_at_once_by_the_others_page_cache(instances):
    first, second = instances
    host = HostFactory(username="hostess")
    city = CityFactory(name="Porto", slug="porto")
    event = EventFactory(host=host, city=city, title="Harbour jazz", slug="harbour-jazz")
    visitor = Browser("198.51.100.30")
    page = f"/event/{event.slug}/"

    status, headers, content = visitor.request(second, page)
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    assert "Harbour jazz" in content
    status, headers, _ = visitor.request(second, page)
    assert (status, headers["X-Page-Cache"]) == (200, "hit")

    editor = Browser("198.51.100.31")
    assert editor.log_in(first, "hostess")[0] == 302
    token = editor.csrf_token(first, f"/event/{event.slug}/edit/")
    form = {**event_edit_data(event, title="Harbour jazz at dawn"), "csrfmiddlewaretoken": token}
    status, headers, content = editor.request(
        first, f"/event/{event.slug}/edit/", method="POST", form=form
    )
    assert status == 302, content[:2000]
    assert Event.objects.get(pk=event.pk).title == "Harbour jazz at dawn"

    status, headers, content = visitor.request(second, page)
    assert status == 200
    assert headers["X-Page-Cache"] == "miss"  # the cached copy was invalidated, not served
    assert "Harbour jazz at dawn" in content
    status, headers, content = visitor.request(second, page)
    assert (headers["X-Page-Cache"], "Harbour jazz at dawn" in content) == ("hit", True)


# ---------------------------------------------------------------------------------------------
# Behind nginx, with the database down
# ---------------------------------------------------------------------------------------------
# Port 1 on loopback: nothing listens, so every connection to "PostgreSQL" is refused at once.
DEAD_DATABASE_URL = "postgres://postgres@127.0.0.1:1/eventmate"


@pytest.fixture
def servers():
    started = []
    yield started
    for server in reversed(started):
        server.stop()


@pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx is not installed")
def test_behind_nginx_a_database_outage_shows_the_apps_503_not_nginxs_502(servers, tmp_path):
    servers += Gunicorn.start_many(
        tmp_path, ["app-1", "app-2"], DATABASE_URL=DEAD_DATABASE_URL, RATELIMIT_ENABLED="false"
    )
    deployed = Nginx(tmp_path, [s.port for s in servers])  # deploy/nginx.conf's server options
    servers.append(deployed)
    for _ in range(12):  # more than any max_fails would allow
        status, headers, body = request(deployed.port, "/events/")
        assert status == 503, body[:300]
        assert b"Back in a moment" in body
        assert headers["Retry-After"] == "10"
    # What needs no database still works through the same nginx.
    assert request(deployed.port, "/accounts/login/")[0] == 200
    assert request(deployed.port, "/health/live/")[0] == 200

    # Negative control: had the instances been taken out for their 503s (max_fails=3), nginx
    # would soon answer its own 502 "no live upstreams" instead.
    counting = Nginx(
        tmp_path,
        [s.port for s in servers[:2]],
        server_options="max_fails=3 fail_timeout=10s",
        name="nginx-counting",
    )
    servers.append(counting)
    statuses = [request(counting.port, "/events/")[0] for _ in range(12)]
    assert 502 in statuses
