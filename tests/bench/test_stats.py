from bench.stats import parse_server_timing, percentile, queries_from_server_timing, summarise


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100


def test_percentile_of_nothing_is_none():
    assert percentile([], 95) is None


def test_summarise_reports_count_percentiles_and_max():
    summary = summarise([5.0, 1.0, 3.0, 2.0, 4.0])
    assert summary == {
        "count": 5, "mean": 3.0, "p50": 3.0, "p90": 5.0, "p95": 5.0, "p99": 5.0, "max": 5.0,
    }  # fmt: skip


def test_summarise_of_nothing_is_only_a_count():
    assert summarise([]) == {"count": 0}


def test_server_timing_is_parsed_with_durations_and_descriptions():
    header = 'total;dur=3.25, db;dur=1.50;desc="4 queries", cache;dur=0.20;desc="2 calls"'
    parsed = parse_server_timing(header)
    assert parsed["total"] == {"dur": 3.25, "desc": ""}
    assert parsed["db"] == {"dur": 1.5, "desc": "4 queries"}
    assert queries_from_server_timing(header) == 4


def test_server_timing_without_a_query_count_gives_none():
    assert queries_from_server_timing("total;dur=1") is None
    assert queries_from_server_timing("") is None
    assert parse_server_timing("total;dur=abc")["total"]["dur"] is None
