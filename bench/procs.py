"""Every process the harness starts, and stopping each of them whatever happens.

Each child gets its own session (process group), so stopping it also stops what it forked
(Gunicorn workers, Celery's pool, wrk's threads) and a Ctrl-C in the terminal reaches only the
runner, which then stops the children in order. `stop_all` runs from the runner's `finally`,
from atexit and after SIGTERM/SIGHUP (turned into SystemExit by `install_signal_handlers`).
"""

import atexit
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class HarnessError(RuntimeError):
    """The harness itself could not do its job (as opposed to the app being slow or missing)."""


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class ManagedProcesses:
    def __init__(self):
        self._running: list[tuple[str, subprocess.Popen]] = []
        atexit.register(self.stop_all)

    def start(self, name: str, args, *, env, cwd, log_path: Path) -> subprocess.Popen:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [str(a) for a in args],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process.bench_name = name
        process.bench_log = log_path
        self._running.append((name, process))
        return process

    def run(self, name: str, args, *, env, cwd, log_path: Path, timeout: float | None = None):
        """Start, wait, and raise HarnessError (with the log's tail) on a non-zero exit."""
        process = self.start(name, args, env=env, cwd=cwd, log_path=log_path)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop(process)
            raise HarnessError(f"{name} did not finish within {timeout:.0f} s") from None
        except BaseException:  # Ctrl-C or a signal while waiting: the child must not outlive us
            self.stop(process)
            raise
        self._forget(process)
        if code != 0:
            raise HarnessError(f"{name} exited with {code}:\n{tail(log_path)}")
        return process

    def stop(self, process: subprocess.Popen, *, timeout: float = 20.0) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout` seconds."""
        if process.poll() is None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
        # Stragglers that left the leader behind (e.g. a worker mid-request).
        self._signal_group(process, signal.SIGKILL)
        self._forget(process)

    def signal(self, process: subprocess.Popen, sig) -> None:
        self._signal_group(process, sig)

    def pids(self, *name_prefixes: str) -> list[int]:
        """Pids of the running processes whose name starts with one of the prefixes."""
        return [
            p.pid
            for name, p in self._running
            if name.startswith(name_prefixes) and p.poll() is None
        ]

    def stop_all(self) -> None:
        for _name, process in reversed(list(self._running)):
            with contextlib.suppress(Exception):  # keep stopping the others
                self.stop(process)

    def _forget(self, process) -> None:
        self._running = [(n, p) for n, p in self._running if p is not process]

    @staticmethod
    def _signal_group(process, sig) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP end the runner like Ctrl-C does: through `finally` and atexit."""

    def _exit(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGHUP, _exit)


def wait_until(predicate, *, timeout: float, interval: float = 0.25, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise HarnessError(f"timed out after {timeout:.0f} s waiting for {what}")
