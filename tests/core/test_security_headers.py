import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import PASSWORD, CityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(django_settings.BASE_DIR)
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def _assert_policy_headers(response):
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_carry_the_security_headers(client):
    _assert_policy_headers(client.get("/accounts/login/"))


def test_error_pages_and_refusals_carry_them_too(client, settings):
    settings.RATELIMIT_REQUESTS = 1
    _assert_policy_headers(client.get("/no-such-page/"))
    refused = client.get("/accounts/login/")
    assert refused.status_code == 429
    _assert_policy_headers(refused)


def test_page_cache_hits_carry_them_too(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.get("/events/")
    hit = client.get("/events/")
    assert hit["X-Page-Cache"] == "hit"
    _assert_policy_headers(hit)


def test_https_requests_through_the_proxy_get_hsts_for_a_year_with_subdomains(client):
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_is_redirected_when_ssl_redirect_is_on_except_probes(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/events/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/health/").status_code == 200
    assert client.get("/events/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_cookies_are_secure_httponly_and_samesite(client):
    UserFactory(username="lea")
    csrf = client.get("/accounts/login/").cookies["csrftoken"]
    response = client.post("/accounts/login/", {"username": "lea", "password": PASSWORD})
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_no_policy_allows_inline_script_or_eval():
    assert "unsafe-inline" not in EXPECTED_CSP
    assert "unsafe-eval" not in EXPECTED_CSP


# Data blocks (JSON-LD) are never executed, so the policy does not apply to them.
_INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", re.IGNORECASE
)
_INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle\s*=", re.IGNORECASE)


def test_public_pages_need_nothing_the_policy_forbids(client):
    """Inline <script>, on*= handlers, <style> and style= would be blocked by the CSP."""
    city = CityFactory(slug="porto")
    event = EventFactory(slug="show", city=city)
    for path in [
        "/",
        "/events/",
        f"/city/{city.slug}/",
        f"/event/{event.slug}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]:
        html = client.get(path).content.decode()
        assert not _INLINE_SCRIPT.search(html), path
        assert not _INLINE_HANDLER.search(html), path
        assert not _INLINE_STYLE.search(html), path


def _production_environment(tmp_path) -> dict:
    """deploy/env.example as an operator would fill it in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    for line in (ROOT / "deploy/env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            env[name.strip()] = value.strip().strip('"')
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # check --deploy connects to neither; keep the run self-contained.
            "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
            "LOG_FILE": str(tmp_path / "eventmate.log"),
        }
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # Gunicorn's business; no workers here
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
