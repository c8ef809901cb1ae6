"""Reads for the discovery pages: home, search, city pages, event pages and autocomplete.

Each selector decides its joins and prefetches so that templates never run a query, and the
number of queries a page costs does not depend on how many events, images or reviews it shows.
Every listing starts from `upcoming_events()`: published, not cancelled and not yet ended.
The listing selectors (home, search, city, autocomplete) may read from a replica when one is
configured (eventmate.core.db_router.use_replica); the event page and its availability never do.
"""

import functools
import logging
import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Lower, RowNumber
from django.urls import reverse
from django.utils import timezone

from eventmate.core import cache_versions
from eventmate.core.db_router import use_replica

from . import search
from .models import Category, City, Event, EventImage
from .search import SearchFilters

logger = logging.getLogger(__name__)

PAGE_SIZE = 24
# Counting every match of a broad search on a large table costs a scan of all of them, so the
# count stops here: below it the number is exact, above it the page says "1,000+ events" and
# pagination ends at the last page that the cap covers (narrowing the search reaches the rest).
COUNT_CAP = 1000
HOME_FEATURED_SIZE = 6
HOME_SECTION_SIZE = 8
HOME_CITIES_SIZE = 8
SIMILAR_SIZE = 4
# Like the event page's similar-events fragment: ending events drop out within this long.
SIMILAR_CACHE_SECONDS = 300
REVIEWS_PAGE_SIZE = 10
FEW_TICKETS_LEFT = 10
AUTOCOMPLETE_MIN_LENGTH = 2
AUTOCOMPLETE_EVENTS = 8
AUTOCOMPLETE_CITIES = 3
# Typo-tolerant matching compares each keyword of at least this length with the title words.
TRIGRAM_MIN_WORD_LENGTH = 3
TRIGRAM_MAX_WORDS = 6

# Long text a listing card never shows; loading it for 24 cards would be wasted work.
LISTING_DEFERRED_FIELDS = (
    "description",
    "whats_included",
    "things_to_know",
    "cancellation_policy",
    "search_vector",
)

SORT_ORDERINGS = {
    "soonest": ("starts_at", "id"),
    "price_asc": ("price", "starts_at", "id"),
    "price_desc": ("-price", "starts_at", "id"),
    "popular": ("-tickets_sold", "starts_at", "id"),
    "rating": ("-rating_average", "-rating_count", "starts_at", "id"),
}


def site_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    # ZoneInfo's own cache keeps only 8 zones strongly; a listing of many cities re-read the
    # tz database from disk for every card (a measurable share of a search page's render).
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def city_timezone(city: City | None) -> ZoneInfo:
    """The city's zone; the site's zone when there is no city or its zone name is unknown."""
    zone = _zone(city.timezone) if city is not None else None
    return zone or site_timezone()


def listing_availability(event: Event) -> int | None:
    """What a listing card says about tickets: 0 (sold out), the count when FEW_TICKETS_LEFT or
    fewer are left, else None (nothing). A ticket change that leaves this as it was needs no
    listing invalidated (eventmate.bookings.services); "most popular" orders may then lag by up
    to PAGE_CACHE_SECONDS."""
    left = event.tickets_left
    return left if left <= FEW_TICKETS_LEFT else None


def upcoming_events(*, now: datetime | None = None, by_keyword: bool = False) -> QuerySet[Event]:
    """Events a visitor may find: published, not cancelled, not yet ended (ongoing included).

    has_ended=False lets the planner use the listing indexes, which leave past events out;
    ends_at stays the rule, since the flag is set by a periodic sweep and may lag. A keyword
    search (`by_keyword`) leaves the flag out on purpose: its matches come from the text
    indexes, and with the flag PostgreSQL ANDs them with a bitmap of every upcoming event
    (10 ms at 100,000 events) to save rechecking a few hundred rows.
    """
    now = now or timezone.now()
    events = Event.objects.filter(is_published=True, is_cancelled=False, ends_at__gte=now)
    if by_keyword or not _ended_flag_applies(now):
        return events
    return events.filter(has_ended=False)


def _ended_flag_applies(now: datetime) -> bool:
    # The flag follows the real clock: a `now` in the past (a listing as it was) can't use it.
    return now >= timezone.now() - timedelta(minutes=1)


def _listing(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("city").defer(*LISTING_DEFERRED_FIELDS)


def _card_image_queryset() -> QuerySet[EventImage]:
    # One row per event: the primary image, else the first in the host's order. A window
    # function keeps it to one query whatever the number of images per event.
    position = Window(
        RowNumber(),
        partition_by=[F("event_id")],
        order_by=[F("is_primary").desc(), F("order").asc(), F("id").asc()],
    )
    return EventImage.objects.annotate(position=position).filter(position=1)


def attach_card_images(events: list[Event]) -> None:
    """Set `event.card_image` (an EventImage or None) on every event, in one query."""
    if not events:
        return
    prefetch_related_objects(
        events, Prefetch("images", queryset=_card_image_queryset(), to_attr="card_images")
    )
    for event in events:
        event.card_image = event.card_images[0] if event.card_images else None


# --------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------
@dataclass
class HomePage:
    featured: list[Event]
    upcoming: list[Event]
    popular: list[Event]
    cities: list[City]
    categories: list[tuple[str, str]]


@use_replica()
def home_page(*, now: datetime | None = None) -> HomePage:
    """Five queries: three event lists, their images together, featured cities."""
    events = _listing(upcoming_events(now=now))
    featured = list(
        events.filter(is_featured=True).order_by("starts_at", "id")[:HOME_FEATURED_SIZE]
    )
    # Each section shows events the ones above it did not, so the page never repeats itself.
    shown = [event.pk for event in featured]
    upcoming = list(events.exclude(pk__in=shown).order_by("starts_at", "id")[:HOME_SECTION_SIZE])
    shown += [event.pk for event in upcoming]
    popular = list(
        events.filter(tickets_sold__gt=0)
        .exclude(pk__in=shown)
        .order_by(*SORT_ORDERINGS["popular"])[:HOME_SECTION_SIZE]
    )
    attach_card_images(featured + upcoming + popular)
    cities = list(City.objects.filter(is_featured=True).order_by("name")[:HOME_CITIES_SIZE])
    return HomePage(
        featured=featured,
        upcoming=upcoming,
        popular=popular,
        cities=cities,
        categories=list(Category.choices),
    )


# --------------------------------------------------------------------------------------------
# Search and city pages
# --------------------------------------------------------------------------------------------
@dataclass
class SearchResults:
    filters: SearchFilters  # the filters actually applied (unusable ones removed)
    events: list[Event]
    count: int  # exact up to COUNT_CAP
    page: int
    num_pages: int
    timezone: ZoneInfo
    notices: list[str] = field(default_factory=list)
    city: City | None = None  # the `city` filter (or the city page's city)
    location_cities: list[City] = field(default_factory=list)

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def page_numbers(self) -> list[int | None]:
        """Page links to show: first, last and two either side of the current (None = gap)."""
        wanted = {1, self.num_pages, *range(self.page - 2, self.page + 3)}
        numbers: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.num_pages):
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def _resolve_cities(filters: SearchFilters, notices: list[str]):
    """Look up the `city` slug and the `location` text in one query.

    A location matches cities whose name equals it, else whose name starts with it (the text
    before a comma, so "Chicago, IL" works). Unknown values are dropped with a notice.
    """
    city = None
    location_cities: list[City] = []
    location_name = filters.location.split(",")[0].strip()
    condition = Q()
    if filters.city:
        condition |= Q(slug=filters.city)
    if location_name:
        condition |= Q(name__istartswith=location_name)
    if not condition:
        return filters, city, location_cities
    found = list(City.objects.filter(condition).order_by("-is_featured", "name")[:50])
    if filters.city:
        city = next((c for c in found if c.slug == filters.city), None)
        if city is None:
            notices.append(f"Ignored the city “{filters.city}”: there is no such city.")
            filters = replace(filters, city="")
    if location_name:
        lowered = location_name.casefold()
        starting = [c for c in found if c.name.casefold().startswith(lowered)]
        exact = [c for c in starting if c.name.casefold() == lowered]
        location_cities = exact or starting
        if not location_cities:
            notices.append(f"We don't know a city called “{filters.location}”, so it was ignored.")
            filters = replace(filters, location="")
    return filters, city, location_cities


def _keyword_match_postgresql(queryset: QuerySet[Event], text: str, *, typos: bool):
    """Full-text match on the stored, GIN-indexed search_vector; with `typos`, instead every
    keyword close to a word of the title (pg_trgm against the lower(title) trigram index):
    three-letter words as substrings, longer ones by word similarity (threshold set per
    connection in settings: 0.5). Ranked by text rank plus title similarity.

    Typo matching is the fallback when the words match nothing as written (event_search): as
    an OR beside the text match it cost a trigram comparison per scanned row (2 µs; 250 ms a
    scan at 100,000 events) on every search, to add results that exact words had already found.
    """
    query = SearchQuery(text, search_type="websearch", config="english")
    rank = SearchRank(F("search_vector"), query) + TrigramWordSimilarity(
        Value(text.lower()), Lower("title")
    )
    if not typos:
        return queryset.filter(search_vector=query), rank
    words = [
        word for word in re.findall(r"\w+", text.lower()) if len(word) >= TRIGRAM_MIN_WORD_LENGTH
    ][:TRIGRAM_MAX_WORDS]
    if not words:
        return None
    typo_match = Q()
    for word in words:
        # Similarity of very short words is noise ("jam" ~ "jazz"); substrings are not.
        if len(word) == TRIGRAM_MIN_WORD_LENGTH:
            typo_match &= Q(title_lower__contains=word)
        else:
            typo_match &= Q(title_lower__trigram_word_similar=word)
    return queryset.alias(title_lower=Lower("title")).filter(typo_match), rank


def _keyword_match_simple(queryset: QuerySet[Event], text: str, *, typos: bool):
    """SQLite: every word must appear (any case) in the title, description, venue or city.
    There is no typo matching (None)."""
    if typos:
        return None
    for word in text.split()[:TRIGRAM_MAX_WORDS]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(venue__icontains=word)
            | Q(city__name__icontains=word)
            | Q(description__icontains=word)
        )
    rank = Case(
        When(title__istartswith=text, then=Value(3.0)),
        When(title__icontains=text, then=Value(2.0)),
        When(title__icontains=text.split()[0], then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return queryset, rank


def keyword_match(queryset: QuerySet[Event], text: str, *, typos: bool = False):
    """Filter by keywords; return the queryset and a relevance expression (higher is better).
    With `typos`, match keywords close to the title's words instead; None when the database
    or the words allow no such match."""
    if connection.vendor == "postgresql":
        return _keyword_match_postgresql(queryset, text, typos=typos)
    return _keyword_match_simple(queryset, text, typos=typos)


class _PkInArray(Func):
    """`lhs = ANY(array)` (PostgreSQL), a condition usable in filter()."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        lhs, rhs = self.get_source_expressions()
        lhs_sql, lhs_params = compiler.compile(lhs)
        rhs_sql, rhs_params = compiler.compile(rhs)
        return f"{lhs_sql} = ANY({rhs_sql})", (*lhs_params, *rhs_params)


def _filtered_events(
    filters: SearchFilters,
    *,
    city: City | None,
    location_cities: list[City],
    tz: ZoneInfo,
    now: datetime,
    typos: bool = False,
) -> tuple[QuerySet[Event], QuerySet[Event]] | None:
    """The matching events, unordered (to count), and the same in the filters' order; None
    when `typos` is asked for and no typo match is possible (see keyword_match)."""
    events = upcoming_events(now=now, by_keyword=bool(filters.q))
    if city is not None:
        events = events.filter(city=city)
    if location_cities:
        events = events.filter(city__in=location_cities)
    if filters.category:
        events = events.filter(category=filters.category)
    start, end = search.date_window(filters, tz=tz, now=now)
    if start is not None:
        # Overlap, not containment: a festival that runs through the weekend is "this weekend".
        events = events.filter(ends_at__gte=start)
    if end is not None:
        events = events.filter(starts_at__lt=end)
    if filters.free:
        events = events.filter(price=0)
    if filters.min_price is not None:
        events = events.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        events = events.filter(price__lte=filters.max_price)
    sort = filters.effective_sort
    if filters.q:
        matched = keyword_match(events, filters.q, typos=typos)
        if matched is None:
            return None
        events, rank = matched
        if sort == search.SORT_RELEVANCE:
            # Rank the soonest COUNT_CAP matches, as many as the pages reach, not all of them:
            # ranking every match of a common word ranked tens of thousands of rows ("night",
            # 150 ms at 100,000 events), growing with the table. The soonest come off the
            # starts_at index, which the has_ended flag lets the planner use.
            soonest = events.filter(has_ended=False) if _ended_flag_applies(now) else events
            candidates = soonest.order_by("starts_at", "id").values("pk")[:COUNT_CAP]
            if connection.vendor == "postgresql":
                # = ANY(ARRAY(...)): with IN (...) the planner may hash-join the window
                # against a scan of every event instead of fetching its rows by key.
                window = _PkInArray(F("pk"), ArraySubquery(candidates))
            else:
                window = Q(pk__in=candidates)
            ranked = Event.objects.filter(window).alias(rank=rank)
            return events, ranked.order_by(F("rank").desc(), "starts_at", "id")
    return events, events.order_by(*SORT_ORDERINGS[sort])


@use_replica()
def event_search(
    *,
    filters: SearchFilters,
    notices: list[str] | None = None,
    scope_city: City | None = None,
    now: datetime | None = None,
) -> SearchResults:
    """One page of upcoming events matching `filters`.

    `scope_city` limits the search to one city (the city page). Unknown cities, an unknown
    location and pages past the end are dropped or clamped, with a notice added to `notices`.
    Queries: up to one for cities, one capped count, one page, one for card images.
    """
    notices = list(notices or [])
    now = now or timezone.now()
    filters, city, location_cities = _resolve_cities(filters, notices)
    city = scope_city or city
    zone_city = city or (location_cities[0] if len(location_cities) == 1 else None)
    tz = city_timezone(zone_city)
    found = {"city": city, "location_cities": location_cities, "tz": tz, "now": now}
    matches, events = _filtered_events(filters, **found)
    count = matches.order_by()[: COUNT_CAP + 1].count()
    if not count and filters.q:
        # Nothing matches the words as written: try them as possible misspellings.
        close = _filtered_events(filters, **found, typos=True)
        if close is not None:
            count = close[0].order_by()[: COUNT_CAP + 1].count()
            if count:
                events = close[1]
                notices.append(
                    f"Nothing matched “{filters.q}” exactly, so these are close matches."
                )
    num_pages = max(1, math.ceil(min(count, COUNT_CAP) / PAGE_SIZE))
    page = filters.page
    if page > num_pages:
        notices.append(
            "There is only one page of results: showing it."
            if num_pages == 1
            else f"There are only {num_pages} pages of results: showing the last one."
        )
        page = num_pages
        filters = replace(filters, page=page)
    offset = (page - 1) * PAGE_SIZE
    page_events = list(_listing(events)[offset : offset + PAGE_SIZE]) if count else []
    attach_card_images(page_events)
    return SearchResults(
        filters=filters,
        events=page_events,
        count=count,
        page=page,
        num_pages=num_pages,
        timezone=tz,
        notices=notices,
        city=city,
        location_cities=location_cities,
    )


@use_replica()
def city_by_slug(*, slug: str) -> City | None:
    return City.objects.filter(slug=slug).first()


# --------------------------------------------------------------------------------------------
# Event page
# --------------------------------------------------------------------------------------------
def event_detail(*, slug: str) -> Event | None:
    """The event with its city, host and every image (primary first); two queries.

    Returns unpublished events too: `can_view_event` decides who may see them.
    """
    images = EventImage.objects.order_by("-is_primary", "order", "id")
    event = (
        Event.objects.select_related("city", "host")
        .prefetch_related(Prefetch("images", queryset=images, to_attr="gallery"))
        .filter(slug=slug)
        .first()
    )
    return _count_overdue_holds(event)


def event_for_visitor(*, slug: str) -> Event | None:
    """The event with its city, without its long texts, host or images: what the signed-in
    parts of a cached event page need (booking form, favourite); one query, two with holds."""
    event = (
        Event.objects.select_related("city")
        .defer(*LISTING_DEFERRED_FIELDS)
        .filter(slug=slug)
        .first()
    )
    return _count_overdue_holds(event)


def _count_overdue_holds(event: Event | None) -> Event | None:
    if event is not None and event.tickets_held:
        # Availability never counts a hold past its expiry, whether or not the expiry job has
        # run: one indexed aggregate (bookings_pending_event_idx), only when something is held.
        # The reverse relation keeps events free of an import of the bookings app.
        overdue = event.bookings.filter(
            status="pending", hold_expires_at__lte=timezone.now()
        ).aggregate(total=Sum("quantity"))["total"]
        event.overdue_held = overdue or 0
    return event


def can_view_event(*, event: Event, user) -> bool:
    """Published events are public; unpublished ones only for their host and staff."""
    if event.is_published:
        return True
    return bool(user.is_authenticated and (user.pk == event.host_id or user.is_staff))


@dataclass
class ReviewsPage:
    reviews: list
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def event_reviews(*, event: Event, page: int = 1) -> ReviewsPage:
    """Newest reviews first, REVIEWS_PAGE_SIZE at a time, in one query.

    The stored `rating_count` (kept exact by the review services) bounds the page number;
    one extra row fetched tells whether an older page exists, so no COUNT is needed.
    """
    last_page = max(1, math.ceil(event.rating_count / REVIEWS_PAGE_SIZE))
    page = min(max(page, 1), last_page)
    offset = (page - 1) * REVIEWS_PAGE_SIZE
    rows = list(
        event.reviews.select_related("user")
        .only(
            "rating",
            "comment",
            "created_at",
            "event_id",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
        .order_by("-created_at", "-id")[offset : offset + REVIEWS_PAGE_SIZE + 1]
    )
    return ReviewsPage(
        reviews=rows[:REVIEWS_PAGE_SIZE], page=page, has_next=len(rows) > REVIEWS_PAGE_SIZE
    )


def similar_events(*, event: Event, now: datetime | None = None) -> list[Event]:
    """Other upcoming events of the same category, soonest first.

    Every event of a category shows the same few, so they are fetched once per category (two
    queries) and kept in the cache under the listings version for SIMILAR_CACHE_SECONDS: a
    cold event page then costs two queries fewer. With `now` (a listing as of another time)
    nothing is cached.
    """
    if now is not None:
        candidates = _similar_candidates(category=event.category, now=now)
    else:
        key = f"similar:{event.category}:{cache_versions.get_version(cache_versions.LISTINGS)}"
        candidates = cache_versions.get_many_quietly([key]).get(key)
        if candidates is None:
            candidates = _similar_candidates(category=event.category, now=None)
            try:
                cache.set(key, candidates, SIMILAR_CACHE_SECONDS)
            except Exception:
                logger.exception("Could not cache similar events")
    return [other for other in candidates if other.pk != event.pk][:SIMILAR_SIZE]


def _similar_candidates(*, category: str, now: datetime | None) -> list[Event]:
    # One more than shown: the event itself may be among them.
    candidates = list(
        _listing(upcoming_events(now=now))
        .filter(category=category)
        .order_by("starts_at", "id")[: SIMILAR_SIZE + 1]
    )
    attach_card_images(candidates)
    return candidates


def is_favorite(*, event: Event, user) -> bool:
    if not user.is_authenticated:
        return False
    return event.favorites.filter(user=user).exists()


@dataclass
class BookingOptions:
    """What the booking form on the event page offers, or why it is not offered."""

    quantities: list[int]
    days: list[date]
    unavailable_reason: str = ""

    @property
    def is_available(self) -> bool:
        return not self.unavailable_reason


# An event ending before this hour of the next morning is a one-day (one-night) event. The same
# rule as eventmate.bookings.services, which validates what this form offers.
OVERNIGHT = timedelta(hours=6)


def event_days(event: Event) -> list[date]:
    """The local days (the city's time zone) the event takes place on: one for an evening
    that runs past midnight, several for a festival."""
    tz = city_timezone(event.city)
    first = event.starts_at.astimezone(tz).date()
    last = max((event.ends_at - OVERNIGHT).astimezone(tz).date(), first)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def booking_options(*, event: Event, now: datetime | None = None) -> BookingOptions:
    """What the event page's booking form offers: quantities up to the per-order maximum and
    the tickets left; for a multi-day event, the days still to come. Or why it can't be
    booked (cancelled, unpublished, started or ended, sold out)."""
    now = now or timezone.now()
    days = event_days(event)
    reason = ""
    if event.is_cancelled:
        reason = "This event has been cancelled."
    elif not event.is_published:
        reason = "This event is not published."
    elif event.ends_at <= now:
        reason = "This event has ended."
    elif len(days) == 1 and event.starts_at <= now:
        reason = "Booking has closed: this event has already started."
    elif event.tickets_left == 0:
        reason = "Sold out."
    if reason:
        return BookingOptions(quantities=[], days=[], unavailable_reason=reason)
    most = min(settings.BOOKING_MAX_TICKETS_PER_ORDER, event.tickets_left)
    today = now.astimezone(city_timezone(event.city)).date()
    bookable_days = [day for day in days if day >= today] if len(days) > 1 else []
    return BookingOptions(quantities=list(range(1, most + 1)), days=bookable_days)


# --------------------------------------------------------------------------------------------
# Autocomplete
# --------------------------------------------------------------------------------------------
def _prefix_match(field_alias: str, prefix: str) -> Q:
    # Start of the text or of any word in it. Both are LIKE patterns the trigram indexes on
    # lower(title) / lower(name) serve on PostgreSQL.
    return Q(**{f"{field_alias}__startswith": prefix}) | Q(
        **{f"{field_alias}__contains": f" {prefix}"}
    )


@use_replica()
def autocomplete(*, text: str, now: datetime | None = None) -> dict:
    """Up to 8 upcoming events and 3 cities whose name (or a word of it) starts with `text`.

    Fewer than AUTOCOMPLETE_MIN_LENGTH characters give empty lists without a query.
    """
    prefix, _ = search.clean_text(text, search.MAX_QUERY_LENGTH)
    prefix = prefix.lower()
    if len(prefix) < AUTOCOMPLETE_MIN_LENGTH:
        return {"events": [], "cities": []}
    events = (
        upcoming_events(now=now)
        .select_related("city")
        .only("title", "slug", "starts_at", "city__name", "city__timezone")
        .alias(title_lower=Lower("title"))
        .filter(_prefix_match("title_lower", prefix))
        .alias(
            starts_with=Case(When(title_lower__startswith=prefix, then=Value(1)), default=Value(0))
        )
        .order_by("-starts_with", "starts_at", "id")[:AUTOCOMPLETE_EVENTS]
    )
    cities = (
        City.objects.only("name", "slug")
        .alias(name_lower=Lower("name"))
        .filter(_prefix_match("name_lower", prefix))
        .order_by("-is_featured", "name")[:AUTOCOMPLETE_CITIES]
    )
    return {
        "events": [
            {
                "title": event.title,
                "url": event.get_absolute_url(),
                "city": event.city.name,
                "starts_at": event.starts_at.astimezone(city_timezone(event.city)).isoformat(),
            }
            for event in events
        ],
        "cities": [
            {"name": city.name, "url": reverse("events:city-detail", kwargs={"slug": city.slug})}
            for city in cities
        ],
    }
