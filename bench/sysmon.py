"""CPU use of each process group during a phase, and memory of the Gunicorn workers.

Groups: app (Gunicorn master and workers), celery, postgres (backends serving the benchmark's
database, found by their process title), postgres_all, redis, generator (Locust, wrk or the
runner's own threads) and machine (all cores; "other" is what none of the groups used, e.g.
other work on a shared machine). Figures are percentages of one core, so on 2 cores the
machine tops out at 200 %. A generator near 100 % of a core (Locust is single-threaded) or the
machine near its top means the numbers measure the machine, not the app.
"""

import threading
import time
from collections.abc import Callable

import psutil


def _tree(pid: int | None) -> list[psutil.Process]:
    if not pid:
        return []
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _named(name: str, cmdline_contains: str = "") -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] != name:
                continue
            if cmdline_contains and cmdline_contains not in " ".join(process.info["cmdline"] or []):
                continue
            found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def default_groups(*, app_pid, celery_pid, db_name, generator_pids: Callable[[], list[int]]):
    """Process finders for the groups above; `generator_pids` is asked at every sample."""
    return {
        "app": lambda: _tree(app_pid),
        "celery": lambda: _tree(celery_pid),
        "postgres": lambda: _named("postgres", f" {db_name} "),
        "postgres_all": lambda: _named("postgres"),
        "redis": lambda: _named("redis-server"),
        "generator": lambda: [p for pid in generator_pids() for p in _tree(pid)],
    }


class CpuMonitor:
    """Samples the groups' CPU time every `interval` seconds in a background thread."""

    def __init__(self, groups: dict[str, Callable[[], list]], *, interval: float = 1.0):
        self.groups = groups
        self.interval = interval
        self._samples: dict[str, list[float]] = {name: [] for name in [*groups, "machine"]}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="cpu-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> dict:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        return self.result()

    def _cpu_times(self) -> dict[str, dict[int, float]]:
        times = {}
        for name, find in self.groups.items():
            per_pid = {}
            for process in find():
                try:
                    cpu = process.cpu_times()
                    per_pid[process.pid] = cpu.user + cpu.system
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            times[name] = per_pid
        return times

    def _loop(self) -> None:
        previous = self._cpu_times()
        previous_machine = psutil.cpu_times()
        previous_at = time.monotonic()
        while not self._stop.wait(self.interval):
            current = self._cpu_times()
            machine = psutil.cpu_times()
            now = time.monotonic()
            elapsed = now - previous_at
            if elapsed <= 0:
                continue
            for name, per_pid in current.items():
                # Processes that appeared during the interval count from their start (a new
                # Gunicorn worker after max_requests, a wrk thread).
                used = sum(t - previous[name].get(pid, 0.0) for pid, t in per_pid.items())
                self._samples[name].append(max(used, 0.0) / elapsed * 100)
            busy = (machine.user + machine.system + getattr(machine, "nice", 0)) - (
                previous_machine.user
                + previous_machine.system
                + getattr(previous_machine, "nice", 0)
            )
            self._samples["machine"].append(max(busy, 0.0) / elapsed * 100)
            previous, previous_machine, previous_at = current, machine, now

    def result(self) -> dict:
        out = {"cores": psutil.cpu_count(), "interval_s": self.interval, "unit": "% of one core"}
        for name, samples in self._samples.items():
            if samples:
                out[name] = {
                    "avg": round(sum(samples) / len(samples), 1),
                    "max": round(max(samples), 1),
                }
        counted = ("app", "celery", "postgres_all", "redis", "generator")
        if "machine" in out:
            ours = sum(out.get(name, {}).get("avg", 0.0) for name in counted)
            out["other"] = {"avg": round(max(out["machine"]["avg"] - ours, 0.0), 1)}
        return out


def worker_memory(pids: list[int]) -> list[dict]:
    """RSS and USS (memory no other process shares, e.g. not the preloaded code) per worker."""
    workers = []
    for pid in pids:
        try:
            process = psutil.Process(pid)
            info = process.memory_full_info()
            workers.append(
                {
                    "pid": pid,
                    "rss_mb": round(info.rss / 2**20, 1),
                    "uss_mb": round(info.uss / 2**20, 1),
                }
            )
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return workers
