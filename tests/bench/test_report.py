import json

import pytest

from bench import report


def _run(run_id="20300101T000000Z", **overrides):
    results = {
        "schema": report.SCHEMA,
        "run_id": run_id,
        "mode": "full",
        "git": {"commit": "abc123", "dirty": False},
        "machine": {"cpu_model": "Test CPU", "cores": 2, "memory_gb": 4},
        "versions": {"python": "3.11"},
        "settings": {"gunicorn": {"workers": 5, "worker_class": "sync"}},
        "data": {"events": 20000},
        "scenario": {
            "requests": 1000,
            "failures": 0,
            "requests_per_s": 250.0,
            "groups": {
                "all": {"count": 1000, "p50": 5.0, "p95": 40.0, "p99": 120.0, "max": 300.0},
                "booking": {"count": 20, "p50": 30.0, "p95": 140.0, "p99": 150.0},
            },
            "entries": {
                "anon: home": {"count": 600, "p50": 4.0, "p95": 30.0, "p99": 90.0,
                               "max": 200.0, "failures": 0, "statuses": {"200": 600}},
            },
        },
        "capacity": {
            "connections": [100, 500],
            "duration_s": 30,
            "ceiling": {"path": "/bench/ceiling/", "runs": {
                "100": {"requests_per_s": 2000.0, "failed": 0,
                        "latency_ms": {"p50": 40, "p90": 60, "p95": 70, "p99": 90}}}},
            "pages": {
                "home": {"path": "/", "runs": {
                    "100": {"requests_per_s": 1500.0, "failed": 0,
                            "latency_ms": {"p50": 50, "p90": 70, "p95": 80, "p99": 99}}}},
                "search": {"path": "/events/", "runs": {
                    "100": {"requests_per_s": 1000.0, "failed": 0,
                            "latency_ms": {"p50": 90, "p90": 99, "p95": 120, "p99": 200}}}},
                "event": {"path": "/event/x/", "skipped": "not built yet (501)"},
            },
            "mix": {"paths": 1000, "runs": {
                "100": {"requests_per_s": 1300.0, "failed": 0,
                        "latency_ms": {"p50": 50, "p90": 80, "p95": 90, "p99": 150}}}},
        },
        "memory": {"workers": [{"pid": 1, "rss_mb": 90.0, "uss_mb": 40.0}], "max_rss_mb": 90.0},
        "problems": [],
        "phase_errors": {},
    }  # fmt: skip
    results.update(overrides)
    return results


def _status(results, name):
    (verdict,) = [t for t in report.evaluate_targets(results) if t["name"] == name]
    return verdict["status"]


def test_results_are_written_under_the_run_id_and_read_back(tmp_path):
    path = report.write_results(_run(), tmp_path)
    assert path.name == "20300101T000000Z.json"
    assert json.loads(path.read_text())["run_id"] == "20300101T000000Z"
    assert not list(tmp_path.glob("*.tmp"))
    assert [r["run_id"] for r in report.load_results(tmp_path)] == ["20300101T000000Z"]


def test_smoke_results_are_kept_apart_from_the_real_runs(tmp_path):
    report.write_results(_run(mode="smoke"), tmp_path)
    assert (tmp_path / "20300101T000000Z-smoke.json").exists()
    assert report.load_results(tmp_path) == []
    assert len(report.load_results(tmp_path, include_smoke=True)) == 1


def test_unreadable_or_foreign_files_are_skipped(tmp_path):
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text(json.dumps({"schema": 999, "run_id": "x"}))
    report.write_results(_run("20300102T000000Z"), tmp_path)
    report.write_results(_run("20300101T000000Z"), tmp_path)
    assert [r["run_id"] for r in report.load_results(tmp_path)] == [
        "20300101T000000Z", "20300102T000000Z",
    ]  # fmt: skip


def test_chaos_results_in_the_same_folder_are_not_benchmark_runs(tmp_path):
    report.write_results(_run("20300101T000000Z"), tmp_path)
    chaos = {**_run("20300102T000000Z"), "mode": "full"}
    (tmp_path / "chaos-20300102T000000Z.json").write_text(json.dumps(chaos))
    assert [r["run_id"] for r in report.load_results(tmp_path)] == ["20300101T000000Z"]


def test_targets_that_are_met_missed_and_not_measured():
    results = _run()
    assert _status(results, "Scenario: failed requests") == "met"
    assert _status(results, "Scenario: p95, all requests") == "met"
    assert _status(results, "Scenario: booking flow p95 (per request)") == "met"
    assert _status(results, "Capacity: home at 100 connections") == "met"  # 75 %
    assert _status(results, "Capacity: search at 100 connections") == "MISSED"  # 50 %
    assert _status(results, "Capacity: event at 100 connections") == "not measured"
    assert _status(results, "Capacity: anonymous mix at 100 connections") == "met"
    assert _status(results, "RSS per Gunicorn worker after the run") == "met"
    assert _status(results, "Hot event: exactly the capacity sold") == "not measured"


def test_a_slow_mix_misses_the_target():
    results = _run()
    results["capacity"]["mix"]["runs"]["100"]["latency_ms"]["p95"] = 150
    assert _status(results, "Capacity: anonymous mix at 100 connections") == "MISSED"


def test_failed_requests_miss_the_target():
    results = _run()
    results["scenario"]["failures"] = 3
    assert _status(results, "Scenario: failed requests") == "MISSED"


def test_probes_do_not_count_as_pages_for_the_query_budget():
    queries = {
        "anonymous": {
            "home": {"path": "/", "status": 200, "cold": 5, "miss": 4, "hit": 0},
            "health ready": {"path": "/health/ready/", "status": 200, "cold": 9, "miss": 4,
                             "hit": 4},
        },
        "signed_in": {"profile": {"path": "/profile/", "status": 200, "queries": 11}},
    }  # fmt: skip
    results = _run(queries=queries)
    assert _status(results, "SQL per anonymous page, cache miss (cold)") == "met"
    assert _status(results, "SQL per anonymous page, page-cache hit") == "met"
    assert _status(results, "SQL per signed-in page") == "MISSED"


def test_growth_compares_the_smallest_and_largest_sizes():
    def size(p95):
        return {"pages": {"home": {"ms": {"p50": 5.0, "p95": p95}}}}

    grew = _run(growth={"sizes": {"1000": size(10.0), "100000": size(25.0)}})
    assert _status(grew, "Growth of p95 server time") == "MISSED"
    assert _status(grew, "Cold home at 100,000 events, p50") == "met"
    flat = _run(growth={"sizes": {"1000": size(10.0), "100000": size(15.0)}})
    assert _status(flat, "Growth of p95 server time") == "met"


def test_the_hot_event_must_sell_exactly_its_capacity():
    hot = {"capacity": 100, "buyers": 200, "holds_per_s": 50.0,
           "check": {"capacity": 100, "tickets_sold": 100, "tickets_held": 0}}  # fmt: skip
    assert _status(_run(hot_event=hot), "Hot event: exactly the capacity sold") == "met"
    hot["check"]["tickets_sold"] = 101
    assert _status(_run(hot_event=hot), "Hot event: exactly the capacity sold") == "MISSED"


def test_the_section_shows_the_run_targets_and_figures():
    section = report.render_section(_run(), history=[_run("20290101T000000Z")])
    assert section.startswith(report.START)
    assert section.rstrip().endswith(report.END)
    assert "Run 20300101T000000Z" in section
    assert "| Capacity: search at 100 connections | ≥ 60% of ceiling |" in section
    assert "**MISSED**" in section
    assert "1,500 req/s, 75% of ceiling" in section
    assert "not built yet (501)" in section
    assert "20290101T000000Z" in section  # history


def test_only_the_generated_section_is_replaced(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        f"# Title\n\nHand-written method.\n\n{report.START}\nSTALE FIGURES\n{report.END}\n\n"
        "## Footer kept\n"
    )  # fmt: skip
    report.update_benchmarks_md(path, report.render_section(_run(), []))
    text = path.read_text()
    assert text.startswith("# Title\n\nHand-written method.\n")
    assert "STALE FIGURES" not in text
    assert "Run 20300101T000000Z" in text
    assert text.rstrip().endswith("## Footer kept")
    assert text.count(report.START) == 1


def test_a_file_without_markers_gets_the_section_appended(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nProse.\n")
    report.update_benchmarks_md(path, report.render_section(_run(), []))
    text = path.read_text()
    assert text.startswith("# Benchmarks\n\nProse.\n")
    assert report.START in text and report.END in text


def test_the_command_line_regenerates_from_the_newest_run(tmp_path):
    report.write_results(_run("20300101T000000Z"), tmp_path)
    report.write_results(_run("20300105T000000Z"), tmp_path)
    output = tmp_path / "BENCHMARKS.md"
    report.main(["--results-dir", str(tmp_path), "--output", str(output)])
    text = output.read_text()
    assert "### Run 20300105T000000Z" in text
    assert "### Earlier runs" in text


def test_the_latest_results_are_the_newest_run_of_every_phase(tmp_path):
    """A later run of one phase (a tuning experiment) is listed with its setup, but the
    page's headline stays the newest complete run."""
    complete = _run("20300101T000000Z")
    complete["settings"]["options"] = {"phases": list(report.PHASES)}
    partial = _run("20300105T000000Z")
    partial["settings"] = {
        "gunicorn": {"workers": 3, "threads": 6},
        "options": {"phases": ["scenario"], "extra_env": {"WEB_CONCURRENCY": "3"}},
    }
    partial["git"]["dirty"] = True
    report.write_results(complete, tmp_path)
    report.write_results(partial, tmp_path)
    output = tmp_path / "BENCHMARKS.md"
    report.main(["--results-dir", str(tmp_path), "--output", str(output)])
    text = output.read_text()
    assert "### Run 20300101T000000Z" in text
    history = text.split("### Earlier runs")[1]
    row = next(line for line in history.splitlines() if "20300105T000000Z" in line)
    assert "abc123 +changes" in row and "scenario, 3x6, WEB_CONCURRENCY=3" in row


def test_the_command_line_refuses_when_there_is_nothing_to_show(tmp_path):
    with pytest.raises(SystemExit):
        report.main(["--results-dir", str(tmp_path), "--output", str(tmp_path / "B.md")])
