import pytest

from bench.capacity import parse_wrk_output
from bench.procs import HarnessError
from bench.run import FULL, SMOKE, parse_args

WRK_OUTPUT = """Running 30s test @ http://127.0.0.1:8700
  2 threads and 100 connections
BENCH_JSON {"requests": 60000, "duration_us": 30000000, "bytes": 1048576, "errors": {"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 0}, "latency_us": {"mean": 4000.5, "stdev": 10.0, "max": 90000, "p50": 3000, "p90": 8000, "p95": 9000, "p99": 20000, "p99_9": 50000}}
"""  # noqa: E501


def test_wrk_figures_are_converted_to_requests_per_second_and_milliseconds():
    result = parse_wrk_output(WRK_OUTPUT)
    assert result["requests_per_s"] == 2000.0
    assert result["latency_ms"]["p50"] == 3.0
    assert result["latency_ms"]["p99"] == 20.0
    assert result["failed"] == 3
    assert result["transfer_mb"] == 1.0


def test_wrk_output_without_the_summary_is_a_harness_error():
    with pytest.raises(HarnessError):
        parse_wrk_output("unable to connect to 127.0.0.1:8700 Connection refused\n")


def test_the_defaults_are_the_issues():
    args = parse_args([])
    assert (args.events, args.users, args.hosts, args.bookings, args.reviews) == (
        20_000, 5_000, 200, 20_000, 10_000,
    )  # fmt: skip
    assert (args.locust_users, args.spawn_rate, args.duration) == (500, 50, 120)
    assert args.connections == [100, 500]
    assert args.growth_sizes == [1000, 100_000]
    assert (args.hot_users, args.hot_capacity) == (200, 100)
    assert args.images is None


def test_smoke_is_small_and_options_still_win():
    args = parse_args(["--smoke", "--duration", "5"])
    assert args.duration == 5
    assert args.events == SMOKE["events"] < FULL["events"]
    assert args.locust_users == SMOKE["locust_users"]


def test_the_huge_growth_size_is_behind_a_flag():
    assert 1_000_000 in parse_args(["--growth-huge"]).growth_sizes
    assert 1_000_000 not in parse_args([]).growth_sizes


@pytest.mark.parametrize("argv", [["--port", "8000"], ["--phases", "scenario,nonsense"]])
def test_bad_options_are_refused(argv):
    with pytest.raises(SystemExit):
        parse_args(argv)


def test_extra_environment_is_passed_as_name_value_pairs():
    args = parse_args(["--env", "WEB_CONCURRENCY=4", "--env", "GUNICORN_THREADS=2"])
    assert args.extra_env == {"WEB_CONCURRENCY": "4", "GUNICORN_THREADS": "2"}


def test_passwords_never_reach_the_results_file():
    from bench.run import _redact

    assert _redact("postgres://bench:s3cret@db:5432/x") == "postgres://bench:***@db:5432/x"
    assert _redact("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379"
