"""Integration: real Gunicorn processes (and nginx) on loopback ports 8620-8699."""

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.core.servers import GUNICORN, NGINX, ROOT, Gunicorn, Nginx, request

pytestmark = pytest.mark.skipif(
    not os.access(GUNICORN, os.X_OK), reason="gunicorn is not installed next to this Python"
)


@pytest.fixture
def servers():
    started = []
    yield started
    for server in reversed(started):
        server.stop()


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")
def test_rate_limit_is_shared_by_two_separate_server_processes(servers, tmp_path):
    first = Gunicorn(tmp_path, "first", RATELIMIT_REQUESTS=6)
    servers.append(first)
    second = Gunicorn(tmp_path, "second", RATELIMIT_REQUESTS=6)
    servers.append(second)
    client = {"X-Forwarded-For": "198.51.100.77"}  # loopback is a trusted proxy by default
    statuses = [
        request(server.port, "/accounts/login/", headers=client)[0]
        for server in (first, second) * 3
    ]
    assert statuses == [200] * 6
    status_first, headers, _ = request(first.port, "/accounts/login/", headers=client)
    status_second = request(second.port, "/accounts/login/", headers=client)[0]
    assert (status_first, status_second) == (429, 429)
    assert int(headers["Retry-After"]) >= 1
    other = {"X-Forwarded-For": "198.51.100.78"}
    assert request(second.port, "/accounts/login/", headers=other)[0] == 200


def test_metrics_of_two_gunicorn_workers_add_up(servers, tmp_path):
    server = Gunicorn(tmp_path, "metrics", WEB_CONCURRENCY=2, RATELIMIT_ENABLED="false")
    servers.append(server)
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(10):  # until both workers have answered some
            statuses = list(
                pool.map(lambda _: request(server.port, "/accounts/login/")[0], range(16))
            )
            assert statuses == [200] * 16
            sent += 16
            if len(list(server.metrics_dir.glob("counter_*.db"))) >= 2:  # one file per worker
                break
    worker_files = list(server.metrics_dir.glob("counter_*.db"))
    assert len(worker_files) == 2, "both workers should have served requests"
    status, _, body = request(server.port, "/metrics/?format=json")
    assert status == 200
    summary = json.loads(body)["metrics"]
    assert summary["requests_total"] == sent
    _, _, text = request(server.port, "/metrics/")
    counted = re.search(
        rb'eventmate_http_requests_total\{method="GET",route="accounts:login",status="200"\} '
        rb"([0-9.]+)",
        text,
    )
    assert counted and float(counted.group(1)) == sent


@pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx is not installed")
def test_nginx_in_front_of_two_gunicorn_instances_passes_the_real_client_ip(servers, tmp_path):
    upstreams = []
    for name in ("app-a", "app-b"):
        upstreams.append(
            Gunicorn(tmp_path, name, TRUSTED_PROXIES="127.0.0.1/32", RATELIMIT_ENABLED="false")
        )
        servers.append(upstreams[-1])
    proxy = Nginx(tmp_path, [u.port for u in upstreams])
    servers.append(proxy)
    # The client connects from 127.0.0.2 and forges a forwarded address of its own.
    for _ in range(8):
        status, headers, body = request(
            proxy.port,
            "/accounts/login/",
            source="127.0.0.2",
            headers={"X-Forwarded-For": "6.6.6.6"},
        )
        assert status == 200
        assert b"Log in" in body
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])  # nginx's $request_id
    lines = [
        line
        for upstream in upstreams
        for line in upstream.json_log_lines()
        if line.get("logger") == "eventmate.access" and line.get("path") == "/accounts/login/"
    ]
    assert len(lines) == 8
    assert {line["client_ip"] for line in lines} == {"127.0.0.2"}
    served_by = [
        sum(1 for line in u.json_log_lines() if line.get("path") == "/accounts/login/")
        for u in upstreams
    ]
    assert all(count > 0 for count in served_by), served_by


@pytest.mark.skipif(
    not os.access(NGINX, os.X_OK) or shutil.which("openssl") is None,
    reason="needs nginx and openssl",
)
def test_deploy_nginx_conf_is_valid(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=events.example.com",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (ROOT / "deploy/nginx.conf").read_text()
    site = site.replace(
        "/etc/letsencrypt/live/events.example.com/fullchain.pem", str(tmp_path / "cert.pem")
    ).replace("/etc/letsencrypt/live/events.example.com/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace(
        "/etc/nginx/snippets/eventmate-proxy.conf", str(ROOT / "deploy/nginx-proxy.conf")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
