"""The benchmark runner: `make bench` (full) and `make bench-smoke` (seconds of load, tiny data).

    .venv/bin/python -m bench.run [--smoke] [options]        (BENCH_ARGS="..." through make)

Phases, in order, each recorded in bench/results/<run id>.json:
  setup     own PostgreSQL database (created and dropped here), own Redis databases, migrate,
            collectstatic, seed_demo, then Gunicorn (config/gunicorn.conf.py) and a Celery
            worker on 127.0.0.1, exactly as `make serve` starts them; nothing is warmed by hand
  queries   SQL queries per request per page (in-process, see bench/queries.py)
  scenario  the Locust user scenario (bench/locustfile.py), then the workers' memory
  capacity  wrk: each page, the bare-Django ceiling and the anonymous mix, at each connection
            count
  hot       the hot event: many buyers, few tickets (bench/hot_event.py)
  growth    cold server time of the main pages at each data size (bench/growth.py)
Everything started is stopped on exit, on error and on Ctrl-C.

Exit status: 0 when every phase ran, 1 when the harness itself failed (a phase could not run),
130 when interrupted. Missed performance targets and unbuilt pages (501) are reported, not
turned into a failure.
"""

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench import report
from bench.capacity import ensure_wrk, run_wrk, wrk_version
from bench.growth import measure, page_paths, warm_workers
from bench.hot_event import run_hot_event
from bench.procs import HarnessError, ManagedProcesses, install_signal_handlers, log
from bench.services import Services
from bench.stack import BIN, ROOT, Stack, StackConfig, wait_for_port_free
from bench.sysmon import CpuMonitor, default_groups, worker_memory

PHASES = report.PHASES

FULL = {
    "events": 20_000,
    "users": 5_000,
    "hosts": 200,
    "bookings": 20_000,
    "reviews": 10_000,
    "locust_users": 500,
    "spawn_rate": 50,
    "duration": 120,
    "wrk_duration": 30,
    "connections": "100,500",
    "growth_sizes": "1000,100000",
    "growth_samples": 30,
    "hot_users": 200,
    "hot_capacity": 100,
}
SMOKE = {
    "events": 300,
    "users": 80,
    "hosts": 6,
    "bookings": 200,
    "reviews": 100,
    "locust_users": 20,
    "spawn_rate": 10,
    "duration": 8,
    "wrk_duration": 2,
    "connections": "20",
    "growth_sizes": "60",
    "growth_samples": 3,
    "hot_users": 30,
    "hot_capacity": 10,
    "images": 3,
    "cities": 5,
}
SEED_OPTIONS = ("events", "users", "hosts", "bookings", "reviews")
ANONYMOUS_MIX = {  # the Locust anonymous weights, reused for the wrk mix
    "home": 10,
    "search": 8,
    "event": 6,
    "category": 3,
    "city": 2,
    "autocomplete": 4,
    "load_more": 2,
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="EventMate benchmark (see BENCHMARKS.md). Defaults are the issue's; "
        "--smoke picks seconds of load on tiny data.",
    )
    parser.add_argument("--smoke", action="store_true", help="a short run that checks the harness")
    data = parser.add_argument_group("data set (seed_demo)")
    for name in SEED_OPTIONS:
        data.add_argument(f"--{name}", type=int, help=f"default {FULL[name]:,}")
    data.add_argument("--images", type=int, help="seed_demo's artwork pool (its default)")
    data.add_argument("--cities", type=int, help="seed_demo's cities (its default: all)")
    load = parser.add_argument_group("user scenario (Locust)")
    load.add_argument("--locust-users", type=int, help="concurrent users (500)")
    load.add_argument("--spawn-rate", type=float, help="users started per second (50)")
    load.add_argument("--duration", type=int, help="seconds of load (120)")
    load.add_argument("--signed-in-share", type=float, default=0.30)
    load.add_argument("--host-share", type=float, default=0.05)
    load.add_argument(
        "--login-share",
        type=float,
        default=0.10,
        help="share of signed-in visitors who log in through the form",
    )
    load.add_argument(
        "--miss-rate",
        type=float,
        default=0.03,
        help="share of event pages / searches that are 404s / find nothing",
    )
    cap = parser.add_argument_group("capacity (wrk)")
    cap.add_argument("--wrk-duration", type=int, help="seconds per run (30)")
    cap.add_argument("--connections", help="comma-separated connection counts (100,500)")
    cap.add_argument("--wrk-threads", type=int, default=2)
    cap.add_argument("--wrk-timeout", type=int, default=5, help="seconds before wrk gives up")
    growth = parser.add_argument_group("growth")
    growth.add_argument("--growth-sizes", help="event counts (1000,100000)")
    growth.add_argument("--growth-huge", action="store_true", help="also 1,000,000 events")
    growth.add_argument("--growth-samples", type=int, help="requests per page and size (30)")
    hot = parser.add_argument_group("hot event")
    hot.add_argument("--hot-users", type=int, help="buyers at once (200)")
    hot.add_argument("--hot-capacity", type=int, help="tickets (100)")
    run = parser.add_argument_group("run")
    run.add_argument("--phases", default=",".join(PHASES), help=f"subset of {','.join(PHASES)}")
    run.add_argument("--port", type=int, default=8700, help="app port (8700-8799)")
    run.add_argument("--db-name", default="eventmate_bench")
    run.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    run.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
    )
    run.add_argument("--redis-dbs", default="10,11", help="cache,broker database numbers")
    run.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the app, e.g. WEB_CONCURRENCY=4",
    )
    run.add_argument("--results-dir", type=Path, default=report.RESULTS_DIR)
    run.add_argument("--benchmarks-md", type=Path, default=report.BENCHMARKS_MD)
    run.add_argument("--no-report", action="store_true", help="do not touch BENCHMARKS.md")
    run.add_argument("--keep", action="store_true", help="keep the database and work folder")
    args = parser.parse_args(argv)

    preset = SMOKE if args.smoke else FULL
    for name, value in preset.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    args.connections = [int(c) for c in str(args.connections).split(",") if c.strip()]
    sizes = [int(s) for s in str(args.growth_sizes).split(",") if s.strip()]
    if args.growth_huge:
        sizes.append(1_000_000)
    args.growth_sizes = sorted(set(sizes))
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if not 8700 <= args.port <= 8799:
        parser.error("--port must be in 8700-8799 (the benchmark's range)")
    args.cache_db, args.broker_db = (int(n) for n in args.redis_dbs.split(","))
    args.extra_env = dict(item.split("=", 1) for item in args.env)
    return args


# ----------------------------------------------------------------------------------------------
# Facts about the machine and the software
# ----------------------------------------------------------------------------------------------
def machine_facts() -> dict:
    import psutil

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def git_facts() -> dict:
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for name in ("Django", "gunicorn", "psycopg", "celery", "redis", "locust"):
        try:
            versions[name.lower() if name != "redis" else "redis-py"] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name.lower()] = None
    return versions


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------
class Run:
    def __init__(self, args):
        self.args = args
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.workdir = ROOT / "var" / "bench" / self.run_id
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.processes = ManagedProcesses()
        self.stack = Stack(
            StackConfig(
                workdir=self.workdir,
                port=args.port,
                db_name=args.db_name,
                pg_admin_url=args.pg_admin_url,
                redis_url=args.redis_url,
                cache_db=args.cache_db,
                broker_db=args.broker_db,
                extra_env=args.extra_env,
            ),
            self.processes,
        )
        self.services = Services(
            pg_url=args.pg_admin_url, redis_url=args.redis_url, workdir=self.workdir
        )
        self.started = time.time()
        self.data: dict = {}
        self.data_file = self.workdir / "bench-data.json"
        self.wrk = None
        self.results = {
            "schema": report.SCHEMA,
            "run_id": self.run_id,
            "mode": "smoke" if args.smoke else "full",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "git": git_facts(),
            "machine": machine_facts(),
            "versions": package_versions(),
            "settings": {"options": self._options()},
            "problems": [],
            "phase_errors": {},
            "workdir": str(self.workdir.relative_to(ROOT)),
        }

    def _options(self) -> dict:
        return {
            key: _redact(str(value)) if isinstance(value, (Path, str)) else value
            for key, value in vars(self.args).items()
            if key != "env"
        }

    # ---------------------------------------------------------------- helpers
    def cpu_monitor(self, *generator_names: str) -> CpuMonitor:
        return CpuMonitor(
            default_groups(
                app_pid=self.stack.gunicorn.pid if self.stack.gunicorn else None,
                celery_pid=self.stack.celery.pid if self.stack.celery else None,
                db_name=self.args.db_name,
                generator_pids=lambda: (
                    self.processes.pids(*generator_names) if generator_names else [os.getpid()]
                ),
            )
        )

    def prepare(self, command: str, *extra, out_name: str) -> dict:
        out = self.workdir / out_name
        self.stack.python_module(
            "bench.prepare",
            command,
            "--out",
            out,
            *extra,
            log_name=f"prepare-{command}",
            timeout=900,
        )
        return json.loads(out.read_text())

    def seed(self, events: int) -> None:
        if not self.stack.seed_demo_available():
            raise HarnessError(
                "eventmate/demo/management/commands/seed_demo.py does not exist yet: the "
                "benchmark needs `manage.py seed_demo` to build its data set"
            )
        supported = self.seed_options_supported()
        sizes = {name: getattr(self.args, name) for name in SEED_OPTIONS}
        sizes["events"] = events
        for name in ("images", "cities"):
            if getattr(self.args, name) is not None:
                sizes[name] = getattr(self.args, name)
        options = []
        for name, value in sizes.items():
            if f"--{name}" in supported:
                options += [f"--{name}", str(value)]
            else:
                self.problem(f"seed_demo has no --{name} option; its default was used")
        log(f"seeding: {' '.join(options) or 'defaults'}")
        self.stack.manage("seed_demo", *options, log_name=f"seed-{events}", timeout=4 * 3600)

    _seed_help: str | None = None

    def seed_options_supported(self) -> str:
        if self._seed_help is None:
            self.stack.manage("seed_demo", "--help", log_name="seed-help", timeout=120)
            self._seed_help = (self.stack.logs / "seed-help.log").read_text(errors="replace")
        return self._seed_help

    def problem(self, text: str) -> None:
        if text not in self.results["problems"]:
            self.results["problems"].append(text)
            log(f"note: {text}")

    def note_shared_machine(self, phase: str, cpu: dict) -> None:
        other = cpu.get("other", {}).get("avg", 0)
        if other >= 25:
            self.problem(
                f"during {phase} other processes used {other:g} % of a core on average: "
                "the machine was shared, so the figures understate the app"
            )

    def anonymous_paths(self) -> dict[str, str]:
        data = self.data
        city = (data.get("cities") or [{"slug": "new-york", "name": "New York"}])[0]
        keyword = (data.get("keywords") or ["music"])[0]
        return {
            "home": "/",
            "search": "/events/?" + urlencode({"q": keyword, "location": city["name"]}),
            "event": f"/event/{(data.get('events') or ['none'])[0]}/",
            "city": f"/city/{city['slug']}/",
            "autocomplete": "/search/autocomplete/?"
            + urlencode({"q": (data.get("prefixes") or ["mus"])[0]}),
            "health": "/health/",
        }

    def mix_paths(self, count: int = 1000) -> list[str]:
        """Anonymous URLs in the Locust mix's proportions, drawn from the seeded data."""
        rng = random.Random(7)
        data = self.data
        cities = data.get("cities") or [{"slug": "new-york", "name": "New York"}]
        makers = {
            "home": lambda: "/",
            "search": lambda: (
                "/events/?"
                + urlencode(
                    {
                        "q": rng.choice(data["keywords"] or ["music"]),
                        "location": rng.choice(cities)["name"],
                    }
                )
            ),
            "event": lambda: f"/event/{rng.choice(data['events'] or ['none'])}/",
            "category": lambda: f"/events/?category={rng.choice(data['categories'])}",
            "city": lambda: f"/city/{rng.choice(cities)['slug']}/",
            "autocomplete": lambda: (
                "/search/autocomplete/?" + urlencode({"q": rng.choice(data["prefixes"] or ["mus"])})
            ),
            "load_more": lambda: f"/city/{rng.choice(cities)['slug']}/?page=2&partial=1",
        }
        kinds = list(ANONYMOUS_MIX)
        weights = [ANONYMOUS_MIX[k] for k in kinds]
        return [makers[rng.choices(kinds, weights)[0]]() for _ in range(count)]

    # ---------------------------------------------------------------- phases
    def setup(self) -> None:
        args = self.args
        if "capacity" in args.phases:
            self.wrk = ensure_wrk()
            self.results["versions"]["wrk"] = wrk_version(self.wrk)
        if "scenario" in args.phases and not (BIN / "locust").exists():
            raise HarnessError("Locust is not installed in the venv: run `make install`")
        self.services.ensure()
        wait_for_port_free(args.port)
        log(
            f"database {args.db_name}, Redis {args.redis_url} dbs {args.redis_dbs}, "
            f"work folder {self.workdir.relative_to(ROOT)}"
        )
        self.stack.recreate_database()
        self.stack.flush_redis()
        self.results["versions"]["postgresql"] = self.stack.postgres_version()
        self.results["versions"]["redis-server"] = self.stack.redis_version()
        log("migrate")
        self.stack.manage("migrate", "--noinput", log_name="migrate", timeout=900)
        if "growth" in args.phases:
            self.stack.save_template()
        self.stack.collectstatic()
        self.seed(args.events)
        # Sessions and samples need only the database, so this runs before the servers start.
        pool = max(args.locust_users, 10)
        self.data = self.prepare(
            "sample",
            "--users",
            str(pool),
            "--hosts",
            str(max(pool // 10, 5)),
            "--login-share",
            str(args.login_share),
            out_name="bench-data.json",
        )
        self.results["data"] = self.data["counts"]
        if not self.data["events"]:
            self.problem("the seeded data has no upcoming published events")
        log("starting gunicorn and celery")
        self.stack.start()
        gunicorn = self.stack.gunicorn_settings()
        env = self.stack.env()
        self.results["settings"]["gunicorn"] = gunicorn
        self.results["settings"]["env"] = {
            key: _redact(env[key])
            for key in sorted(env)
            if key
            in (
                "DATABASE_URL",
                "REDIS_URL",
                "CELERY_BROKER_URL",
                "BENCH_CEILING",
                "TRUSTED_PROXIES",
                "SERVER_TIMING",
                "PAYMENT_PROVIDER",
            )
            or key.startswith(("GUNICORN_", "WEB_CONCURRENCY", "PAGE_CACHE", "RATELIMIT"))
            or key in args.extra_env
        }
        log(f"gunicorn: {gunicorn.get('workers')} x {gunicorn.get('worker_class')}")

    def phase_queries(self) -> None:
        out = self.workdir / "queries.json"
        self.stack.python_module(
            "bench.queries",
            "--data",
            self.data_file,
            "--out",
            out,
            log_name="queries",
            timeout=600,
        )
        self.results["queries"] = json.loads(out.read_text())
        # The pass above filled the cache; the scenario must start as cold as after a deploy.
        self.stack.flush_redis(self.args.cache_db)

    def phase_scenario(self) -> None:
        args = self.args
        out = self.workdir / "locust-summary.json"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BENCH_DATA": str(self.data_file),
            "BENCH_LOCUST_OUT": str(out),
            "BENCH_MISS_RATE": str(args.miss_rate),
            "BENCH_SIGNED_IN_SHARE": str(args.signed_in_share),
            "BENCH_HOST_SHARE": str(args.host_share),
        }
        command = [
            BIN / "locust",
            "-f",
            ROOT / "bench/locustfile.py",
            "--headless",
            "--host",
            self.stack.base_url,
            "-u",
            str(args.locust_users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.duration}s",
            "--stop-timeout",
            "10",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
            "--csv",
            self.workdir / "locust",
        ]
        log(f"scenario: {args.locust_users} users, ramp {args.spawn_rate}/s, {args.duration} s")
        with self.cpu_monitor("locust") as monitor:
            self.processes.run(
                "locust",
                command,
                env=env,
                cwd=ROOT,
                log_path=self.stack.logs / "locust.log",
                timeout=args.duration + 180,
            )
        if not out.exists():
            raise HarnessError("Locust wrote no summary (see logs/locust.log)")
        summary = json.loads(out.read_text())
        summary["config"] = {
            "users": args.locust_users,
            "spawn_rate": args.spawn_rate,
            "duration_s": args.duration,
            "think_time_s": [1, 3],
            "signed_in_share": args.signed_in_share,
            "host_share": args.host_share,
            "login_share": args.login_share,
            "miss_rate": args.miss_rate,
        }
        summary["cpu"] = monitor.result()
        self.results["scenario"] = summary
        if not summary.get("requests"):
            raise HarnessError("the user scenario made no requests")
        for name in summary.get("missing_pages", []):
            self.problem(f"not built yet (501): {name}")
        limited = summary.get("statuses", {}).get("429", 0)
        if limited:
            self.problem(f"{limited} requests were rate limited (429) during the scenario")
        errors = sum(
            n for s, n in summary.get("statuses", {}).items() if s.startswith("5") and s != "501"
        )
        if errors:
            self.problem(f"{errors} server errors (5xx other than 501) during the scenario")
        self.note_shared_machine("the user scenario", summary["cpu"])
        generator = summary["cpu"].get("generator", {}).get("max", 0)
        if generator >= 90:
            self.problem(
                f"Locust reached {generator:g} % of a core: the generator may be the limit"
            )
        workers = worker_memory(self.stack.worker_pids())
        self.results["memory"] = {
            "when": "right after the user scenario",
            "workers": workers,
            "max_rss_mb": max((w["rss_mb"] for w in workers), default=None),
            "max_uss_mb": max((w["uss_mb"] for w in workers), default=None),
        }

    def _wrk(self, label: str, paths: list[str], connections: int) -> dict:
        with self.cpu_monitor("wrk") as monitor:
            result = run_wrk(
                processes=self.processes,
                binary=self.wrk,
                base_url=self.stack.base_url,
                paths=paths,
                connections=connections,
                duration=self.args.wrk_duration,
                threads=self.args.wrk_threads,
                timeout_s=self.args.wrk_timeout,
                workdir=self.workdir,
                label=label,
                env=dict(os.environ),
            )
        cpu = monitor.result()
        self.results["capacity"]["cpu"][f"{label} c{connections}"] = cpu
        lat = result["latency_ms"]
        log(
            f"  {label} c{connections}: {result['requests_per_s']:,.0f} req/s, p50 {lat['p50']} "
            f"p99 {lat['p99']} ms, {result['failed']} errors"
        )
        return result

    def _target(self, name: str, path: str) -> dict:
        status, _headers, _body = self.stack.probe(path, headers={"X-Forwarded-For": "10.99.0.1"})
        entry = {"path": path, "status": status}
        if status == 501:
            entry["skipped"] = "not built yet (501)"
        elif status == 404 and name == "ceiling":
            entry["skipped"] = "ceiling view not routed (BENCH_CEILING=1 ignored?)"
        elif status != 200:
            entry["skipped"] = f"answers {status}"
        if entry.get("skipped"):
            self.problem(f"capacity {name} ({path}): {entry['skipped']}")
            return entry
        second = self.stack.probe(path, headers={"X-Forwarded-For": "10.99.0.2"})[1]
        entry["page_cache"] = second.get("X-Page-Cache", "")
        entry["runs"] = {}
        for connections in self.args.connections:
            entry["runs"][str(connections)] = self._wrk(name, [path], connections)
        return entry

    def phase_capacity(self) -> None:
        self.results["capacity"] = {
            "connections": self.args.connections,
            "duration_s": self.args.wrk_duration,
            "threads": self.args.wrk_threads,
            "pages": {},
            "cpu": {},
        }
        capacity = self.results["capacity"]
        log("capacity: bare Django ceiling")
        capacity["ceiling"] = self._target("ceiling", "/bench/ceiling/")
        for name, path in self.anonymous_paths().items():
            log(f"capacity: {name}")
            capacity["pages"][name] = self._target(name, path)
        paths = self.mix_paths()
        statuses = {}
        for path in sorted(set(paths))[:50]:
            code = str(self.stack.probe(path, headers={"X-Forwarded-For": "10.99.0.3"})[0])
            statuses[code] = statuses.get(code, 0) + 1
        capacity["mix"] = {
            "paths": len(paths),
            "distinct": len(set(paths)),
            "statuses_of_50_checked": statuses,
            "runs": {},
        }
        if set(statuses) - {"200"}:
            self.problem(f"the wrk mix has non-200 URLs: {statuses} (they count as errors)")
        self.stack.flush_redis(self.args.cache_db)  # the mix starts cold, like a deploy
        log(f"capacity: anonymous mix of {len(set(paths))} URLs")
        for connections in self.args.connections:
            capacity["mix"]["runs"][str(connections)] = self._wrk("mix", paths, connections)
        others = [cpu.get("other", {}).get("avg", 0) for cpu in capacity["cpu"].values()]
        if others:
            self.note_shared_machine("the wrk runs", {"other": {"avg": max(others)}})

    def phase_hot(self) -> None:
        args = self.args
        hot = self.prepare(
            "hot-event",
            "--capacity",
            str(args.hot_capacity),
            "--users",
            str(args.hot_users),
            out_name="hot-event.json",
        )
        log(f"hot event: {len(hot['users'])} buyers, {hot['capacity']} tickets")
        with self.cpu_monitor() as monitor:
            result = run_hot_event(port=args.port, hot=hot, cookies=self.data["cookies"])
        result["cpu"] = monitor.result()
        if not result.get("skipped"):
            for _attempt in range(5):
                check = self.prepare("hot-check", "--slug", hot["slug"], out_name="hot-check.json")
                if check["tickets_held"] == 0 or check["tickets_sold"] >= check["capacity"]:
                    break
                time.sleep(2)
            result["check"] = check
            result["exactly_capacity_sold"] = check["tickets_sold"] == check["capacity"]
            if check["tickets_sold"] > check["capacity"]:
                self.problem("the hot event OVERSOLD")
            log(
                f"hot event: {check['tickets_sold']} sold of {check['capacity']}, "
                f"{result['holds_per_s']} holds/s"
            )
        else:
            self.problem(f"hot event skipped: {result['skipped']}")
        self.results["hot_event"] = result

    def phase_growth(self) -> None:
        args = self.args
        growth = {
            "sizes": {},
            "samples": args.growth_samples,
            "method": "Redis cache emptied before every request, one request at a time, "
            "workers past their first requests",
        }
        self.results["growth"] = growth
        for size in args.growth_sizes:
            log(f"growth: {size:,} events")
            self.stack.stop()
            self.stack.flush_redis()
            self.stack.recreate_database(from_template=True)
            self.seed(size)
            data = self.prepare(
                "sample",
                "--users",
                "0",
                "--hosts",
                "0",
                "--login-share",
                "0",
                out_name=f"growth-data-{size}.json",
            )
            counts = data["counts"]
            self.stack.start()
            paths = page_paths(data, random.Random(size), args.growth_samples)
            warm_workers(
                base_url=self.stack.base_url,
                paths=paths,
                workers=len(self.stack.worker_pids()),
            )
            pages = measure(
                base_url=self.stack.base_url,
                paths=paths,
                flush_cache=lambda: self.stack.flush_redis(args.cache_db),
            )
            growth["sizes"][str(size)] = {"data": counts, "pages": pages}
            sources = {page["source"] for page in pages.values()}
            growth["time_source"] = "server-timing" if sources == {"server-timing"} else "client"
            for kind, page in pages.items():
                log(
                    f"  {kind}: p50 {page['ms'].get('p50')} p95 {page['ms'].get('p95')} ms "
                    f"({page['source']}, {page['statuses']})"
                )
        if growth.get("time_source") == "client":
            self.problem("growth: the app sent no Server-Timing header; client times were used")

    # ---------------------------------------------------------------- driver
    def execute(self) -> int:
        interrupted = False
        timings = self.results.setdefault("timings_s", {})
        try:
            started = time.monotonic()
            try:
                self.setup()
            except Exception as error:  # any failure here stops the run
                self.results["phase_errors"]["setup"] = _describe(error)
                log(f"setup failed: {_describe(error)}")
                return 1
            finally:
                timings["setup"] = round(time.monotonic() - started, 1)
            for phase in PHASES:
                if phase not in self.args.phases:
                    continue
                log(f"== {phase}")
                started = time.monotonic()
                try:
                    getattr(self, f"phase_{phase}")()
                except Exception as error:  # record it, go on with the others
                    self.results["phase_errors"][phase] = _describe(error)
                    log(f"{phase} failed: {_describe(error)}")
                    traceback.print_exc()
                timings[phase] = round(time.monotonic() - started, 1)
            return 1 if self.results["phase_errors"] else 0
        except (KeyboardInterrupt, SystemExit) as stop:  # Ctrl-C, SIGTERM, SIGHUP
            interrupted = True
            self.results["phase_errors"]["interrupted"] = "stopped by Ctrl-C or a signal"
            log("interrupted")
            return 130 if isinstance(stop, KeyboardInterrupt) else int(stop.code or 1)
        finally:
            started = time.monotonic()
            self.teardown()
            timings["teardown"] = round(time.monotonic() - started, 1)
            self.finish(interrupted=interrupted)

    def teardown(self) -> None:
        log("stopping everything the benchmark started")
        self.stack.stop()
        self.processes.stop_all()
        if not self.args.keep:
            try:
                self.stack.drop_databases()
                self.stack.flush_redis()
            except Exception as error:  # report, but never mask the run's own outcome
                log(f"cleanup: {error}")
            self.services.stop_started()
            for folder in ("media", "prometheus"):
                shutil.rmtree(self.workdir / folder, ignore_errors=True)

    def finish(self, *, interrupted: bool) -> None:
        self.results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.results["duration_s"] = round(time.time() - self.started, 1)
        self.results["targets"] = report.evaluate_targets(self.results)
        path = report.write_results(self.results, self.args.results_dir)
        log(f"results: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        history = [
            r for r in report.load_results(self.args.results_dir) if r["run_id"] != self.run_id
        ]
        section = report.render_section(self.results, history)
        target = self.args.benchmarks_md
        if self.args.smoke or interrupted or self.args.no_report:
            # Exercise the generator on a copy: a smoke run must not replace real figures.
            preview = self.workdir / "BENCHMARKS-preview.md"
            if target.exists():
                shutil.copyfile(target, preview)
            target = preview
        report.update_benchmarks_md(target, section)
        log(f"report: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        for target_line in self.results["targets"]:
            log(f"  {target_line['status']:>12}  {target_line['name']}: {target_line['measured']}")


def _redact(value: str) -> str:
    """A URL without its password: results files are committed."""
    parts = urlsplit(value)
    if parts.scheme and parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return value


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception_only(error)).strip()


def main(argv=None) -> int:
    install_signal_handlers()
    args = parse_args(argv)
    return Run(args).execute()


if __name__ == "__main__":
    sys.exit(main())
