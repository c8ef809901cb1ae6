"""Parsing search filters from the query string: clean values, notices, canonical URLs."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import QueryDict

from eventmate.events.search import (
    MAX_QUERY_LENGTH,
    SearchFilters,
    date_window,
    filter_chips,
    parse_search_params,
)

TODAY = date(2026, 6, 10)  # a Wednesday


def parse(query: str, **kwargs):
    return parse_search_params(QueryDict(query), today=TODAY, **kwargs)


def test_valid_filters_are_kept_without_notices():
    parsed = parse(
        "q=jazz&location=Chicago&city=chicago&category=music&from=2026-06-12&to=2026-06-20"
        "&min_price=5&max_price=40.50&sort=price_asc&page=3"
    )
    assert parsed.notices == []
    assert parsed.filters == SearchFilters(
        q="jazz",
        location="Chicago",
        city="chicago",
        category="music",
        date_from=date(2026, 6, 12),
        date_to=date(2026, 6, 20),
        min_price=Decimal("5"),
        max_price=Decimal("40.50"),
        sort="price_asc",
        page=3,
    )


def test_unknown_category_is_ignored_with_a_notice():
    parsed = parse("category=knitting")
    assert parsed.filters.category == ""
    assert any("knitting" in notice for notice in parsed.notices)


def test_unparsable_dates_are_ignored_with_a_notice():
    parsed = parse("from=yesterday&to=2026-02-31")
    assert parsed.filters.date_from is None
    assert parsed.filters.date_to is None
    assert len(parsed.notices) == 2


def test_reversed_date_range_is_swapped_and_said():
    parsed = parse("from=2026-07-01&to=2026-06-20")
    assert (parsed.filters.date_from, parsed.filters.date_to) == (
        date(2026, 6, 20),
        date(2026, 7, 1),
    )
    assert any("swapped" in notice for notice in parsed.notices)


def test_far_future_date_is_ignored():
    parsed = parse("to=9999-12-31")
    assert parsed.filters.date_to is None
    assert parsed.notices


def test_dates_before_today_are_moved_to_today():
    assert parse("from=0001-01-01").filters.date_from == TODAY


def test_date_preset_wins_over_a_custom_range():
    parsed = parse("date=weekend&from=2026-06-12")
    assert parsed.filters.date_preset == "weekend"
    assert parsed.filters.date_from is None
    assert parsed.notices


def test_unknown_date_preset_is_ignored():
    parsed = parse("date=someday")
    assert parsed.filters.date_preset == ""
    assert parsed.notices


def test_negative_price_is_ignored_with_a_notice():
    parsed = parse("min_price=-5")
    assert parsed.filters.min_price is None
    assert "negative" in parsed.notices[0]


def test_non_numeric_and_non_finite_prices_are_ignored():
    for value in ("abc", "NaN", "Infinity", "1e9", "12.345", "9" * 40):
        parsed = parse(f"max_price={value}")
        assert parsed.filters.max_price is None, value
        assert parsed.notices, value


def test_swapped_price_range_is_put_right():
    parsed = parse("min_price=50&max_price=10")
    assert (parsed.filters.min_price, parsed.filters.max_price) == (Decimal(10), Decimal(50))
    assert parsed.notices


def test_free_only_overrides_a_price_range():
    parsed = parse("free=1&min_price=10")
    assert parsed.filters.free is True
    assert parsed.filters.min_price is None
    assert parsed.notices


def test_unknown_sort_is_ignored():
    parsed = parse("sort=random")
    assert parsed.filters.sort == ""
    assert parsed.notices


def test_best_match_without_keywords_falls_back_to_soonest():
    filters = parse("sort=relevance").filters
    assert filters.effective_sort == "soonest"
    assert parse("q=jazz").filters.effective_sort == "relevance"


def test_page_zero_and_garbage_pages_become_page_one():
    for value in ("0", "-3", "two", "١٢"):
        parsed = parse(f"page={value}")
        assert parsed.filters.page == 1, value
        assert parsed.notices, value


def test_huge_page_number_is_kept_for_clamping_later():
    assert parse("page=1000000000").filters.page >= 10**6
    assert parse("page=" + "9" * 5000).filters.page >= 10**6


def test_long_query_is_shortened_with_a_notice():
    parsed = parse("q=" + "a" * 5000)
    assert len(parsed.filters.q) == MAX_QUERY_LENGTH
    assert parsed.notices


def test_control_characters_are_removed_from_text():
    parsed = parse("q=ja%00zz%0b%1b&location=Chi%00cago")
    assert parsed.filters.q == "jazz"
    assert parsed.filters.location == "Chicago"


def test_city_slug_with_bad_characters_is_ignored():
    parsed = parse("city=../../etc")
    assert parsed.filters.city == ""
    assert parsed.notices


def test_city_scoped_pages_ignore_location_and_city():
    parsed = parse("location=Paris&city=paris", with_location=False)
    assert (parsed.filters.location, parsed.filters.city) == ("", "")


def test_canonical_url_lists_only_effective_filters_in_a_fixed_order():
    filters = parse("sort=soonest&q=jazz&page=2&free=0&category=music").filters
    assert filters.url("/events/", page=2) == "/events/?q=jazz&category=music&sort=soonest&page=2"
    assert SearchFilters().url("/events/") == "/events/"


def test_each_chip_removes_only_its_own_filter():
    filters = parse("q=jazz&category=music&free=1").filters
    chips = {chip.label: chip.remove_url for chip in filter_chips(filters, "/events/")}
    assert chips["Music"] == "/events/?q=jazz&free=1"
    assert chips["Free"] == "/events/?q=jazz&category=music"
    assert chips["“jazz”"] == "/events/?category=music&free=1"


def test_chips_drop_the_page_number():
    filters = parse("category=music&page=4").filters
    (chip,) = filter_chips(filters, "/events/")
    assert chip.remove_url == "/events/"


TZ = ZoneInfo("America/Chicago")
# Wednesday 10 June 2026, 15:00 in Chicago.
NOW = datetime(2026, 6, 10, 20, 0, tzinfo=UTC)


def window(preset="", **kwargs):
    return date_window(SearchFilters(date_preset=preset, **kwargs), tz=TZ, now=NOW)


def local(day, month=6):
    return datetime(2026, month, day, tzinfo=TZ)


def test_today_is_the_local_calendar_day():
    assert window("today") == (local(10), local(11))


def test_tomorrow():
    assert window("tomorrow") == (local(11), local(12))


def test_weekend_is_saturday_and_sunday():
    assert window("weekend") == (local(13), local(15))


def test_week_runs_to_the_end_of_sunday():
    assert window("week") == (local(10), local(15))


def test_month_runs_to_the_end_of_the_month():
    assert window("month") == (local(10), local(1, month=7))


def test_weekend_asked_on_a_sunday_is_the_rest_of_it():
    sunday = datetime(2026, 6, 14, 18, 0, tzinfo=UTC)
    start, end = date_window(SearchFilters(date_preset="weekend"), tz=TZ, now=sunday)
    assert (start, end) == (local(14), local(15))


def test_custom_range_includes_the_whole_last_day():
    assert window(date_from=date(2026, 6, 12), date_to=date(2026, 6, 12)) == (local(12), local(13))


def test_no_dates_means_no_window():
    assert window() == (None, None)
