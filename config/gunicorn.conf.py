"""Gunicorn configuration for `make serve` and `make run`. Every value can be overridden from
the environment; the defaults are what the measurements below showed best on 2 cores."""

import multiprocessing
import os
import tempfile
from pathlib import Path

bind = os.environ.get("BIND", "127.0.0.1:8000")
cores = multiprocessing.cpu_count()

# Worker class: gthread, one process per core plus one, with 6 threads each. Measured with wrk
# on this 2-core machine (PostgreSQL + Redis, demo data, rate limiting on; BENCHMARKS.md):
#   cached anonymous home page, 200 connections:  gthread 2x8  848-1006 req/s, p50 138-169 ms
#                                                 sync 5        698-725 req/s,  p50 272-275 ms
#   same, 500 connections:                        gthread 2x8  926-934 req/s,  p99 ~900 ms
#                                                 sync 5        650-778 req/s,  p99 715-812 ms
#   uncached event page (CPU-bound), 64 conns:    all within noise, 80-108 req/s
# Threads keep keep-alive connections (nginx's upstream pool, browsers) open without holding a
# whole process each; rendering is CPU-bound, so more threads (2x16) only added contention.
# One process more than cores: keep-alive connections stay with the process that accepted
# them, and a burst of new connections (a load balancer's pool filling, wrk starting) can land
# mostly on one process, which then works alone on one core while the other idles. With two
# processes that halved throughput in 2 of 10 runs (cached event page, 100 connections, 5 s
# each: 2x8 1,176-3,208 req/s; 3x6 2,928-3,173 req/s, no collapse). The price: the 500-user
# scenario (its users arrive over ten seconds, so it never saw the collapse) used 5-10 % more
# CPU with three processes, and its p95 stayed within the spread between runs (3x6 346-777 ms,
# 2x8 238-651 ms over the same hour, BENCHMARKS.md).
# gevent was not used: the work is CPU-bound (nothing to overlap), and it would need monkey
# patching that preload_app makes fragile. Database: one persistent connection per thread
# (CONN_MAX_AGE) measured the same as psycopg's pool (DB_POOL) with these threads, and is
# simpler; PostgreSQL sees at most workers x threads connections per instance.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "6"))

backlog = int(os.environ.get("GUNICORN_BACKLOG", "2048"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never grow without bound; the jitter keeps
# them from all restarting at the same moment. Rarely: at 5,000 the benchmark saw a worker
# replaced every 10-20 s under load, each replacement dropping its keep-alive connections
# onto the other worker and starting with cold template and connection caches.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "10000"))
# Load Django once in the master: workers fork with the code already imported (faster starts,
# shared memory pages). Database and Redis connections are opened lazily, after the fork.
# With preload, HUP replaces the workers (new settings from the environment) but keeps the
# code the master loaded: deploy new code by restarting the instances one at a time behind
# nginx (DEPLOYMENT.md), or set GUNICORN_PRELOAD=false so that HUP loads new code too.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in ("1", "true", "yes", "on")
# Gunicorn's own access line (with the request time, %(D)s microseconds) besides the app's
# JSON line per request; GUNICORN_ACCESS_LOG=- turns it on (stdout), a path writes a file.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s" %({x-request-id}o)s'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn's control socket (gunicornc): one per bound address, so that several instances on
# one host (eventmate-web@8000 and @8001) do not take each other's.
safe_bind = "".join(ch if ch.isalnum() else "_" for ch in bind)
control_socket = str(Path(tempfile.gettempdir()) / f"eventmate-gunicorn-{safe_bind}.ctl")

# Prometheus multiprocess mode: each worker writes its metrics to files in this folder and
# /metrics/ merges them. It must be in the environment before prometheus_client is imported,
# i.e. before the app is loaded, so it is decided here. One folder per bound address, so two
# instances on one host never mix their numbers.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(
        Path(tempfile.gettempdir()) / f"eventmate-prometheus-{safe_bind}"
    )
PROMETHEUS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
# Needed before on_starting: preload_app imports the app (and so prometheus_client, which opens
# its files) while the arbiter is set up, before it calls on_starting.
PROMETHEUS_DIR.mkdir(parents=True, exist_ok=True)


def on_starting(server):
    """Start every run with empty metrics: files of a previous run's workers would otherwise
    be merged in forever. Runs once per master start (not on HUP, which keeps the counts).
    Only *.db files are removed, never the folder's other content. The files the master has
    just created while preloading go too; workers open their own after the fork."""
    for stale in PROMETHEUS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)


def when_ready(server):
    # preload_app imported Django in the master; drop any connection it may have opened so no
    # worker inherits (and shares) a socket. Without preload the master never loads Django.
    if not server.cfg.preload_app:
        return
    from django.db import connections

    connections.close_all()


def child_exit(server, worker):
    """A worker ended (recycled, crashed, or killed): its live gauges stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(PROMETHEUS_DIR))
