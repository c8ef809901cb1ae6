import os
import time

import pytest

from bench.procs import HarnessError, ManagedProcesses


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent's wait() is missing.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def _wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_stopping_a_process_also_stops_what_it_started(tmp_path):
    processes = ManagedProcesses()
    pid_file = tmp_path / "child.pid"
    leader = processes.start(
        "shell", ["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"],
        env=dict(os.environ), cwd=tmp_path, log_path=tmp_path / "shell.log",
    )  # fmt: skip
    deadline = time.monotonic() + 5
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    processes.stop(leader, timeout=5)
    assert leader.poll() is not None
    assert _wait_gone(child)
    assert processes.pids("shell") == []


def test_a_failing_command_raises_with_the_end_of_its_log(tmp_path):
    processes = ManagedProcesses()
    with pytest.raises(HarnessError, match="boom"):
        processes.run(
            "failing", ["sh", "-c", "echo boom; exit 3"],
            env=dict(os.environ), cwd=tmp_path, log_path=tmp_path / "failing.log",
        )  # fmt: skip


def test_a_command_that_overruns_is_stopped(tmp_path):
    processes = ManagedProcesses()
    started = time.monotonic()
    with pytest.raises(HarnessError, match="did not finish"):
        processes.run(
            "slow", ["sleep", "30"], env=dict(os.environ), cwd=tmp_path,
            log_path=tmp_path / "slow.log", timeout=0.5,
        )  # fmt: skip
    assert time.monotonic() - started < 10
    assert processes.pids("slow") == []
