"""Real servers for the integration tests: Gunicorn instances and nginx, started as child
processes on ports from this suite's range (8620-8699, or EVENTMATE_TEST_PORTS="first-last"
when several runs share a machine) and always stopped afterwards."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
_first, _, _last = os.environ.get("EVENTMATE_TEST_PORTS", "8620-8699").partition("-")
PORT_RANGE = range(int(_first), int(_last or _first) + 1)
DEPLOYED_NGINX = ROOT / "deploy/nginx.conf"


def free_port(exclude=()) -> int:
    for port in PORT_RANGE:
        if port in exclude:  # taken by a server that is still starting
            continue
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


def request(port, path, *, method="GET", headers=None, source="127.0.0.1", body=None):
    """One HTTP request from `source` (any 127.x address); returns (status, headers, body)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_up(port, process, log_path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {Path(log_path).read_text()[-3000:]}")
        try:
            if request(port, "/health/")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start: {Path(log_path).read_text()[-3000:]}")


def server_environment(tmp_path, **overrides) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "tests.core.server_settings",
        "SECRET_KEY": "integration-tests-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{tmp_path / 'servers.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_WORKER_CLASS": "sync",
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        "ACCESS_LOG": "true",
        "SLOW_REQUEST_MS": "100000",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
        env["CACHE_KEY_PREFIX"] = settings.CACHES["default"].get("KEY_PREFIX", "em")
    env.update({key: str(value) for key, value in overrides.items()})
    return env


class Gunicorn:
    def __init__(self, tmp_path, name, *, port=None, wait=True, **env_overrides):
        self.port = port or free_port()
        self.log_path = tmp_path / f"{name}.log"
        self.metrics_dir = tmp_path / f"{name}-prometheus"
        env = server_environment(
            tmp_path,
            BIND=f"127.0.0.1:{self.port}",
            PROMETHEUS_MULTIPROC_DIR=self.metrics_dir,
            **env_overrides,
        )
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if wait:
            self.wait_until_up()

    @classmethod
    def start_many(cls, tmp_path, names, **env_overrides) -> list["Gunicorn"]:
        """One instance per name, all with the same environment, started side by side (about
        as fast as starting one)."""
        started = []
        try:
            for name in names:
                port = free_port(exclude={server.port for server in started})
                started.append(cls(tmp_path, name, port=port, wait=False, **env_overrides))
            for server in started:
                server.wait_until_up()
        except Exception:
            for server in started:
                server.stop()
            raise
        return started

    def wait_until_up(self):
        try:
            wait_until_up(self.port, self.process, self.log_path)
        except Exception:
            self.stop()
            raise

    def json_log_lines(self) -> list[dict]:
        lines = []
        for raw in self.log_path.read_text().splitlines():
            if raw.startswith("{"):
                try:
                    lines.append(json.loads(raw))
                except ValueError:
                    continue
        return lines

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


NGINX_TEMPLATE = """
daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream eventmate_app {{
{servers}
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://eventmate_app;
            include {snippet};
        }}
    }}
}}
"""


def deployed_server_options() -> str:
    """The options deploy/nginx.conf gives each upstream server (e.g. "max_fails=0")."""
    found = re.search(r"^\s*server 127\.0\.0\.1:8000\s*([^;]*);", DEPLOYED_NGINX.read_text(), re.M)
    if found is None:
        raise RuntimeError("deploy/nginx.conf has no `server 127.0.0.1:8000 …;` line")
    return found.group(1).strip()


class Nginx:
    def __init__(self, tmp_path, upstream_ports, *, server_options=None, name="nginx"):
        """`server_options`: for each upstream server line; deploy/nginx.conf's by default."""
        if server_options is None:
            server_options = deployed_server_options()
        self.port = free_port()
        self.tmp = tmp_path / name
        self.tmp.mkdir()
        servers = "\n".join(
            f"        server 127.0.0.1:{p} {server_options};".replace(" ;", ";")
            for p in upstream_ports
        )
        config = self.tmp / "nginx.conf"
        config.write_text(
            NGINX_TEMPLATE.format(
                tmp=self.tmp,
                servers=servers,
                port=self.port,
                snippet=ROOT / "deploy/nginx-proxy.conf",
            )
        )
        self.log = open(self.tmp / "stdout.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.tmp), "-c", str(config)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(self.port, self.process, self.tmp / "nginx-error.log")
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
