"""Capacity runs with wrk: requests per second and latency percentiles at a fixed number of
open connections, for single pages, the bare-Django ceiling and the anonymous mix."""

import json
import os
import shutil
import subprocess
from pathlib import Path

from bench.procs import HarnessError, ManagedProcesses

LUA = Path(__file__).resolve().parent / "wrk" / "mix.lua"


def ensure_wrk() -> str:
    """The wrk binary, installed with apt-get when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise HarnessError("wrk is not installed; install it (apt-get install wrk) and rerun")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=False)
    found = shutil.which("wrk")
    if not found:
        raise HarnessError("could not install wrk with apt-get")
    return found


def wrk_version(binary: str) -> str:
    result = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    words = (result.stdout + result.stderr).split()
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." -> "debian/4.1.0-3+b2"
    return words[1] if len(words) > 1 else ""


def parse_wrk_output(text: str) -> dict:
    """The figures printed by mix.lua's done(), converted to ms and req/s."""
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line[len("BENCH_JSON ") :])
            break
    else:
        raise HarnessError("wrk printed no BENCH_JSON line:\n" + text[-2000:])
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    latency = {
        key.replace("_us", ""): round(value / 1000, 2) for key, value in raw["latency_us"].items()
    }
    return {
        "requests": raw["requests"],
        "duration_s": round(seconds, 2),
        "requests_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "latency_ms": latency,
        "errors": errors,
        # Socket errors, timeouts and answers outside 2xx/3xx: everything a visitor would notice.
        "failed": sum(errors.values()),
        "transfer_mb": round(raw["bytes"] / 2**20, 1),
    }


def run_wrk(
    *,
    processes: ManagedProcesses,
    binary: str,
    base_url: str,
    paths: list[str],
    connections: int,
    duration: float,
    threads: int,
    timeout_s: float,
    workdir: Path,
    label: str,
    env: dict,
) -> dict:
    safe = "".join(c if c.isalnum() else "-" for c in label)
    paths_file = workdir / f"wrk-{safe}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    log = workdir / "logs" / f"wrk-{safe}-c{connections}.log"
    if log.exists():
        log.unlink()
    processes.run(
        f"wrk {label}",
        [
            binary,
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{max(round(duration), 1)}s",
            f"--timeout={int(timeout_s)}s",
            "--latency",
            "-s",
            LUA,
            base_url,
            "--",
            paths_file,
        ],
        env=env,
        cwd=workdir,
        log_path=log,
        timeout=duration + timeout_s + 60,
    )
    result = parse_wrk_output(log.read_text(errors="replace"))
    result["connections"] = connections
    result["threads"] = min(threads, connections)
    return result
