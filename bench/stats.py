"""Percentiles and summaries shared by every phase (stdlib only: the locustfile imports it)."""

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of `values`; None when there are none.

    Nearest rank rather than interpolation: every figure reported is a latency that some request
    really had, which is what "p99" means to a reader of BENCHMARKS.md.
    """
    ordered = sorted(values)
    if not ordered:
        return None
    if p <= 0:
        return ordered[0]
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(values: Iterable[float], *, digits: int = 2) -> dict:
    """count, mean, p50/p90/p95/p99 and max of latencies (same unit in and out)."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}
    result = {"count": len(ordered), "mean": round(sum(ordered) / len(ordered), digits)}
    for p in (50, 90, 95, 99):
        result[f"p{p}"] = round(percentile(ordered, p), digits)
    result["max"] = round(ordered[-1], digits)
    return result


def parse_server_timing(header: str) -> dict:
    """`Server-Timing` to {name: {"dur": float|None, "desc": str}}; unknown parts are skipped.

    e.g. 'total;dur=3.1, db;dur=1.2;desc="2 queries"' ->
    {"total": {"dur": 3.1, "desc": ""}, "db": {"dur": 1.2, "desc": "2 queries"}}
    """
    metrics = {}
    for part in (header or "").split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        name = pieces[0]
        if not name:
            continue
        entry = {"dur": None, "desc": ""}
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "dur":
                try:
                    entry["dur"] = float(value)
                except ValueError:
                    entry["dur"] = None
            elif key == "desc":
                entry["desc"] = value
        metrics[name] = entry
    return metrics


def queries_from_server_timing(header: str) -> int | None:
    """The query count in the `db` metric's description ("N queries"), if the app sends it."""
    desc = parse_server_timing(header).get("db", {}).get("desc", "")
    first = desc.split(" ", 1)[0]
    return int(first) if first.isdigit() else None
