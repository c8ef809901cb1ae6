"""Search filters: parse a query string into clean values, and turn them back into URLs.

Parsing never raises. A value that cannot be used is dropped (or clamped) and a notice says
so, because a mistyped date or price in a shared link should still show useful results and
tell the visitor why the list may look different from what they asked for.

The URLs built here are canonical: only effective filters, in a fixed order, defaults left
out. Pagination, "load more" and the remove-a-filter chips all use them, so one result list
has one address (which also keeps a page cache keyed by URL small).
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils.formats import number_format

from .models import Category

MAX_QUERY_LENGTH = 100
MAX_LOCATION_LENGTH = 80
MAX_PAGE_DIGITS = 6
# Largest price the database column holds (max_digits=10, decimal_places=2).
MAX_PRICE = Decimal("99999999.99")
# Dates are accepted within this window around today; anything else is a typo or a probe.
MAX_DAYS_AHEAD = 365 * 5

SORT_RELEVANCE = "relevance"
SORT_SOONEST = "soonest"
SORT_CHOICES = [
    (SORT_RELEVANCE, "Best match"),
    (SORT_SOONEST, "Soonest"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("popular", "Most popular"),
    ("rating", "Top rated"),
]
SORT_LABELS = dict(SORT_CHOICES)

DATE_PRESETS = [
    ("today", "Today"),
    ("tomorrow", "Tomorrow"),
    ("weekend", "This weekend"),
    ("week", "This week"),
    ("month", "This month"),
]
DATE_PRESET_LABELS = dict(DATE_PRESETS)
CATEGORY_LABELS = dict(Category.choices)

TRUE_VALUES = {"1", "true", "on", "yes"}
FALSE_VALUES = {"0", "false", "off", "no"}
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,140}$")
PRICE_RE = re.compile(r"^\d{1,8}(?:\.\d{1,2})?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SearchFilters:
    """Clean search input. Every field holds a usable value or its empty default."""

    q: str = ""
    location: str = ""
    city: str = ""  # a city slug
    category: str = ""
    date_preset: str = ""  # one of DATE_PRESETS (the `date` parameter)
    date_from: date | None = None
    date_to: date | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    free: bool = False
    sort: str = ""  # empty means the default for the query (see effective_sort)
    page: int = 1

    @property
    def effective_sort(self) -> str:
        if self.sort == SORT_RELEVANCE and not self.q:
            return SORT_SOONEST
        return self.sort or self.default_sort

    @property
    def has_date_range(self) -> bool:
        return bool(self.date_preset or self.date_from or self.date_to)

    @property
    def is_filtered(self) -> bool:
        return bool(self.query_pairs(include_sort=False))

    def query_pairs(self, *, page: int = 1, include_sort: bool = True) -> list[tuple[str, str]]:
        """The canonical query string of these filters as ordered pairs."""
        pairs = [
            ("q", self.q),
            ("location", self.location),
            ("city", self.city),
            ("category", self.category),
            ("date", self.date_preset),
            ("from", self.date_from.isoformat() if self.date_from else ""),
            ("to", self.date_to.isoformat() if self.date_to else ""),
            ("min_price", _price_text(self.min_price)),
            ("max_price", _price_text(self.max_price)),
            ("free", "1" if self.free else ""),
        ]
        if include_sort and self.sort and self.sort != self.default_sort:
            pairs.append(("sort", self.sort))
        if page > 1:
            pairs.append(("page", str(page)))
        return [(key, value) for key, value in pairs if value]

    @property
    def default_sort(self) -> str:
        return SORT_RELEVANCE if self.q else SORT_SOONEST

    def url(self, path: str, *, page: int = 1, **params) -> str:
        pairs = self.query_pairs(page=page)
        pairs += [(key, str(value)) for key, value in params.items()]
        return f"{path}?{urlencode(pairs)}" if pairs else path


@dataclass
class ParsedSearch:
    filters: SearchFilters
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


def _price_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(value.normalize()) if value == value.to_integral() else f"{value:.2f}"


def _shown(value: str, limit: int = 40) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def clean_text(value: str, max_length: int) -> tuple[str, bool]:
    """Drop control characters (PostgreSQL refuses NUL in text) and collapse whitespace.

    Returns the text and whether it had to be shortened.
    """
    value = unicodedata.normalize("NFC", value)
    value = "".join(
        " " if char.isspace() else char
        for char in value
        if char.isspace() or unicodedata.category(char)[0] != "C"
    )
    value = " ".join(value.split())
    if len(value) > max_length:
        return value[:max_length].rstrip(), True
    return value, False


def _parse_price(raw: str, label: str, notices: list[str]) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    text = raw.removeprefix("$").replace(",", "")
    if text.startswith("-"):
        notices.append(f"Ignored the {label} “{_shown(raw)}”: a price can't be negative.")
        return None
    if not PRICE_RE.match(text):
        notices.append(f"Ignored the {label} “{_shown(raw)}”: that isn't a price.")
        return None
    try:
        return min(Decimal(text), MAX_PRICE)
    except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
        notices.append(f"Ignored the {label} “{_shown(raw)}”: that isn't a price.")
        return None


def _parse_date(raw: str, label: str, today: date, notices: list[str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not DATE_RE.match(raw):
            raise ValueError
        value = date.fromisoformat(raw)
    except ValueError:
        notices.append(f"Ignored the {label} date “{_shown(raw)}”: use the form YYYY-MM-DD.")
        return None
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        notices.append(f"Ignored the {label} date {raw}: it is too far in the future.")
        return None
    # Past events never appear anyway, so an earlier start changes nothing worth a notice.
    return max(value, today)


def parse_search_params(params, *, today: date, with_location: bool = True) -> ParsedSearch:
    """Read filters from a QueryDict-like mapping. Never raises; collects notices.

    `today` is the date the "from"/"to" window is checked against (the caller's local date).
    `with_location=False` is for pages already scoped to one city: location/city are ignored.
    """
    notices: list[str] = []

    def get(name: str) -> str:
        value = params.get(name, "")
        return value if isinstance(value, str) else ""

    q, shortened = clean_text(get("q"), MAX_QUERY_LENGTH)
    if shortened:
        notices.append(f"Your search was shortened to its first {MAX_QUERY_LENGTH} characters.")

    location = city = ""
    if with_location:
        location, shortened = clean_text(get("location"), MAX_LOCATION_LENGTH)
        if shortened:
            notices.append("The location was shortened.")
        raw_city = get("city").strip()
        if raw_city and SLUG_RE.match(raw_city):
            city = raw_city.lower()
        elif raw_city:
            notices.append(f"Ignored the city “{_shown(raw_city)}”: there is no such city.")

    category = get("category").strip().lower()
    if category and category not in CATEGORY_LABELS:
        notices.append(f"Ignored the category “{_shown(category)}”: there is no such category.")
        category = ""

    preset = get("date").strip().lower()
    if preset and preset not in DATE_PRESET_LABELS:
        notices.append(f"Ignored the date “{_shown(preset)}”: choose one of the listed dates.")
        preset = ""
    date_from = _parse_date(get("from"), "from", today, notices)
    date_to = _parse_date(get("to"), "to", today, notices)
    if preset and (date_from or date_to):
        notices.append(
            f"Showing {DATE_PRESET_LABELS[preset].lower()}; the from/to dates were ignored."
        )
        date_from = date_to = None
    if date_from and date_to and date_from > date_to:
        notices.append("The from and to dates were the wrong way round, so they were swapped.")
        date_from, date_to = date_to, date_from

    min_price = _parse_price(get("min_price"), "minimum price", notices)
    max_price = _parse_price(get("max_price"), "maximum price", notices)
    if min_price is not None and max_price is not None and min_price > max_price:
        notices.append("The minimum and maximum prices were swapped.")
        min_price, max_price = max_price, min_price

    free = False
    raw_free = get("free").strip().lower()
    if raw_free in TRUE_VALUES:
        free = True
    elif raw_free and raw_free not in FALSE_VALUES:
        notices.append(f"Ignored “free={_shown(raw_free)}”: use free=1.")
    if free and (min_price or max_price is not None):
        notices.append("Showing free events only; the price range was ignored.")
        min_price = max_price = None

    sort = get("sort").strip().lower()
    if sort and sort not in SORT_LABELS:
        notices.append(f"Ignored the sort order “{_shown(sort)}”.")
        sort = ""
    if sort == SORT_RELEVANCE and not q:
        sort = ""  # "best match" means nothing without keywords; soonest is the default then

    page = 1
    raw_page = get("page").strip()
    if raw_page:
        if raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= MAX_PAGE_DIGITS:
            page = int(raw_page)
        elif raw_page.isascii() and raw_page.isdigit():
            page = 10**MAX_PAGE_DIGITS  # clamped to the last page once the count is known
        else:
            notices.append(f"Ignored the page “{_shown(raw_page)}”: showing the first page.")
        if page < 1:
            notices.append("There is no page 0: showing the first page.")
            page = 1

    filters = SearchFilters(
        q=q,
        location=location,
        city=city,
        category=category,
        date_preset=preset,
        date_from=date_from,
        date_to=date_to,
        min_price=min_price,
        max_price=max_price,
        free=free,
        sort=sort,
        page=page,
    )
    return ParsedSearch(filters=filters, notices=notices)


def date_window(filters: SearchFilters, *, tz: ZoneInfo, now: datetime):
    """The [start, end) window the date filters ask for, in `tz`, or (None, None).

    Presets follow the calendar of the place searched: "today" in Chicago is Chicago's today.
    "This weekend" is Saturday and Sunday (the rest of them when asked on a weekend); "this
    week" runs to the end of Sunday; "this month" to the end of the month.
    """
    today = now.astimezone(tz).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz)

    if filters.date_preset == "today":
        return midnight(today), midnight(today + timedelta(days=1))
    if filters.date_preset == "tomorrow":
        return midnight(today + timedelta(days=1)), midnight(today + timedelta(days=2))
    if filters.date_preset == "weekend":
        saturday = today + timedelta(days=5 - today.weekday())
        if today.weekday() == 6:
            saturday = today - timedelta(days=1)
        return midnight(max(saturday, today)), midnight(saturday + timedelta(days=2))
    if filters.date_preset == "week":
        return midnight(today), midnight(today + timedelta(days=7 - today.weekday()))
    if filters.date_preset == "month":
        first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        return midnight(today), midnight(first_of_next)
    start = midnight(filters.date_from) if filters.date_from else None
    end = midnight(filters.date_to + timedelta(days=1)) if filters.date_to else None
    return start, end


def filter_chips(filters: SearchFilters, path: str, *, city_label: str = "") -> list[Chip]:
    """One removable chip per active filter; each links to the same search without it."""

    def without(**changes) -> str:
        return replace(filters, page=1, **changes).url(path)

    chips = []
    if filters.q:
        chips.append(Chip(f"“{_shown(filters.q, 30)}”", without(q="", sort="")))
    if filters.location:
        chips.append(Chip(f"Near {_shown(filters.location, 30)}", without(location="")))
    if filters.city:
        chips.append(Chip(city_label or filters.city, without(city="")))
    if filters.category:
        chips.append(Chip(CATEGORY_LABELS[filters.category], without(category="")))
    if filters.date_preset:
        chips.append(Chip(DATE_PRESET_LABELS[filters.date_preset], without(date_preset="")))
    if filters.date_from:
        chips.append(
            Chip(f"From {filters.date_from:%b} {filters.date_from.day}", without(date_from=None))
        )
    if filters.date_to:
        chips.append(
            Chip(f"Until {filters.date_to:%b} {filters.date_to.day}", without(date_to=None))
        )
    if filters.free:
        chips.append(Chip("Free", without(free=False)))
    if filters.min_price is not None:
        chips.append(Chip(f"Price from {_money(filters.min_price)}", without(min_price=None)))
    if filters.max_price is not None:
        chips.append(Chip(f"Price up to {_money(filters.max_price)}", without(max_price=None)))
    if filters.sort and filters.sort != filters.default_sort:
        chips.append(Chip(f"Sort: {SORT_LABELS[filters.sort]}", without(sort="")))
    return chips


def _money(value: Decimal) -> str:
    places = 0 if value == value.to_integral() else 2
    return number_format(value, decimal_pos=places, use_l10n=False, force_grouping=True)
