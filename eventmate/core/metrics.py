"""Prometheus metrics, aggregated across every Gunicorn worker.

With PROMETHEUS_MULTIPROC_DIR set in the environment before this module is imported (the
Gunicorn config does it), prometheus_client keeps each worker's values in memory-mapped files
in that folder and /metrics/ merges them; the folder is wiped when Gunicorn starts and dead
workers are marked (config/gunicorn.conf.py). Without it (runserver, tests) values live in the
process.

Business counters for other apps to increment (import this module; core imports no app):
    BOOKING_HOLDS.inc()          a booking was placed on hold
    BOOKING_CONFIRMATIONS.inc()  a booking was confirmed (paid or free)
    BOOKING_EXPIRIES.inc()       a hold expired and released its tickets
    BOOKING_REFUNDS.inc()        a booking was refunded
Increment them after commit (transaction.on_commit) so rolled-back work is never counted.
"""

import os

from django.conf import settings

# prometheus_client switches to multiprocess mode when the variable merely exists, and an empty
# value would then scatter its files into the working directory (a blank line in an
# environment file is enough). Empty means unset.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR", None) == "":
    del os.environ["PROMETHEUS_MULTIPROC_DIR"]

from prometheus_client import (  # after the guard above, on purpose
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "eventmate_http_requests",
    "HTTP requests answered, by route (URL name), method and status code.",
    ["route", "method", "status"],
)
REQUEST_LATENCY = Histogram(
    "eventmate_http_request_duration_seconds",
    "Time from the first middleware to the response, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0),
)
QUERIES_PER_REQUEST = Histogram(
    "eventmate_db_queries_per_request",
    "SQL statements run while answering one request, by route.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100),
)
PAGE_CACHE = Counter(
    "eventmate_page_cache_lookups",
    "Anonymous whole-page cache lookups: hit (fresh copy), stale (previous copy served while "
    "another worker recomputes), miss (rendered by the view).",
    ["result"],
)
RATE_LIMITED = Counter(
    "eventmate_rate_limited_requests",
    "Requests refused with 429, by limit (site, login, signup, password-reset).",
    ["scope"],
)
REDIS_OUTAGES = Counter(
    "eventmate_redis_outages",
    "Times a worker found Redis unreachable and switched to running without it.",
)
DATABASE_UNAVAILABLE = Counter(
    "eventmate_database_unavailable_responses",
    "Requests answered 503 because the database could not be reached.",
)
BOOKING_HOLDS = Counter("eventmate_booking_holds", "Bookings placed on hold.")
BOOKING_CONFIRMATIONS = Counter("eventmate_booking_confirmations", "Bookings confirmed.")
BOOKING_EXPIRIES = Counter("eventmate_booking_expiries", "Holds that expired.")
BOOKING_REFUNDS = Counter("eventmate_booking_refunds", "Bookings refunded.")

_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe_request(*, route: str, method: str, status: int, seconds: float, queries: int):
    # Unknown methods would each make a new time series: a client could grow them at will.
    method = method if method in _KNOWN_METHODS else "OTHER"
    REQUESTS.labels(route, method, str(status)).inc()
    REQUEST_LATENCY.labels(route).observe(seconds)
    QUERIES_PER_REQUEST.labels(route).observe(queries)


def multiprocess_dir() -> str:
    # settings.py reads it from the environment, where the Gunicorn config put it.
    return settings.PROMETHEUS_MULTIPROC_DIR


def collect_registry():
    """The registry to expose: the merged files of every worker, or this process's own."""
    path = multiprocess_dir()
    if path and os.path.isdir(path):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=path)
        return registry
    return REGISTRY


def render_text(registry) -> bytes:
    return generate_latest(registry)


def _histogram_quantile(buckets: list[tuple[float, float]], quantile: float):
    """Upper bound of the bucket holding the quantile (cumulative `le` buckets)."""
    if not buckets or buckets[-1][1] == 0:
        return None
    target = buckets[-1][1] * quantile
    for bound, cumulative in buckets:
        if cumulative >= target:
            return bound
    return None


def summary(registry) -> dict:
    """A short, human-readable digest of the metrics for /metrics/?format=json."""
    requests_by_status: dict[str, float] = {}
    requests_total = 0.0
    latency_sum = latency_count = queries_sum = queries_count = 0.0
    latency_buckets: dict[float, float] = {}
    page_cache: dict[str, float] = {"hit": 0.0, "stale": 0.0, "miss": 0.0}
    rate_limited = 0.0
    business = {"holds": 0.0, "confirmations": 0.0, "expiries": 0.0, "refunds": 0.0}
    redis_outages = 0.0
    database_unavailable = 0.0
    for family in registry.collect():
        for sample in family.samples:
            name, labels, value = sample.name, sample.labels, sample.value
            if name == "eventmate_http_requests_total":
                requests_total += value
                status_class = f"{labels.get('status', '?')[:1]}xx"
                requests_by_status[status_class] = requests_by_status.get(status_class, 0) + value
            elif name == "eventmate_http_request_duration_seconds_sum":
                latency_sum += value
            elif name == "eventmate_http_request_duration_seconds_count":
                latency_count += value
            elif name == "eventmate_http_request_duration_seconds_bucket":
                bound = float(labels["le"])
                latency_buckets[bound] = latency_buckets.get(bound, 0) + value
            elif name == "eventmate_db_queries_per_request_sum":
                queries_sum += value
            elif name == "eventmate_db_queries_per_request_count":
                queries_count += value
            elif name == "eventmate_page_cache_lookups_total":
                result = labels.get("result", "?")
                page_cache[result] = page_cache.get(result, 0) + value
            elif name == "eventmate_rate_limited_requests_total":
                rate_limited += value
            elif name == "eventmate_redis_outages_total":
                redis_outages += value
            elif name == "eventmate_database_unavailable_responses_total":
                database_unavailable += value
            elif name.startswith("eventmate_booking_") and name.endswith("_total"):
                business[name[len("eventmate_booking_") : -len("_total")]] = value
    lookups = sum(page_cache.values())
    buckets = sorted(latency_buckets.items())
    p95 = _histogram_quantile(buckets, 0.95)
    return {
        "requests_total": int(requests_total),
        "requests_by_status": {
            key: int(value) for key, value in sorted(requests_by_status.items())
        },
        "latency_ms_avg": round(latency_sum / latency_count * 1000, 2) if latency_count else None,
        "latency_ms_p95_at_most": (
            None if p95 is None else ("inf" if p95 == float("inf") else round(p95 * 1000))
        ),
        "db_queries_per_request_avg": (
            round(queries_sum / queries_count, 2) if queries_count else None
        ),
        "page_cache": {
            **{key: int(value) for key, value in page_cache.items()},
            "hit_ratio": round((page_cache["hit"] + page_cache["stale"]) / lookups, 3)
            if lookups
            else None,
        },
        "rate_limited_total": int(rate_limited),
        "redis_outages_total": int(redis_outages),
        "database_unavailable_total": int(database_unavailable),
        "bookings": {key: int(value) for key, value in business.items()},
    }
