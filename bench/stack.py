"""The production stack under test, on loopback, started the way `make serve` starts it:
migrate, collectstatic, then `gunicorn -c config/gunicorn.conf.py config.wsgi`, plus one Celery
worker — against the harness's own PostgreSQL database and Redis database numbers.

Differences from a production deployment, all of them needed to measure it from one machine:
- BENCH_CEILING=1 routes the bare Django view the results are compared with;
- TRUSTED_PROXIES=127.0.0.1 lets the load generators give each simulated visitor its own
  address in X-Forwarded-For (as nginx would), so the per-IP rate limit stays on and counts
  visitors rather than one loopback address;
- SERVER_TIMING=true asks for the Server-Timing header the growth phase reads.
"""

import json
import os
import signal
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.procs import HarnessError, ManagedProcesses, log, tail, wait_until

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class StackConfig:
    workdir: Path
    port: int = 8700
    db_name: str = "eventmate_bench"
    pg_admin_url: str = "postgres://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379"
    cache_db: int = 10
    broker_db: int = 11
    extra_env: dict = field(default_factory=dict)

    @property
    def template_db(self) -> str:
        return f"{self.db_name}_template"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class Stack:
    def __init__(self, config: StackConfig, processes: ManagedProcesses):
        self.config = config
        self.processes = processes
        self.gunicorn = None
        self.celery = None
        self.logs = config.workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        (config.workdir / "prometheus").mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ addresses and env
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    @property
    def database_url(self) -> str:
        return _with_database(self.config.pg_admin_url, self.config.db_name)

    def redis_db_url(self, db: int) -> str:
        return f"{self.config.redis_url.rstrip('/')}/{db}"

    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            # Whatever the caller's shell points the app at, the benchmark uses its own services.
            if not key.startswith(("DATABASE_", "REDIS_", "CELERY_", "PROMETHEUS_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                "DEBUG": "false",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_db_url(self.config.cache_db),
                "CELERY_BROKER_URL": self.redis_db_url(self.config.broker_db),
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "BIND": f"127.0.0.1:{self.config.port}",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.base_url,
                # Shared by runs: collectstatic then only re-processes what changed.
                "STATIC_ROOT": str(self.config.workdir.parent / "static"),
                "MEDIA_ROOT": str(self.config.workdir / "media"),
                "PAYMENT_PROVIDER": "test",
                "BENCH_CEILING": "1",
                "TRUSTED_PROXIES": "127.0.0.1/32",
                "SERVER_TIMING": "true",
                # Its own metrics folder per run (Gunicorn wipes it at start), created up front:
                # every process that imports the app (manage.py too) opens it at import.
                "PROMETHEUS_MULTIPROC_DIR": str(self.config.workdir / "prometheus"),
            }
        )
        env.update(self.config.extra_env)
        return env

    # ------------------------------------------------------------------ databases
    def _admin(self):
        import psycopg

        # A statement timeout, so a cluster-wide wait (DROP DATABASE waits for every backend of
        # the cluster to acknowledge it, and one stuck client elsewhere can hold that forever)
        # fails the run with a message instead of hanging it.
        return psycopg.connect(
            self.config.pg_admin_url,
            autocommit=True,
            connect_timeout=5,
            options="-c statement_timeout=120s",
        )

    def recreate_database(self, *, from_template: bool = False) -> None:
        from psycopg import sql

        name = self.config.db_name
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            if from_template:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier(name), sql.Identifier(self.config.template_db)
                    )
                )
            else:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def save_template(self) -> None:
        """Keep the freshly migrated, empty database as a template, so the growth phase can
        start each size from it without running every migration again."""
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.config.template_db)
                )
            )
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(self.config.template_db), sql.Identifier(self.config.db_name)
                )
            )

    def drop_databases(self) -> None:
        from psycopg import sql

        with self._admin() as conn:
            for name in (self.config.db_name, self.config.template_db):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )

    def postgres_version(self) -> str:
        with self._admin() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]

    def flush_redis(self, *dbs: int) -> None:
        import redis

        for db in dbs or (self.config.cache_db, self.config.broker_db):
            redis.Redis.from_url(self.redis_db_url(db), socket_timeout=5).flushdb()

    def redis_version(self) -> str:
        import redis

        client = redis.Redis.from_url(self.redis_db_url(self.config.cache_db), socket_timeout=5)
        return client.info("server").get("redis_version", "")

    # ------------------------------------------------------------------ commands
    def manage(self, *args, log_name: str, timeout: float | None = None) -> None:
        self.processes.run(
            f"manage.py {args[0]}",
            [BIN / "python", ROOT / "manage.py", *args],
            env=self.env(),
            cwd=ROOT,
            log_path=self.logs / f"{log_name}.log",
            timeout=timeout,
        )

    def python_module(self, module: str, *args, log_name: str, timeout: float | None = None):
        """Run one of the harness's in-Django helpers (bench.prepare, bench.queries)."""
        self.processes.run(
            module,
            [BIN / "python", "-m", module, *args],
            env=self.env(),
            cwd=ROOT,
            log_path=self.logs / f"{log_name}.log",
            timeout=timeout,
        )

    def collectstatic(self) -> None:
        """`manage.py collectstatic` as `make serve` runs it, skipped when neither the static
        sources nor the packages that provide static files changed since the last run into
        the same folder (the output would be identical; compressing it takes a while)."""
        from importlib import metadata

        static_root = Path(self.env()["STATIC_ROOT"])
        stamp = static_root / ".bench-sources"
        sources = [ROOT / "static", *sorted(ROOT.glob("eventmate/*/static"))]
        listing = [
            f"{path.relative_to(ROOT)} {path.stat().st_size} {path.stat().st_mtime_ns}"
            for folder in sources
            if folder.is_dir()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        ]
        listing += [f"{name} {metadata.version(name)}" for name in ("Django", "whitenoise")]
        listing += [
            line
            for line in (ROOT / "config/settings.py").read_text().splitlines()
            if any(word in line for word in ("STATIC", "STORAGES", "WHITENOISE", "staticfiles"))
        ]
        fingerprint = "\n".join(listing)
        if stamp.is_file() and stamp.read_text() == fingerprint:
            log("collectstatic: sources unchanged since the last run, skipped")
            return
        log("collectstatic")
        self.manage(
            "collectstatic", "--noinput", "--verbosity", "0", log_name="collectstatic", timeout=600
        )
        stamp.write_text(fingerprint)

    def seed_demo_available(self) -> bool:
        return (ROOT / "eventmate/demo/management/commands/seed_demo.py").is_file()

    # ------------------------------------------------------------------ servers
    def start(self, *, timeout: float = 120) -> None:
        env = self.env()
        self.gunicorn = self.processes.start(
            "gunicorn",
            [BIN / "gunicorn", "-c", ROOT / "config/gunicorn.conf.py", "config.wsgi"],
            env=env,
            cwd=ROOT,
            log_path=self.logs / "gunicorn.log",
        )
        self.celery = self.processes.start(
            "celery",
            [BIN / "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "1"],
            env=env,
            cwd=ROOT,
            log_path=self.logs / "celery.log",
        )

        def ready():
            if self.gunicorn.poll() is not None:
                raise HarnessError(
                    f"gunicorn exited with {self.gunicorn.returncode}:\n"
                    f"{tail(self.logs / 'gunicorn.log')}"
                )
            return self.probe("/health/ready/")[0] == 200

        wait_until(ready, timeout=timeout, what=f"{self.base_url}/health/ready/")
        expected = self.gunicorn_settings().get("workers")
        if expected:
            wait_until(
                lambda: len(self.worker_pids()) >= expected,
                timeout=30,
                what=f"{expected} gunicorn workers",
            )

    def stop(self) -> None:
        # Both at once: each shutdown mostly waits, so stopping them in turn doubles the wait.
        running = [p for p in (self.celery, self.gunicorn) if p is not None]
        for process in running:
            self.processes.signal(process, signal.SIGTERM)
        for process in running:
            self.processes.stop(process, timeout=30)
        self.gunicorn = self.celery = None

    def probe(self, path: str, *, headers: dict | None = None, timeout: float = 5.0):
        """(status, headers, body) of one GET; status 0 when nothing answered."""
        request = urllib.request.Request(self.base_url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, OSError):
            return 0, {}, b""

    def worker_pids(self) -> list[int]:
        import psutil

        if self.gunicorn is None or self.gunicorn.poll() is not None:
            return []
        try:
            return [child.pid for child in psutil.Process(self.gunicorn.pid).children()]
        except psutil.NoSuchProcess:
            return []

    _settings_cache: dict | None = None

    def gunicorn_settings(self) -> dict:
        """What config/gunicorn.conf.py resolves to in this environment (--print-config)."""
        if self._settings_cache is not None:
            return self._settings_cache
        log = self.logs / "gunicorn-print-config.log"
        self.processes.run(
            "gunicorn --print-config",
            [
                BIN / "gunicorn",
                "-c",
                ROOT / "config/gunicorn.conf.py",
                "--print-config",
                "config.wsgi",
            ],
            env=self.env(),
            cwd=ROOT,
            log_path=log,
            timeout=120,
        )
        wanted = {
            "workers",
            "worker_class",
            "threads",
            "worker_connections",
            "backlog",
            "keepalive",
            "timeout",
            "max_requests",
            "max_requests_jitter",
            "preload_app",
            "bind",
        }
        found = {}
        for line in log.read_text(errors="replace").splitlines():
            name, sep, value = line.partition(" = ")
            name = name.strip()
            if sep and name in wanted:
                value = value.strip()
                try:
                    found[name] = json.loads(value.lower() if value in ("True", "False") else value)
                except ValueError:
                    found[name] = value
        self._settings_cache = found
        return found


def wait_for_port_free(port: int, *, timeout: float = 30) -> None:
    import socket

    def free():
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    try:
        wait_until(free, timeout=timeout, interval=0.5, what=f"port {port} to be free")
    except HarnessError:
        raise HarnessError(
            f"port {port} is in use (another benchmark?); choose another with --port"
        ) from None
