"""Open redirects: every view that follows a `next=` parameter only ever redirects to a path on
this site, whatever the parameter says.

The views (grep for "next" in eventmate/): log-in (after logging in, and when already logged
in), sign-up, log-out, the favourite toggle (signed in, and anonymous, which is sent to log in
with next= carried along), and the admin's log-in and log-out (Django's own views).

A Location passes when it is a local path: one "/" and then not a second "/" or a "\\" (which
browsers read as "/"). As a second opinion each Location is also resolved the way a browser
would (tabs and newlines dropped, "\\" read as "/", then joined to the page's URL) and must
stay on this host.
"""

import html
import re
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from eventmate.accounts.models import User
from tests.factories import PASSWORD

HOST = "testserver"
PAYLOADS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "\n//evil.example",
    "\r\n//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "/%2F/evil.example",
    "https://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "profile",
    "evil.example",
    "..//evil.example",
]


def is_local_path(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


def browser_host(location: str, page: str) -> str:
    """The host a browser would go to from `page` (WHATWG URL parsing, roughly)."""
    cleaned = location.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x1f ")
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    target = urlsplit(urljoin(f"http://{HOST}{page}", cleaned))
    if target.scheme not in ("http", "https"):
        return f"{target.scheme}:"  # javascript:, data: ... never acceptable
    return target.hostname or ""


def check(response, page: str, payload: str, wrong: list[str], expect_redirect=True) -> None:
    if response.status_code not in (301, 302, 303, 307, 308):
        if expect_redirect:
            wrong.append(f"{payload!r}: status {response.status_code}, not a redirect")
        return
    location = response["Location"]
    if not is_local_path(location) or browser_host(location, page) != HOST:
        wrong.append(f"{payload!r} -> Location {location!r}")


@pytest.fixture
def redirect_world(world, settings):
    settings.RATELIMIT_ENABLED = False  # dozens of log-ins from one address
    cache.clear()
    return world


def test_login_post_redirects_only_to_this_site(redirect_world):
    client, url, wrong = Client(), reverse("accounts:login"), []
    for payload in PAYLOADS:
        client.cookies.clear()
        response = client.post(url, {"username": "user", "password": PASSWORD, "next": payload})
        check(response, url, payload, wrong)
    assert not wrong, "\n".join(wrong)


def test_login_page_of_a_signed_in_user_redirects_only_to_this_site(redirect_world):
    client, url, wrong = redirect_world.client_for("user"), reverse("accounts:login"), []
    for payload in PAYLOADS:
        check(client.get(url, {"next": payload}), url, payload, wrong)
    assert not wrong, "\n".join(wrong)


def test_login_form_does_not_carry_an_unsafe_next(redirect_world):
    """The hidden field and the sign-up link on the log-in page keep only a safe next."""
    client, url, wrong = Client(), reverse("accounts:login"), []
    for payload in PAYLOADS:
        body = client.get(url, {"next": payload}).content.decode()
        kept = [html.unescape(value) for value in re.findall(r'name="next" value="([^"]*)"', body)]
        kept += [unquote(html.unescape(value)) for value in re.findall(r'\?next=([^"&]*)', body)]
        for value in kept:
            if value and (not is_local_path(value) or browser_host(value, url) != HOST):
                wrong.append(f"{payload!r} kept as {value!r}")
    assert not wrong, "unsafe next kept in the log-in page:\n" + "\n".join(wrong)


def test_signup_redirects_only_to_this_site(redirect_world):
    client, url, wrong = Client(), reverse("accounts:signup"), []
    for number, payload in enumerate(PAYLOADS):
        client.cookies.clear()
        data = {
            "username": f"newcomer{number}",
            "email": f"newcomer{number}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": payload,
        }
        check(client.post(url, data), url, payload, wrong)
    assert User.objects.filter(username__startswith="newcomer").count() == len(PAYLOADS)
    assert not wrong, "\n".join(wrong)


def test_logout_redirects_only_to_this_site(redirect_world):
    client, url, wrong = Client(), reverse("accounts:logout"), []
    for payload in PAYLOADS:
        redirect_world.sign_in(client, "user")
        check(client.post(url, {"next": payload}), url, payload, wrong)
    assert not wrong, "\n".join(wrong)


def test_favourite_toggle_redirects_only_to_this_site(redirect_world):
    world, wrong = redirect_world, []
    client = world.client_for("user")
    url = reverse("reviews:favorite-toggle", kwargs={"slug": world.event.slug})
    for payload in PAYLOADS:
        response = client.post(url, {"next": payload}, HTTP_ACCEPT="text/html")
        check(response, url, payload, wrong)
    for payload in PAYLOADS:  # in the query string too
        check(client.post(f"{url}?next={payload}"), url, payload, wrong)
    assert not wrong, "\n".join(wrong)


def test_anonymous_favourite_carries_only_a_safe_next_to_the_login_page(redirect_world):
    world, client, wrong = redirect_world, Client(), []
    url = reverse("reviews:favorite-toggle", kwargs={"slug": world.event.slug})
    for payload in PAYLOADS:
        response = client.post(url, {"next": payload}, HTTP_ACCEPT="text/html")
        check(response, url, payload, wrong)
        location = urlsplit(response["Location"])
        assert location.path == reverse("accounts:login")
        (carried,) = parse_qs(location.query)["next"]
        if not is_local_path(carried) or browser_host(carried, url) != HOST:
            wrong.append(f"{payload!r}: next={carried!r} carried to the log-in page")
    assert not wrong, "\n".join(wrong)


def test_a_safe_next_is_followed(redirect_world):
    """The control: a local path is where the views do go."""
    world = redirect_world
    target = reverse("bookings:my-bookings") + "?page=2"
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": "user", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target
    response = client.post(reverse("accounts:logout"), {"next": target})
    assert response["Location"] == target
    world.sign_in(client, "user")
    favorite = reverse("reviews:favorite-toggle", kwargs={"slug": world.event.slug})
    assert client.post(favorite, {"next": target})["Location"] == target


@pytest.mark.parametrize("route", ["admin:login", "admin:logout"])
def test_the_admin_log_in_and_out_redirect_only_to_this_site(redirect_world, route):
    """Django's own views: no bare-word rule here, only "never another site"."""
    client, url, wrong = Client(), reverse(route), []
    for payload in PAYLOADS:
        client.cookies.clear()
        if route == "admin:login":
            data = {"username": "staff", "password": PASSWORD, "next": payload}
        else:
            redirect_world.sign_in(client, "staff")
            data = {"next": payload}
        response = client.post(url, data)
        if response.status_code == 302:
            location = response["Location"]
            if browser_host(location, url) != HOST:
                wrong.append(f"{payload!r} -> Location {location!r}")
    assert not wrong, "\n".join(wrong)
