"""PostgreSQL and Redis for the benchmark: used as they are when they answer; started (and
stopped again at the end) when they are local, not running, and we are allowed to start them —
the same commands .ci/run uses."""

import os
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from bench.procs import HarnessError, log, wait_until


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _local(host: str | None) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


class Services:
    def __init__(self, *, pg_url: str, redis_url: str, workdir: Path):
        self.pg = urlsplit(pg_url)
        self.redis = urlsplit(redis_url)
        self.workdir = workdir
        self.started: list[tuple[str, list[str]]] = []  # (name, command that stops it)

    def ensure(self) -> None:
        self._ensure_postgres()
        self._ensure_redis()

    def _ensure_postgres(self) -> None:
        host, port = self.pg.hostname or "127.0.0.1", self.pg.port or 5432
        if _answers(host, port):
            return
        clusters = Path("/etc/postgresql")
        if not (_local(host) and port == 5432 and os.geteuid() == 0 and clusters.is_dir()):
            raise HarnessError(f"PostgreSQL is not answering on {host}:{port}; start it first")
        version = sorted(p.name for p in clusters.iterdir())[-1]
        log(f"starting PostgreSQL {version} (stopped again at the end)")
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
        subprocess.run([*command, "start"], check=True, capture_output=True)
        self.started.append(("PostgreSQL", [*command, "stop"]))
        wait_until(lambda: _answers(host, port), timeout=30, what="PostgreSQL")

    def _ensure_redis(self) -> None:
        host, port = self.redis.hostname or "127.0.0.1", self.redis.port or 6379
        if _answers(host, port):
            return
        if not (_local(host) and shutil.which("redis-server")):
            raise HarnessError(f"Redis is not answering on {host}:{port}; start it first")
        log(f"starting Redis on {host}:{port} (stopped again at the end)")
        subprocess.run(
            [
                "redis-server", "--bind", host, "--port", str(port), "--daemonize", "yes",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
                "--logfile", str(self.workdir / "logs" / "redis.log"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.started.append(
            ("Redis", ["redis-cli", "-h", host, "-p", str(port), "shutdown", "nosave"])
        )
        wait_until(lambda: _answers(host, port), timeout=30, what="Redis")

    def stop_started(self) -> None:
        for name, command in reversed(self.started):
            log(f"stopping {name}, which the benchmark started")
            subprocess.run(command, check=False, capture_output=True)
        self.started.clear()
