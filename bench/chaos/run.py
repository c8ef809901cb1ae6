"""Faults under load: `make chaos` (CHAOS_ARGS="--quick" for short windows).

    .venv/bin/python -m bench.chaos [--quick] [--scenarios redis,postgres,...] [options]

The stack, on loopback: nginx (127.0.0.1:8300, bench/chaos/nginx.py) in front of two Gunicorn
instances (8301, 8302) started as `make serve` starts them (config/gunicorn.conf.py), one Celery
worker, the harness's own PostgreSQL database (eventmate_c_chaos) and Redis databases 7 (cache)
and 8 (broker), a small seeded data set, and emails written to files (EMAIL_URL=filemail://).
The load is the benchmark's user mix (bench/locustfile.py) through nginx, every request logged.

Each scenario starts a fresh Locust, waits for the ramp, then: a baseline window, the fault
(until it is removed), a recovery window; then stops Locust, cuts the request log into the
three windows (bench/chaos/analysis.py), runs its own checks and the integrity check
(bench/chaos/integrity.py). Scenarios, in order:

  redis             Redis stopped for 30 s, then started again
  worker-kill       a Gunicorn worker SIGKILLed every few seconds (alternating instances)
  instance-restart  one of the two instances stopped (SIGTERM) and started again
  rolling-hup       HUP to one instance, then (when its new workers are up) to the other
  postgres          PostgreSQL stopped (fast), held down for a while, started again
  celery            the Celery worker stopped for a minute during bookings

PostgreSQL and Redis are shared by the whole machine: whatever happens (error, Ctrl-C,
SIGTERM), the harness starts them again before it exits if they do not answer.
Writes bench/results/chaos-<run id>.json and the generated section of RELIABILITY.md.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench.chaos import analysis, integrity, mail
from bench.chaos import report as chaos_report
from bench.chaos.nginx import ensure_nginx, nginx_version, render_config
from bench.procs import HarnessError, ManagedProcesses, install_signal_handlers, log, wait_until
from bench.services import Services
from bench.stack import BIN, ROOT, Stack, StackConfig, wait_for_port_free

SCENARIOS = ("redis", "worker-kill", "instance-restart", "rolling-hup", "postgres", "celery")

FULL = {
    "events": 2_000,
    "users": 1_000,
    "hosts": 40,
    "bookings": 2_000,
    "reviews": 1_000,
    "locust_users": 150,
    "spawn_rate": 50,
    "warmup": 15,
    "baseline": 20,
    "recovery": 30,
    "redis_outage": 30,
    "kill_window": 30,
    "kill_every": 4,
    "instance_down": 15,
    "pg_outage": 15,
    "celery_outage": 60,
    "drain": 45,
}
QUICK = {
    "events": 400,
    "users": 200,
    "hosts": 10,
    "bookings": 300,
    "reviews": 100,
    "locust_users": 60,
    "spawn_rate": 30,
    "warmup": 6,
    "baseline": 8,
    "recovery": 12,
    "redis_outage": 10,
    "kill_window": 12,
    "kill_every": 3,
    "instance_down": 6,
    "pg_outage": 8,
    "celery_outage": 15,
    "drain": 20,
}
NGINX_PORT, APP_PORTS = 8300, (8301, 8302)
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
    "--save", "", "--appendonly", "no",
]  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.chaos", description="Faults under load (RELIABILITY.md)."
    )
    parser.add_argument("--quick", action="store_true", help="short windows, smaller data")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=",".join(SCENARIOS))
    for name, value in FULL.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, help=f"default {value}")
    parser.add_argument("--db-name", default="eventmate_c_chaos")
    parser.add_argument("--redis-dbs", default="7,8", help="cache,broker database numbers")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--reliability-md", type=Path, default=ROOT / "RELIABILITY.md")
    parser.add_argument("--no-report", action="store_true", help="do not touch RELIABILITY.md")
    parser.add_argument("--keep", action="store_true", help="keep the database and work folder")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.cache_db, args.broker_db = (int(n) for n in args.redis_dbs.split(","))
    return args


# ----------------------------------------------------------------------------------------------
# PostgreSQL and Redis: stopping them, and always bringing them back
# ----------------------------------------------------------------------------------------------
def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _pg_cluster() -> list[str]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def postgres_stop() -> None:
    subprocess.run([*_pg_cluster(), "stop", "-m", "fast"], check=True, capture_output=True)


def postgres_start() -> None:
    if _answers(5432):
        return
    subprocess.run([*_pg_cluster(), "start"], check=False, capture_output=True)
    wait_until(lambda: _answers(5432), timeout=60, what="PostgreSQL to answer")


def redis_stop() -> None:
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
        check=False,
        capture_output=True,
    )
    wait_until(lambda: not _answers(6379), timeout=15, what="Redis to stop")


def redis_start() -> None:
    if _answers(6379):
        return
    subprocess.run(REDIS_START, check=False, capture_output=True)
    wait_until(lambda: _answers(6379), timeout=30, what="Redis to answer")


def restore_services() -> list[str]:
    """Start PostgreSQL and Redis if they do not answer; what was started."""
    started = []
    for name, port, start in (("PostgreSQL", 5432, postgres_start), ("Redis", 6379, redis_start)):
        if not _answers(port):
            log(f"{name} is down: starting it again")
            try:
                start()
                started.append(name)
            except Exception as error:  # keep trying the other one
                log(f"could not start {name}: {error}")
    return started


# ----------------------------------------------------------------------------------------------
# HTTP through nginx
# ----------------------------------------------------------------------------------------------
def fetch(port, path, *, method="GET", headers=None, body=None, timeout=10.0):
    """(status, headers, body); status 0 and the error's name when nothing answered."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except (OSError, http.client.HTTPException) as error:
        return 0, {"error": type(error).__name__}, b""
    finally:
        connection.close()


class Instance:
    """One Gunicorn instance (a master and its workers) of the stack, on its own port."""

    def __init__(self, stack: Stack, processes: ManagedProcesses, name: str):
        self.stack, self.processes, self.name = stack, processes, name
        self.process = None

    @property
    def port(self) -> int:
        return self.stack.config.port

    def start(self, *, timeout: float = 90) -> None:
        wait_for_port_free(self.port)
        self.process = self.processes.start(
            f"gunicorn-{self.name}",
            [BIN / "gunicorn", "-c", ROOT / "config/gunicorn.conf.py", "config.wsgi"],
            env=self.stack.env(),
            cwd=ROOT,
            log_path=self.stack.logs / f"gunicorn-{self.name}.log",
        )
        self.wait_ready(timeout=timeout)

    def wait_ready(self, *, timeout: float = 90) -> None:
        def ready():
            if self.process.poll() is not None:
                raise HarnessError(f"gunicorn {self.name} exited with {self.process.returncode}")
            return fetch(self.port, "/health/ready/", timeout=3)[0] == 200

        wait_until(ready, timeout=timeout, what=f"gunicorn {self.name} on {self.port} ready")
        workers = self.stack.gunicorn_settings().get("workers") or 1
        wait_until(
            lambda: len(self.worker_pids()) >= workers, timeout=30, what=f"{workers} workers"
        )

    def worker_pids(self) -> list[int]:
        import psutil

        if self.process is None or self.process.poll() is not None:
            return []
        try:
            return sorted(c.pid for c in psutil.Process(self.process.pid).children())
        except psutil.NoSuchProcess:
            return []

    def stop(self, *, timeout: float = 40) -> float:
        """SIGTERM to the master only (systemd's KillMode=mixed): a graceful stop. Seconds."""
        started = time.monotonic()
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"gunicorn {self.name} did not stop within {timeout:.0f} s")
            self.processes.stop(self.process)
        self.process = None
        return round(time.monotonic() - started, 2)

    def hup(self) -> None:
        os.kill(self.process.pid, signal.SIGHUP)


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
class Chaos:
    def __init__(self, args):
        self.args = args
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.workdir = ROOT / "var" / "chaos" / self.run_id
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.mail_dir = self.workdir / "mail"
        self.mail_dir.mkdir()
        self.processes = ManagedProcesses()
        self.instances = [
            Instance(self._stack(port, name), self.processes, name)
            for port, name in zip(APP_PORTS, ("a", "b"), strict=True)
        ]
        self.stack = self.instances[0].stack  # for commands: migrate, seed, helpers
        self.celery = None
        self.nginx = None
        self.data: dict = {}
        self.hold: dict = {}
        self.seen: dict[str, set] = {}  # integrity violations already reported
        self.started = time.time()
        from bench.run import git_facts, machine_facts, package_versions

        self.results = {
            "schema": 1,
            "run_id": self.run_id,
            "mode": "quick" if args.quick else "full",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "git": git_facts(),
            "machine": machine_facts(),
            "versions": package_versions(),
            "settings": {
                key: (str(value) if isinstance(value, Path) else value)
                for key, value in vars(args).items()
            },
            "scenarios": {},
            "errors": {},
            "workdir": str(self.workdir.relative_to(ROOT)),
        }

    def _stack(self, port: int, name: str) -> Stack:
        prometheus = self.workdir / f"prometheus-{name}"
        prometheus.mkdir(parents=True, exist_ok=True)
        return Stack(
            StackConfig(
                workdir=self.workdir,
                port=port,
                db_name=self.args.db_name,
                pg_admin_url=self.args.pg_admin_url,
                redis_url=self.args.redis_url,
                cache_db=self.args.cache_db,
                broker_db=self.args.broker_db,
                extra_env={
                    "PROMETHEUS_MULTIPROC_DIR": str(prometheus),
                    "SITE_URL": f"http://127.0.0.1:{NGINX_PORT}",
                    "EMAIL_URL": f"filemail:///{self.mail_dir}",
                    "BENCH_CEILING": "false",
                    "SERVER_TIMING": "false",
                },
            ),
            self.processes,
        )

    # ---------------------------------------------------------------- setup
    def setup(self) -> None:
        args = self.args
        restore_services()
        Services(pg_url=args.pg_admin_url, redis_url=args.redis_url, workdir=self.workdir).ensure()
        binary = ensure_nginx()
        self.results["versions"]["nginx"] = nginx_version(binary)
        self.results["versions"]["postgresql"] = self.stack.postgres_version()
        self.results["versions"]["redis"] = self.stack.redis_version()
        for port in (NGINX_PORT, *APP_PORTS):
            wait_for_port_free(port, timeout=5)
        log(f"database {args.db_name}, Redis databases {args.cache_db},{args.broker_db}")
        self.stack.flush_redis()
        self.stack.recreate_database()
        self.stack.manage("migrate", "--noinput", log_name="migrate", timeout=900)
        self.stack.collectstatic()
        sizes = ["--events", args.events, "--users", args.users, "--hosts", args.hosts]
        sizes += ["--bookings", args.bookings, "--reviews", args.reviews]
        log(f"seeding {args.events:,} events")
        self.stack.manage("seed_demo", *map(str, sizes), log_name="seed", timeout=1800)
        data_file = self.workdir / "data.json"
        self.stack.python_module(
            "bench.prepare", "sample", "--out", data_file, "--events", "500",
            "--users", "400", "--hosts", str(min(args.hosts, 30)), "--bookable", "200",
            log_name="prepare-sample", timeout=600,
        )  # fmt: skip
        self.data_file = data_file
        self.data = json.loads(data_file.read_text())
        self.results["data"] = self.data["counts"]
        hold_file = self.workdir / "hold-event.json"
        self.stack.python_module(
            "bench.chaos.prepare", "hold-event", "--out", hold_file, "--capacity", "3",
            "--buyers", "4", log_name="prepare-hold", timeout=300,
        )  # fmt: skip
        self.hold = json.loads(hold_file.read_text())
        log("starting two Gunicorn instances, a Celery worker and nginx")
        for instance in self.instances:
            instance.start()
        self.start_celery()
        self.start_nginx(binary)
        self.results["gunicorn"] = self.stack.gunicorn_settings()
        # The seeded data, before any fault: later checks report what is new since.
        self.results["integrity_before"] = self.integrity()
        integrity.new_violations(self.results["integrity_before"], self.seen)
        wait_until(lambda: fetch(NGINX_PORT, "/health/ready/")[0] == 200, timeout=30, what="nginx")

    def start_celery(self) -> None:
        self.celery = self.processes.start(
            "celery",
            [BIN / "celery", "-A", "config", "worker", "-l", "info", "--concurrency", "1"],
            env=self.stack.env(),
            cwd=ROOT,
            log_path=self.stack.logs / "celery.log",
        )

    def stop_celery(self) -> None:
        if self.celery is not None:
            self.processes.stop(self.celery, timeout=30)
            self.celery = None

    def start_nginx(self, binary: str) -> None:
        folder = self.workdir / "nginx"
        folder.mkdir(exist_ok=True)
        config = folder / "nginx.conf"
        config.write_text(
            render_config(
                folder=folder,
                port=NGINX_PORT,
                upstreams=list(APP_PORTS),
                snippet=ROOT / "deploy/nginx-proxy.conf",
                deployed=(ROOT / "deploy/nginx.conf").read_text(),
            )
        )
        self.results["nginx_config"] = config.read_text()
        self.results["nginx_proxy_retry"] = [
            line.strip()
            for line in (ROOT / "deploy/nginx-proxy.conf").read_text().splitlines()
            if line.strip().startswith("proxy_next_upstream")
        ]
        check = subprocess.run(
            [binary, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise HarnessError(f"nginx -t failed:\n{check.stderr}")
        self.nginx = self.processes.start(
            "nginx",
            [binary, "-p", folder, "-c", config, "-g", "daemon off;"],
            env=dict(os.environ),
            cwd=folder,
            log_path=self.stack.logs / "nginx.log",
        )
        wait_until(lambda: _answers(NGINX_PORT), timeout=15, what="nginx to listen")

    # ---------------------------------------------------------------- helpers
    def signed_in_headers(self, account: dict, *, address: str) -> dict:
        names = self.data["cookies"]
        cookie = f"{names['csrf']}={account['csrf']}; {names['session']}={account['session']}"
        return {
            "Cookie": cookie,
            "X-CSRFToken": account["csrf"],
            "X-Forwarded-For": address,
        }

    def db(self):
        import psycopg

        return psycopg.connect(self.stack.database_url, autocommit=True, connect_timeout=5)

    def integrity(self) -> dict:
        for _attempt in range(10):
            try:
                with self.db() as conn, conn.cursor() as cursor:
                    return integrity.integrity_check(cursor)
            except Exception as error:  # the database may still be coming back
                last = error
                time.sleep(2)
        return {"ok": False, "error": str(last)}

    def start_locust(self, name: str) -> tuple[subprocess.Popen, Path]:
        request_log = self.workdir / f"requests-{name}.csv"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BENCH_DATA": str(self.data_file),
            "CHAOS_REQUEST_LOG": str(request_log),
            "BENCH_MISS_RATE": "0.03",
            "BENCH_SIGNED_IN_SHARE": "0.30",
            "BENCH_HOST_SHARE": "0.05",
            "BENCH_BOOKING_WEIGHT": "2",
        }
        limit = 3600
        command = [
            BIN / "locust", "-f", ROOT / "bench/chaos/locustfile.py", "--headless",
            "--host", f"http://127.0.0.1:{NGINX_PORT}", "-u", str(self.args.locust_users),
            "-r", str(self.args.spawn_rate), "-t", f"{limit}s", "--stop-timeout", "5",
            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
        ]  # fmt: skip
        process = self.processes.start(
            f"locust-{name}",
            command,
            env=env,
            cwd=ROOT,
            log_path=self.stack.logs / f"locust-{name}.log",
        )
        return process, request_log

    def stop_locust(self, process) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        self.processes.stop(process, timeout=5)

    # ---------------------------------------------------------------- one scenario
    def scenario(self, name: str) -> None:
        args = self.args
        log(f"== {name}")
        fault = getattr(self, "fault_" + name.replace("-", "_"))
        locust_start = time.time()
        locust, request_log = self.start_locust(name)
        checks: dict = {}
        try:
            time.sleep(args.warmup)
            baseline_start = time.time()
            time.sleep(args.baseline)
            fault_start = time.time()
            checks = fault() or {}
            fault_end = time.time()
            log(f"  fault over after {fault_end - fault_start:.1f} s; recovery window")
            time.sleep(args.recovery)
            end = time.time()
        finally:
            self.stop_locust(locust)
        after = getattr(self, "after_" + name.replace("-", "_"), None)
        if after is not None:
            checks.update(after(fault_start, fault_end) or {})
        records = analysis.read_records(request_log)
        judged = [r for r in records if not r.name.startswith("probe:")]
        probes = [r for r in records if r.name.startswith("probe:")]
        baseline = analysis.window_stats(judged, baseline_start, fault_start)
        result = {
            "times": {
                "baseline_s": round(fault_start - baseline_start, 1),
                "fault_s": round(fault_end - fault_start, 1),
                "recovery_window_s": round(end - fault_end, 1),
            },
            "baseline": baseline,
            "fault": analysis.window_stats(judged, fault_start, fault_end),
            "recovery": analysis.window_stats(judged, fault_end, end),
            "probes_during_fault": analysis.window_stats(probes, fault_start, fault_end),
            "nginx_fault_and_recovery": analysis.nginx_window_stats(
                analysis.read_nginx_log(self.workdir / "nginx" / "access.log"), fault_start, end
            ),
            "recovery_s": analysis.recovery_seconds(
                judged, fault_end=fault_end, until=end, baseline_p99_ms=baseline["p99_ms"]
            ),
            "per_second": analysis.per_second(judged, baseline_start, end),
            "fault_offset_s": round(fault_start - baseline_start, 1),
            "window": [locust_start, baseline_start, fault_start, fault_end, end],
            "checks": checks,
            "integrity": self.integrity(),
        }
        result["integrity"]["new"] = integrity.new_violations(result["integrity"], self.seen)
        result["verdict"] = chaos_report.verdict(name, result)
        self.results["scenarios"][name] = result
        fault_stats = result["fault"]
        log(
            f"  {name}: fault {fault_stats['sent']} sent, {fault_stats['failed']} failed "
            f"{fault_stats['failed_by_status']}, p99 {fault_stats['p99_ms']} ms (baseline "
            f"{baseline['p99_ms']}); recovery {result['recovery_s']} s; integrity "
            f"{'ok' if result['integrity'].get('ok') else 'FAILED'}; "
            f"{'met' if result['verdict']['met'] else 'NOT met'}"
        )

    # ---------------------------------------------------------------- 1. Redis
    def fault_redis(self) -> dict:
        account = self.data["users"][0]
        headers = self.signed_in_headers(account, address="10.250.0.1")
        log(f"  stopping Redis for {self.args.redis_outage} s")
        redis_stop()
        stopped = time.monotonic()
        signed_in = []
        try:
            while time.monotonic() - stopped < self.args.redis_outage:
                status = fetch(NGINX_PORT, "/my-bookings/", headers=headers)[0]
                signed_in.append(status)
                time.sleep(1)
        finally:
            redis_start()
        return {
            "outage_s": round(time.monotonic() - stopped, 1),
            "signed_in_page_during_outage": _counts(signed_in),
        }

    def after_redis(self, _fault_start, _fault_end) -> dict:
        account = self.data["users"][1]
        headers = self.signed_in_headers(account, address="10.250.0.2")
        signed_in = fetch(NGINX_PORT, "/my-bookings/", headers=headers)[0]
        # Caching resumes: the same anonymous page twice, the second from the page cache.
        path = "/events/?" + urlencode({"category": self.data["categories"][0], "chaos": "1"})
        first = fetch(NGINX_PORT, path, headers={"X-Forwarded-For": "10.250.0.3"})
        second = fetch(NGINX_PORT, path, headers={"X-Forwarded-For": "10.250.0.3"})
        # Rate limiting resumes: one address, more requests than the limit allows.
        statuses = []
        for _ in range(130):
            statuses.append(fetch(NGINX_PORT, "/", headers={"X-Forwarded-For": "10.250.0.4"})[0])
        return {
            "signed_in_page_after": signed_in,
            "page_cache_after": [
                first[1].get("x-page-cache", ""),
                second[1].get("x-page-cache", ""),
            ],
            "rate_limit_after": _counts(statuses),
        }

    # ---------------------------------------------------------------- 2. SIGKILL a worker
    def fault_worker_kill(self) -> dict:
        kills = []
        deadline = time.monotonic() + self.args.kill_window
        turn = 0
        while time.monotonic() < deadline:
            instance = self.instances[turn % 2]
            turn += 1
            pids = instance.worker_pids()
            if pids:
                pid = random.choice(pids)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    kills.append({"instance": instance.name, "pid": pid})
            time.sleep(self.args.kill_every)
        for instance in self.instances:
            instance.wait_ready(timeout=30)
        return {"kills": len(kills), "kill_every_s": self.args.kill_every}

    # ---------------------------------------------------------------- 3. one instance down
    def fault_instance_restart(self) -> dict:
        instance = self.instances[1]
        log(f"  stopping instance {instance.name} for {self.args.instance_down} s")
        stop_s = instance.stop()
        time.sleep(self.args.instance_down)
        started = time.monotonic()
        instance.start()
        return {"stop_s": stop_s, "down_s": self.args.instance_down,
                "start_to_ready_s": round(time.monotonic() - started, 1)}  # fmt: skip

    # ---------------------------------------------------------------- 4. rolling HUP
    def fault_rolling_hup(self) -> dict:
        timings = {}
        for instance in self.instances:
            old = set(instance.worker_pids())
            workers = len(old)
            started = time.monotonic()
            instance.hup()
            wait_until(
                lambda instance=instance, old=old, workers=workers: (
                    len(set(instance.worker_pids()) - old) >= workers
                    and not set(instance.worker_pids()) & old
                ),
                timeout=60,
                what=f"new workers of instance {instance.name}",
            )
            instance.wait_ready(timeout=30)
            timings[instance.name] = round(time.monotonic() - started, 1)
            time.sleep(2)
        return {"workers_replaced_s": timings}

    # ---------------------------------------------------------------- 5. PostgreSQL
    def fault_postgres(self) -> dict:
        account = self.data["users"][2]
        headers = self.signed_in_headers(account, address="10.250.0.5")
        cached_path = "/"
        for _ in range(2):  # make sure it is in the page cache
            fetch(NGINX_PORT, cached_path, headers={"X-Forwarded-For": "10.250.0.6"})
        slug = self.data["events"][0]
        log(f"  stopping PostgreSQL for {self.args.pg_outage} s")
        postgres_stop()
        stopped = time.monotonic()
        ready, cached, writes, pages = [], [], [], []
        write_example = {}
        try:
            while time.monotonic() - stopped < self.args.pg_outage:
                ready.append(fetch(NGINX_PORT, "/health/ready/")[0])
                cached.append(
                    fetch(NGINX_PORT, cached_path, headers={"X-Forwarded-For": "10.250.0.6"})[0]
                )
                status, answer_headers, body = fetch(
                    NGINX_PORT,
                    f"/event/{slug}/favorite/",
                    method="POST",
                    headers={**headers, "Accept": "text/html",
                             "Content-Type": "application/x-www-form-urlencoded"},
                    body=f"csrfmiddlewaretoken={account['csrf']}",
                )  # fmt: skip
                writes.append(status)
                if not write_example:
                    write_example = _describe_page(status, answer_headers, body)
                uncached = f"/events/?q=chaos{random.randrange(10**6)}"
                anonymous = {"X-Forwarded-For": "10.250.0.7"}
                pages.append(fetch(NGINX_PORT, uncached, headers=anonymous)[0])
                time.sleep(0.5)
        finally:
            postgres_start()
        restarted = time.monotonic()
        outage_s = round(restarted - stopped, 1)
        try:
            wait_until(lambda: fetch(NGINX_PORT, "/health/ready/")[0] == 200, timeout=60,
                       interval=0.2, what="ready after PostgreSQL")  # fmt: skip
            ready_after_s = round(time.monotonic() - restarted, 2)
        except HarnessError:
            ready_after_s = None
        status, answer_headers, body = fetch(
            NGINX_PORT, f"/event/{slug}/favorite/", method="POST",
            headers={**headers, "Accept": "text/html",
                     "Content-Type": "application/x-www-form-urlencoded"},
            body=f"csrfmiddlewaretoken={account['csrf']}",
        )  # fmt: skip
        return {
            "outage_s": outage_s,
            "ready_during_outage": _counts(ready),
            "cached_page_during_outage": _counts(cached),
            "uncached_page_during_outage": _counts(pages),
            "write_during_outage": _counts(writes),
            "write_page": write_example,
            "write_after": status,
            "ready_200_after_start_s": ready_after_s,
        }

    # ---------------------------------------------------------------- 6. Celery worker
    def fault_celery(self) -> dict:
        buyers = self.hold["buyers"]
        slug = self.hold["slug"]
        log(f"  stopping the Celery worker for {self.args.celery_outage} s")
        stopped_at = time.time()
        self.stop_celery()
        stopped = time.monotonic()
        try:
            holds = []
            for n, buyer in enumerate(buyers):
                headers = self.signed_in_headers(buyer, address=f"10.250.1.{n + 1}")
                holds.append(self._hold(slug, headers, buyer))
            counters_full = self._hold_counters()
            last = buyers[-1]
            headers = self.signed_in_headers(last, address="10.250.1.99")
            form_before = self._availability(slug, headers)
            # Time passes: the three holds run out (their expiry moved into the past, as if
            # BOOKING_HOLD_MINUTES had gone by). No sweep runs: the worker is down.
            with self.db() as conn:
                conn.execute(
                    "UPDATE bookings_booking SET hold_expires_at = now() - interval '1 second' "
                    "WHERE event_id = %s AND status = 'pending'",
                    (self.hold["event_id"],),
                )
            counters_expired = self._hold_counters()
            form_after = self._availability(slug, headers)
            retry = self._hold(slug, headers, last)
            counters_after = self._hold_counters()
            remaining = self.args.celery_outage - (time.monotonic() - stopped)
            if remaining > 0:
                time.sleep(remaining)
            queued = self._broker_queue_length()
        finally:
            self.start_celery()
        restarted_at = time.time()
        self.celery_window = (stopped_at, restarted_at)
        return {
            "outage_s": round(time.monotonic() - stopped, 1),
            "holds_while_worker_down": holds,
            "event_after_holds": counters_full,
            "event_after_expiry": counters_expired,
            "booking_form_before_expiry": form_before,
            "booking_form_after_expiry": form_after,
            "hold_after_expiry": retry,
            "event_after_new_hold": counters_after,
            "tasks_queued_when_worker_restarted": queued,
        }

    def after_celery(self, _fault_start, _fault_end) -> dict:
        # Let the worker drain the queue, then count the emails.
        deadline = time.monotonic() + self.args.drain
        while time.monotonic() < deadline and self._broker_queue_length():
            time.sleep(1)
        time.sleep(5)
        left = self._broker_queue_length()
        start, end = self.celery_window
        counts = mail.sent_emails(self.mail_dir)
        with self.db() as conn:
            confirmed = conn.execute(
                "SELECT b.reference FROM bookings_booking b "
                "JOIN accounts_user u ON u.id = b.user_id "
                "WHERE b.confirmed_at >= to_timestamp(%s) "
                "AND b.confirmed_at < to_timestamp(%s) AND u.email NOT LIKE %s",
                (start, end, "%.invalid"),
            ).fetchall()
            expired = conn.execute(
                "SELECT reference FROM bookings_booking WHERE event_id = %s AND status = 'expired'",
                (self.hold["event_id"],),
            ).fetchall()
        expected = {ref: "confirmed" for (ref,) in confirmed}
        expected.update({ref: "hold_expired" for (ref,) in expired})
        return {
            "tasks_left_after_drain": left,
            "emails_for_the_outage": mail.compare(expected, counts),
            "confirmed_during_outage": len(confirmed),
            "holds_expired": len(expired),
        }

    def _hold(self, slug: str, headers: dict, buyer: dict) -> int:
        body = urlencode({"csrfmiddlewaretoken": buyer["csrf"], "quantity": "1"})
        return fetch(
            NGINX_PORT, f"/event/{slug}/book/", method="POST",
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}, body=body,
        )[0]  # fmt: skip

    def _availability(self, slug: str, headers: dict) -> str:
        """What the booking form tells the buyer: "Only 3 left", "Sold out"."""
        status, _headers, body = fetch(NGINX_PORT, f"/event/{slug}/book/", headers=headers)
        match = re.search(r'class="availability[^"]*">([^<]+)<', body.decode("utf-8", "replace"))
        return f"{status} {match.group(1).strip() if match else '(no availability line)'}"

    def _hold_counters(self) -> dict:
        with self.db() as conn:
            sold, held = conn.execute(
                "SELECT tickets_sold, tickets_held FROM events_event WHERE id = %s",
                (self.hold["event_id"],),
            ).fetchone()
            rows = conn.execute(
                "SELECT status, COUNT(*) FROM bookings_booking WHERE event_id = %s GROUP BY status",
                (self.hold["event_id"],),
            ).fetchall()
        return {"tickets_sold": sold, "tickets_held": held, "bookings": dict(rows)}

    def _broker_queue_length(self) -> int | None:
        import redis

        try:
            url = self.stack.redis_db_url(self.args.broker_db)
            client = redis.Redis.from_url(url, socket_timeout=2)
            return int(client.llen("celery"))
        except Exception:
            return None

    # ---------------------------------------------------------------- emails of the whole run
    def email_summary(self) -> dict:
        """Every email of the run: duplicates, and the bookings confirmed during each scenario
        (from Locust's start to its stop) that got no confirmation email."""
        counts = mail.sent_emails(self.mail_dir)
        duplicates = {f"{k} {r}": n for (k, r), n in counts.items() if n > 1 and r}
        missing = {}
        try:
            with self.db() as conn:
                for name, scenario in self.results["scenarios"].items():
                    start, end = scenario["window"][0], scenario["window"][-1]
                    rows = conn.execute(
                        "SELECT b.reference FROM bookings_booking b "
                        "JOIN accounts_user u ON u.id = b.user_id "
                        "WHERE b.confirmed_at >= to_timestamp(%s) "
                        "AND b.confirmed_at < to_timestamp(%s) AND u.email NOT LIKE %s",
                        (start, end, "%.invalid"),
                    ).fetchall()
                    refs = [ref for (ref,) in rows]
                    missing[name] = {
                        "confirmed": len(refs),
                        "without_email": sum(1 for r in refs if not counts.get(("confirmed", r))),
                    }
        except Exception as error:
            missing = {"error": str(error)}
        return {
            "emails": sum(counts.values()),
            "by_kind": _counts(kind for (kind, _ref), n in counts.items() for _ in range(n)),
            "duplicates": len(duplicates),
            "duplicate_examples": dict(list(duplicates.items())[:5]),
            "confirmations_by_scenario": missing,
        }

    # ---------------------------------------------------------------- driver
    def execute(self) -> int:
        interrupted = False
        try:
            started = time.monotonic()
            try:
                self.setup()
            except Exception as error:
                self.results["errors"]["setup"] = _describe(error)
                log(f"setup failed: {_describe(error)}")
                traceback.print_exc()
                return 1
            self.results["setup_s"] = round(time.monotonic() - started, 1)
            for name in self.args.scenarios:
                try:
                    self.scenario(name)
                except Exception as error:  # record it, restore, go on with the next
                    self.results["errors"][name] = _describe(error)
                    log(f"{name} failed: {_describe(error)}")
                    traceback.print_exc()
                    restore_services()
                    self._revive()
            self.results["emails"] = self.email_summary()
            return 1 if self.results["errors"] else 0
        except (KeyboardInterrupt, SystemExit) as stop:
            interrupted = True
            self.results["errors"]["interrupted"] = "stopped by Ctrl-C or a signal"
            return 130 if isinstance(stop, KeyboardInterrupt) else int(stop.code or 1)
        finally:
            restarted = restore_services()
            if restarted:
                self.results["errors"]["services_restored"] = restarted
            self.teardown()
            self.finish(interrupted=interrupted)

    def _revive(self) -> None:
        """After a failed scenario: whatever the fault left stopped is started again."""
        try:
            for instance in self.instances:
                if instance.process is None or instance.process.poll() is not None:
                    instance.start()
            if self.celery is None or self.celery.poll() is not None:
                self.start_celery()
        except Exception as error:
            log(f"could not revive the stack: {error}")

    def teardown(self) -> None:
        log("stopping everything the chaos run started")
        self.processes.stop_all()
        if not self.args.keep:
            try:
                self.stack.drop_databases()
                self.stack.flush_redis()
            except Exception as error:
                log(f"cleanup: {error}")
            for folder in self.workdir.glob("prometheus-*"):
                shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.workdir / "media", ignore_errors=True)

    def finish(self, *, interrupted: bool) -> None:
        self.results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.results["duration_s"] = round(time.time() - self.started, 1)
        suffix = "-quick" if self.args.quick else ""
        self.args.results_dir.mkdir(parents=True, exist_ok=True)
        path = self.args.results_dir / f"chaos-{self.run_id}{suffix}.json"
        path.write_text(json.dumps(self.results, indent=1, default=str) + "\n")
        log(f"results: {path}")
        history = chaos_report.load_runs(self.args.results_dir)
        if not self.args.quick and all(r["run_id"] != self.run_id for r in history):
            history.append(self.results)
        section = chaos_report.render_section(self.results, history)
        target = self.args.reliability_md
        if self.args.quick or interrupted or self.args.no_report:
            preview = self.workdir / "RELIABILITY-preview.md"
            if target.exists():
                shutil.copyfile(target, preview)
            target = preview
        chaos_report.update_markdown(target, section)
        log(f"report: {target}")
        for name, scenario in self.results["scenarios"].items():
            verdict = scenario["verdict"]
            log(f"  {'met' if verdict['met'] else 'NOT MET':>8}  {name}: {verdict['summary']}")


def _counts(values) -> dict:
    counts: dict = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def _describe_page(status: int, headers: dict, body: bytes) -> dict:
    text = body.decode("utf-8", "replace")
    return {
        "status": status,
        "content_type": headers.get("content-type", ""),
        "traceback_shown": "Traceback" in text or "OperationalError" in text,
        "html": "<html" in text.lower(),
        "bytes": len(body),
        "title": _between(text, "<title>", "</title>")[:120],
    }


def _between(text: str, start: str, end: str) -> str:
    i = text.find(start)
    if i < 0:
        return ""
    j = text.find(end, i + len(start))
    return text[i + len(start) : j if j >= 0 else None].strip()


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()


def main(argv=None) -> int:
    install_signal_handlers()
    args = parse_args(argv)
    atexit_restore()
    return Chaos(args).execute()


def atexit_restore() -> None:
    import atexit

    atexit.register(restore_services)


if __name__ == "__main__":
    sys.exit(main())
