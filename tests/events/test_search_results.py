"""What event_search returns: only findable events, filters that combine, sorts, pages."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from eventmate.events import selectors
from eventmate.events.search import parse_search_params
from tests.factories import CityFactory, EventFactory

pytestmark = pytest.mark.django_db


def search(query: str = "", **kwargs):
    parsed = parse_search_params(QueryDict(query), today=timezone.localdate())
    return selectors.event_search(filters=parsed.filters, notices=parsed.notices, **kwargs)


def titles(results) -> list[str]:
    return [event.title for event in results.events]


def test_past_unpublished_and_cancelled_events_never_appear():
    now = timezone.now()
    EventFactory(title="Visible")
    EventFactory(title="Ended", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    EventFactory(title="Draft", is_published=False)
    EventFactory(title="Called off", is_cancelled=True)
    results = search()
    assert titles(results) == ["Visible"]
    assert results.count == 1


def test_an_event_still_running_is_listed():
    now = timezone.now()
    EventFactory(
        title="Festival", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
    )
    assert titles(search()) == ["Festival"]


def test_keyword_matches_title_words_in_any_case():
    EventFactory(title="Summer Jazz Festival")
    EventFactory(title="Comedy Night")
    assert titles(search("q=JAZZ")) == ["Summer Jazz Festival"]


def test_keyword_matches_the_city_and_venue():
    EventFactory(title="Quiz", city=CityFactory(name="Chicago", slug="chicago"))
    EventFactory(title="Open mic", venue="The Blue Note")
    EventFactory(title="Other")
    assert titles(search("q=chicago")) == ["Quiz"]
    assert titles(search("q=blue note")) == ["Open mic"]


def test_keyword_with_no_match_gives_no_results():
    EventFactory(title="Summer Jazz Festival")
    results = search("q=xylophone")
    assert results.events == []
    assert results.count == 0


def test_misspelt_keywords_still_find_the_event_on_postgresql(postgres_only):
    EventFactory(title="Jazz Festival")
    EventFactory(title="Food Market")
    assert titles(search("q=jaz+festval")) == ["Jazz Festival"]


def test_close_matches_come_only_when_the_words_match_nothing_and_say_so(postgres_only):
    EventFactory(title="Jazz Festival")
    EventFactory(title="Jaz Brunch")  # a host's typo: close to "jazz", not the word itself
    exact = search("q=jazz")
    assert titles(exact) == ["Jazz Festival"]
    assert exact.notices == []
    close = search("q=jaz+festval")
    assert titles(close) == ["Jazz Festival"]
    assert any("close matches" in notice for notice in close.notices)


def test_no_close_match_keeps_the_empty_answer_without_a_notice(postgres_only):
    EventFactory(title="Jazz Festival")
    results = search("q=xylophone")
    assert results.count == 0 and results.notices == []


def test_best_match_ranks_the_soonest_matches_a_visitor_can_page_through(monkeypatch):
    """Relevance is computed for the soonest COUNT_CAP matches only (bounded work whatever
    the table's size); the count still says there are more."""
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    now = timezone.now()
    EventFactory(
        title="An evening out", description="Some jazz.", starts_at=now + timedelta(days=1)
    )
    EventFactory(title="Jazz Night", starts_at=now + timedelta(days=2))
    EventFactory(title="Jazz", starts_at=now + timedelta(days=30))  # beyond the window
    results = search("q=jazz")
    assert results.count == 3 and results.count_is_capped
    assert titles(results) == ["Jazz Night", "An evening out"]


def test_best_match_puts_title_matches_first(postgres_only):
    EventFactory(title="An evening out", description="With some jazz at the end.")
    EventFactory(title="Jazz Night")
    assert titles(search("q=jazz"))[0] == "Jazz Night"


def test_filters_combine():
    chicago = CityFactory(name="Chicago", slug="chicago")
    EventFactory(title="Match", city=chicago, category="music", price=Decimal("20"))
    EventFactory(title="Wrong city", category="music", price=Decimal("20"))
    EventFactory(title="Wrong category", city=chicago, category="sports", price=Decimal("20"))
    EventFactory(title="Too dear", city=chicago, category="music", price=Decimal("90"))
    results = search("city=chicago&category=music&max_price=50")
    assert titles(results) == ["Match"]
    assert results.city == chicago


def test_location_matches_a_city_by_name():
    EventFactory(title="Houston gig", city=CityFactory(name="Houston", slug="houston"))
    EventFactory(title="Elsewhere")
    assert titles(search("location=houston")) == ["Houston gig"]
    assert titles(search("location=Hous")) == ["Houston gig"]
    assert titles(search("location=Houston%2C+TX")) == ["Houston gig"]


def test_unknown_city_and_location_are_ignored_and_said():
    EventFactory(title="Anywhere")
    results = search("city=atlantis&location=Narnia")
    assert titles(results) == ["Anywhere"]
    assert results.filters.city == "" and results.filters.location == ""
    assert len(results.notices) == 2


def test_free_only():
    EventFactory(title="Free", price=0)
    EventFactory(title="Paid", price=Decimal("5"))
    assert titles(search("free=1")) == ["Free"]


def test_price_range_is_inclusive():
    for price in ("5", "10", "20", "21"):
        EventFactory(title=price, price=Decimal(price))
    assert sorted(titles(search("min_price=10&max_price=20"))) == ["10", "20"]


def test_today_follows_the_chosen_citys_clock():
    chicago = CityFactory(name="Chicago", slug="chicago", timezone="America/Chicago")
    # 21:00 UTC on 10 June is 16:00 in Chicago; 04:30 UTC on 11 June is 23:30 Chicago time,
    # still "today" there although the UTC date is the 11th.
    now = datetime(2026, 6, 10, 21, 0, tzinfo=UTC)
    late = datetime(2026, 6, 11, 4, 30, tzinfo=UTC)
    EventFactory(title="Late show", city=chicago, starts_at=late, ends_at=late + timedelta(hours=2))
    EventFactory(
        title="Tomorrow",
        city=chicago,
        starts_at=late + timedelta(hours=12),
        ends_at=late + timedelta(hours=14),
    )
    parsed = parse_search_params(QueryDict("city=chicago&date=today"), today=now.date())
    results = selectors.event_search(filters=parsed.filters, now=now)
    assert titles(results) == ["Late show"]


def test_custom_range_keeps_events_overlapping_it():
    now = timezone.now()
    EventFactory(title="Inside", starts_at=now + timedelta(days=3))
    EventFactory(
        title="Spanning", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=6)
    )
    EventFactory(title="Later", starts_at=now + timedelta(days=20))
    start = (now + timedelta(days=3)).date().isoformat()
    end = (now + timedelta(days=4)).date().isoformat()
    assert sorted(titles(search(f"from={start}&to={end}"))) == ["Inside", "Spanning"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("soonest", ["A", "B", "C"]),
        ("price_asc", ["B", "C", "A"]),
        ("price_desc", ["A", "C", "B"]),
        ("popular", ["C", "A", "B"]),
        ("rating", ["B", "A", "C"]),
    ],
)
def test_sort_orders(sort, expected):
    now = timezone.now()
    rows = [
        ("A", 1, "30", 5, "4.0"),
        ("B", 2, "0", 1, "4.8"),
        ("C", 3, "10", 50, "3.0"),
    ]
    for title, days, price, sold, rating in rows:
        EventFactory(
            title=title,
            starts_at=now + timedelta(days=days),
            price=Decimal(price),
            tickets_sold=sold,
            rating_average=Decimal(rating),
            rating_count=3,
        )
    assert titles(search(f"sort={sort}")) == expected


def test_pages_split_results_in_order(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    now = timezone.now()
    for day in range(5):
        EventFactory(title=f"Day {day}", starts_at=now + timedelta(days=day + 1))
    second = search("page=2")
    assert titles(second) == ["Day 2", "Day 3"]
    assert (second.page, second.num_pages, second.has_next, second.has_previous) == (
        2,
        3,
        True,
        True,
    )


def test_a_page_past_the_end_shows_the_last_page_and_says_so(monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for _ in range(3):
        EventFactory()
    results = search("page=1000000000")
    assert results.page == 2
    assert len(results.events) == 1
    assert results.notices


def test_count_stops_at_the_cap_and_pages_end_there(monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for _ in range(6):
        EventFactory()
    results = search()
    assert results.count_is_capped
    assert results.num_pages == 2  # the cap (3) covers two pages of two


def test_count_below_the_cap_is_exact():
    for _ in range(4):
        EventFactory()
    results = search()
    assert results.count == 4
    assert not results.count_is_capped


def test_card_image_prefers_the_primary_image():
    from tests.factories import EventImageFactory

    event = EventFactory()
    EventImageFactory(event=event, order=0, alt_text="first")
    EventImageFactory(event=event, order=5, alt_text="primary", is_primary=True)
    other = EventFactory()
    EventImageFactory(event=other, order=2, alt_text="second")
    EventImageFactory(event=other, order=1, alt_text="lowest order")
    EventFactory()  # no images
    cards = {e.pk: e.card_image for e in search().events}
    assert cards[event.pk].alt_text == "primary"
    assert cards[other.pk].alt_text == "lowest order"
    assert sum(image is None for image in cards.values()) == 1
