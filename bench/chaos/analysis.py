"""Pure figures of a chaos scenario, from the requests Locust made (stdlib only).

A request record is (started, name, method, status, ms, failed): `started` in seconds since the
epoch, `status` 0 when no HTTP answer came back, `failed` when the client judged it a failure
(unexpected status, connection error). Windows are half-open [start, end) by start time: a
request belongs to the window in which it was sent.
"""

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.stats import percentile

FIELDS = ("started", "name", "method", "status", "ms", "failed")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True)
class Record:
    started: float
    name: str
    method: str
    status: int
    ms: float
    failed: bool


def read_records(path: Path) -> list[Record]:
    """The request log written by bench/chaos/locustfile.py (CSV, no header)."""
    records = []
    try:
        with open(path, newline="") as handle:
            for row in csv.reader(handle):
                if len(row) != len(FIELDS):
                    continue  # a line cut short when Locust was stopped
                try:
                    records.append(
                        Record(
                            started=float(row[0]),
                            name=row[1],
                            method=row[2],
                            status=int(row[3]),
                            ms=float(row[4]),
                            failed=row[5] == "1",
                        )
                    )
                except ValueError:
                    continue
    except FileNotFoundError:
        return []
    records.sort(key=lambda r: r.started)
    return records


def is_error(record: Record) -> bool:
    """A failure on the server's side or the connection's: no answer, or a 5xx other than 501
    (a page not built yet). 4xx answers are the app's verdicts on the request, not faults."""
    return record.failed and (record.status == 0 or (record.status >= 500 and record.status != 501))


def in_window(records, start: float, end: float) -> list[Record]:
    return [r for r in records if start <= r.started < end]


def window_stats(records, start: float, end: float) -> dict:
    """Requests sent in [start, end): how many, how many failed (by status, by method, by
    name), how many of those were errors (is_error) and of idempotent requests, and latency
    percentiles (ms) of all of them."""
    chosen = in_window(records, start, end)
    failed = [r for r in chosen if r.failed]
    errors = [r for r in failed if is_error(r)]
    times = [r.ms for r in chosen]
    seconds = max(end - start, 1e-9)
    result = {
        "seconds": round(end - start, 1),
        "sent": len(chosen),
        "failed": len(failed),
        "failed_idempotent": sum(1 for r in failed if r.method in IDEMPOTENT),
        "errors": len(errors),
        "errors_idempotent": sum(1 for r in errors if r.method in IDEMPOTENT),
        "failed_by_status": _counts(str(r.status) for r in failed),
        "failed_by_method": _counts(r.method for r in failed),
        "failed_by_name": _counts((r.name for r in failed), limit=8),
        "statuses": _counts(str(r.status) for r in chosen),
        "requests_per_s": round(len(chosen) / seconds, 1),
    }
    for p in (50, 99):
        value = percentile(times, p)
        result[f"p{p}_ms"] = round(value, 1) if value is not None else None
    result["max_ms"] = round(max(times), 1) if times else None
    return result


def per_second(records, start: float, end: float) -> list[dict]:
    """One bucket per whole second of [start, end): offset, sent, failed, p99 (ms)."""
    buckets = []
    count = max(int(end - start + 0.999999), 0)
    chosen = in_window(records, start, start + count)
    grouped: dict[int, list[Record]] = {n: [] for n in range(count)}
    for record in chosen:
        grouped[int(record.started - start)].append(record)
    for offset in range(count):
        items = grouped[offset]
        p99 = percentile([r.ms for r in items], 99)
        buckets.append(
            {
                "t": offset,
                "sent": len(items),
                "failed": sum(1 for r in items if r.failed),
                "p99_ms": round(p99, 1) if p99 is not None else None,
            }
        )
    return buckets


def recovery_seconds(
    records,
    *,
    fault_end: float,
    until: float,
    baseline_p99_ms: float | None,
    factor: float = 2.0,
    hold: int = 3,
) -> float | None:
    """Seconds from the end of the fault until the service is healthy again: the start of the
    first run of `hold` consecutive seconds (after the fault) in which no request failed and the
    p99 is within `factor` x the baseline p99. 0 when it was healthy from the first second
    after the fault; None when it did not recover before `until`. A second
    without any request does not start a healthy run but does not break one either."""
    limit = (baseline_p99_ms or 0) * factor

    def healthy(bucket) -> bool:
        if bucket["failed"]:
            return False
        return not (limit and bucket["p99_ms"] is not None and bucket["p99_ms"] > limit)

    buckets = per_second(records, fault_end, until)
    run_start = None
    run_length = 0
    for bucket in buckets:
        if not healthy(bucket):
            run_start, run_length = None, 0
            continue
        if bucket["sent"] == 0 and run_start is None:
            continue  # an idle second does not start a healthy run
        if run_start is None:
            run_start = bucket["t"]
        run_length += 1
        if run_length >= hold:
            return float(run_start)
    return None


def _counts(values, *, limit: int | None = None) -> dict:
    counter = Counter(values)
    return dict(counter.most_common(limit))


# ------------------------------------------------------------------------------------------
# nginx's side: which requests it had to send to the other instance
# ------------------------------------------------------------------------------------------
def read_nginx_log(path: Path) -> list[tuple[float, str, int, list[str]]]:
    """(finished, method, status, upstream addresses tried) per line of the access log in the
    harness's format: `$msec $request_method $status "$upstream_addr" ...`."""
    entries = []
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        parts = line.split(" ", 3)
        if len(parts) < 4:
            continue
        try:
            finished, method, status = float(parts[0]), parts[1], int(parts[2])
        except ValueError:
            continue
        upstreams = parts[3].split('"')[1] if parts[3].startswith('"') else ""
        tried = [u.strip() for u in upstreams.replace(" : ", ",").split(",")] if upstreams else []
        entries.append((finished, method, status, [t for t in tried if t]))
    return entries


def nginx_window_stats(entries, start: float, end: float) -> dict:
    """Requests nginx finished in [start, end): how many it passed to a second instance after
    an error on the first (retried), by method, and the 5xx it answered itself or passed on."""
    chosen = [e for e in entries if start <= e[0] < end]
    retried = [e for e in chosen if len(e[3]) > 1]
    return {
        "requests": len(chosen),
        "retried": len(retried),
        "retried_by_method": _counts(e[1] for e in retried),
        "answered_5xx": _counts(f"{e[1]} {e[2]}" for e in chosen if e[2] >= 500),
    }
