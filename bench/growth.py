"""Server time of the main pages with an empty cache, at one data size.

Each sample empties the app's Redis cache database first, then sends one request with nobody
else on the server (concurrency 1), so the figure is the cost of building the page from the
database: what the page cache hides on a hit and pays on every miss. Before sampling, every
worker has served each kind of page a few times (`warm_workers`), so first-request costs of a
fresh process (compiling templates, importing lazily) do not count as data costs. The time is
the app's own `Server-Timing: total` (the whole middleware stack, without network or client
time) when the app sends it, else the time measured by the client (then said so).
"""

import random
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bench.stats import parse_server_timing, queries_from_server_timing, summarise


def page_paths(data: dict, rng: random.Random, samples: int) -> dict[str, list[str]]:
    """`samples` paths per page kind, drawn from the sampled data so no two are alike."""
    cities = data["cities"] or [{"slug": "new-york", "name": "New York"}]
    keywords = data["keywords"] or ["music"]
    categories = data["categories"] or ["music"]
    events = data["events"] or ["no-events"]
    pick = rng.choice
    return {
        "home": ["/"] * samples,
        "search (keyword)": [
            "/events/?" + urlencode({"q": pick(keywords)}) for _ in range(samples)
        ],
        "search (filters)": [
            "/events/?"
            + urlencode(
                {
                    "category": pick(categories),
                    "location": pick(cities)["name"],
                    "date": pick(["week", "month"]),
                    "max_price": pick(["50", "100", "200"]),
                    "sort": pick(["soonest", "price_asc", "popular"]),
                }
            )
            for _ in range(samples)
        ],
        "city": [f"/city/{pick(cities)['slug']}/" for _ in range(samples)],
        "event": [f"/event/{pick(events)}/" for _ in range(samples)],
    }


def _get(base_url: str, path: str, address: str):
    request = urllib.request.Request(
        base_url + path, headers={"X-Forwarded-For": address, "Accept-Encoding": "gzip, br"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status, response.headers.get("Server-Timing", "")
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, error.headers.get("Server-Timing", "")


def warm_workers(*, base_url: str, paths: dict[str, list[str]], workers: int) -> None:
    """Render each kind of page a few times per worker: concurrent requests, so they spread
    over the workers, each with a query string the page cache has not seen (a hit would
    render nothing)."""
    jobs = []
    for kind_paths in paths.values():
        for n in range(3 * max(workers, 1)):
            path = kind_paths[n % len(kind_paths)]
            separator = "&" if "?" in path else "?"
            jobs.append(
                (f"{path}{separator}bench_warm={n}", f"10.231.{len(jobs) // 256}.{len(jobs) % 256}")
            )
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        list(pool.map(lambda job: _get(base_url, *job), jobs))


def measure(*, base_url: str, paths: dict[str, list[str]], flush_cache) -> dict:
    """p50/p95 per page kind; `flush_cache()` empties the app's cache before each sample."""
    results = {}
    for kind, kind_paths in paths.items():
        server_ms, client_ms, db_ms, queries, statuses = [], [], [], [], {}
        for n, path in enumerate(kind_paths):
            flush_cache()
            started = time.perf_counter()
            status, header = _get(base_url, path, f"10.230.{n // 256}.{n % 256}")
            client_ms.append((time.perf_counter() - started) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            timing = parse_server_timing(header)
            if timing.get("total", {}).get("dur") is not None:
                server_ms.append(timing["total"]["dur"])
            if timing.get("db", {}).get("dur") is not None:
                db_ms.append(timing["db"]["dur"])
            count = queries_from_server_timing(header)
            if count is not None:
                queries.append(count)
        source = "server-timing" if len(server_ms) == len(kind_paths) else "client"
        chosen = server_ms if source == "server-timing" else client_ms
        results[kind] = {
            "source": source,
            "statuses": statuses,
            "ms": summarise(chosen),
            "client_ms": summarise(client_ms),
            "db_ms": summarise(db_ms),
            "queries_max": max(queries) if queries else None,
        }
    return results
