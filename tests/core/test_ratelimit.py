import json

import pytest

from eventmate.core.ratelimit import hit
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.RATELIMIT_REQUESTS = 3
    settings.RATELIMIT_AUTH_REQUESTS = 2


@pytest.mark.usefixtures("small_limits")
def test_over_the_site_limit_answers_429_with_retry_after_and_a_friendly_page(client):
    statuses = [client.get("/accounts/login/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/accounts/login/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert b"Slow down" in refused.content
    assert refused["Content-Security-Policy"]  # answered above the view, still hardened


@pytest.mark.usefixtures("small_limits")
def test_json_clients_get_a_json_429(client):
    for _ in range(3):
        client.get("/search/autocomplete/?q=x", HTTP_ACCEPT="application/json")
    refused = client.get("/search/autocomplete/?q=x", HTTP_ACCEPT="application/json")
    assert refused.status_code == 429
    body = json.loads(refused.content)
    assert body["error"] == "rate_limited"
    assert body["retry_after"] == int(refused["Retry-After"])


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("path", ["/health/", "/health/live/", "/static/css/site.css", "/metrics/"])
def test_probes_metrics_and_static_files_are_exempt(client, path):
    for _ in range(3):
        client.get("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 429
    assert client.get(path).status_code != 429


@pytest.mark.usefixtures("small_limits")
def test_clients_are_counted_separately(client):
    for _ in range(3):
        client.get("/accounts/login/", REMOTE_ADDR="198.51.100.1")
    assert client.get("/accounts/login/", REMOTE_ADDR="198.51.100.1").status_code == 429
    assert client.get("/accounts/login/", REMOTE_ADDR="198.51.100.2").status_code == 200


@pytest.mark.usefixtures("small_limits")
def test_spoofed_forwarded_for_from_an_untrusted_client_does_not_change_the_count(client):
    for n in range(3):
        client.get(
            "/accounts/login/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
    refused = client.get(
        "/accounts/login/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert refused.status_code == 429


@pytest.mark.usefixtures("small_limits")
def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for _ in range(3):
        client.get("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    behind_same_proxy = client.get(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.10"
    )
    assert behind_same_proxy.status_code == 200


def test_login_is_limited_per_account_with_a_clear_form_message(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 2
    UserFactory(username="maria")
    for n in range(2):  # from different addresses: only the account count can stop it
        client.post(
            "/accounts/login/",
            {"username": "maria", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
    refused = client.post(
        "/accounts/login/",
        {"username": "Maria", "password": PASSWORD},  # right password, other case
        REMOTE_ADDR="198.51.100.50",
    )
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert b"Too many attempts" in refused.content
    assert b"Welcome back" in refused.content  # the log-in form again, not an error page
    assert "_auth_user_id" not in client.session


def test_login_is_limited_per_ip_across_accounts(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 2
    for name in ["a", "b"]:
        client.post("/accounts/login/", {"username": name, "password": "x"})
    assert client.post("/accounts/login/", {"username": "c", "password": "x"}).status_code == 429


def test_login_below_the_limit_still_logs_in(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 2
    UserFactory(username="joao")
    client.post("/accounts/login/", {"username": "joao", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "joao", "password": PASSWORD})
    assert response.status_code == 302


def test_signup_posts_are_limited(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 2
    data = {"username": "x", "email": "x@example.com", "password1": "a", "password2": "b"}
    assert [client.post("/accounts/signup/", data).status_code for _ in range(3)][-1] == 429


def test_password_reset_posts_are_limited_per_email(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 2
    for n in range(2):
        client.post(
            "/accounts/password/reset/", {"email": "v@example.com"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
    refused = client.post(
        "/accounts/password/reset/", {"email": "V@example.com"}, REMOTE_ADDR="192.0.2.99"
    )
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.content


def test_get_requests_to_the_login_page_do_not_count_as_attempts(client, settings):
    settings.RATELIMIT_AUTH_REQUESTS = 1
    for _ in range(3):
        client.get("/accounts/login/")
    assert client.post("/accounts/login/", {"username": "z", "password": "z"}).status_code == 200


def test_counting_is_shared_through_the_cache_not_the_process(settings):
    """Two checks that share nothing but the cache see one count (the in-process fallback is
    only used when the cache fails)."""
    from eventmate.core.ratelimit import local_counter

    assert hit("t", ["same"], limit=2, period=60).allowed
    local_counter.reset()
    assert hit("t", ["same"], limit=2, period=60).allowed
    local_counter.reset()
    result = hit("t", ["same"], limit=2, period=60)
    assert not result.allowed
    assert result.count == 3


def test_rate_limiting_can_be_switched_off(client, settings):
    settings.RATELIMIT_ENABLED = False
    settings.RATELIMIT_REQUESTS = 1
    assert [client.get("/accounts/login/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.usefixtures("small_limits")
def test_the_429_page_is_a_complete_site_page(client, settings):
    for _ in range(3):
        client.get("/accounts/login/")
    settings.SITE_NAME = "Festa"  # from the site context processor, not a default
    page = client.get("/accounts/login/").content.decode()
    assert "Festa</title>" in page
    assert "Slow down" in page
    assert 'href="/events/"' in page
