"""The demo data generator behind `manage.py seed_demo`.

Contract:
- Deterministic: every part draws from its own `random.Random` seeded from `--seed` and the
  part's name, so the same options give the same cities, people, titles, slugs, prices,
  bookings and reviews. Dates are relative to the day of the run; booking references come
  from the system's secure generator, because they are bearer links to tickets.
- One transaction per phase: cities, users, events (with their images, bookings and reviews),
  favourites. Every committed state is consistent: `tickets_sold`/`tickets_held` equal the
  confirmed/pending booking sums and `rating_average`/`rating_count` the review aggregates,
  because those are computed in Python before the event rows are written (see seed_events).
- Bulk inserts in batches of BATCH_SIZE (COPY on PostgreSQL, see bulk.py).
- Demo accounts are recognised by their e-mail domain (DEMO_EMAIL_DOMAIN); demo events are
  those hosted by demo accounts. `flush_demo_data()` removes exactly that.
"""

import math
import random
import secrets
import string
import time
import unicodedata
from bisect import bisect
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from eventmate.accounts.models import User
from eventmate.bookings.models import REFERENCE_ALPHABET, Booking
from eventmate.core import cache_versions
from eventmate.demo import data, images
from eventmate.demo.bulk import (
    BATCH_SIZE,
    RowInserter,
    drop_for_bulk_load,
    restore_after_bulk_load,
)
from eventmate.demo.progress import ProgressBar
from eventmate.events.models import Category, City, Event, EventImage
from eventmate.payments.models import TestPayment
from eventmate.reviews.models import Favorite, Review

DEMO_EMAIL_DOMAIN = "demo.eventmate.example"  # RFC 2606: can never reach a real mailbox
DEMO_PASSWORD = "eventmate-demo"
ADMIN_USERNAME, HOST_USERNAME, DEMO_USERNAME = "admin", "host", "demo"
DEFAULT_SEED = 2024
CENTS = Decimal("0.01")
# From this many events on, PostgreSQL loads add the secondary indexes and foreign keys once
# at the end instead of maintaining them row by row (see bulk.drop_for_bulk_load; the tables
# are locked meanwhile).
BULK_LOAD_MIN_EVENTS = 20_000

# Share of events per category (music and food are the big markets).
CATEGORY_WEIGHTS = {
    "music": 16, "food-drink": 11, "arts": 10, "technology": 10, "nightlife": 9, "sports": 8,
    "wellness": 8, "comedy": 7, "business": 7, "community": 6, "education": 5, "family": 5,
}  # fmt: skip
# Plain strings, not the TextChoices members: rows go to COPY, which would dump an Enum by name.
PENDING, CONFIRMED = Booking.Status.PENDING.value, Booking.Status.CONFIRMED.value
CANCELLED, EXPIRED = Booking.Status.CANCELLED.value, Booking.Status.EXPIRED.value
REFUNDED = Booking.Status.REFUNDED.value
CATEGORIES = tuple(CATEGORY_WEIGHTS)
CATEGORY_CUM_WEIGHTS = tuple(accumulate(CATEGORY_WEIGHTS.values()))
CATEGORY_TOTAL = CATEGORY_CUM_WEIGHTS[-1]
QUANTITIES, QUANTITY_CUM_WEIGHTS = (1, 2, 3, 4, 5, 6), tuple(accumulate((45, 33, 9, 8, 3, 2)))
CANCELLATION_HOURS = (0, 24, 48, 48, 48, 72, 168)
# Time buckets some of the first events are pinned to, so even a tiny seed has past events
# and events today, tomorrow and this weekend.
FORCED_BUCKETS = {1: "past", 2: "today", 3: "tomorrow", 4: "weekend", 6: "past"}


@dataclass(frozen=True)
class SeedOptions:
    events: int = 300
    users: int = 200
    hosts: int | None = None  # default: one host per 50 events, at least 10
    bookings: int | None = None  # default: two per event
    reviews: int | None = None  # default: one per three events (capped by who may review)
    favorites: int | None = None  # default: three per user
    cities: int = len(data.CITIES)
    images: int = 24
    seed: int = DEFAULT_SEED

    @property
    def host_count(self) -> int:
        return self.hosts if self.hosts is not None else max(10, self.events // 50)

    @property
    def booking_count(self) -> int:
        return self.bookings if self.bookings is not None else self.events * 2

    @property
    def review_count(self) -> int:
        return self.reviews if self.reviews is not None else self.events // 3

    @property
    def favorite_count(self) -> int:
        return self.favorites if self.favorites is not None else self.users * 3


@dataclass
class SeedReport:
    cities: int = 0
    users: int = 0
    hosts: int = 0
    events: int = 0
    event_images: int = 0
    bookings: int = 0
    reviews: int = 0
    favorites: int = 0
    seconds: float = 0.0


# Column order of the rows each phase builds (see bulk.RowInserter).
USER_FIELDS = (
    "username", "email", "password", "first_name", "last_name", "is_staff", "is_superuser",
    "is_active", "is_host", "phone", "bio", "avatar", "date_joined", "last_login",
)  # fmt: skip
EVENT_FIELDS = (
    "host_id", "title", "slug", "description", "category", "city_id", "venue", "address",
    "latitude", "longitude", "starts_at", "ends_at", "price", "currency", "capacity",
    "tickets_sold", "tickets_held", "whats_included", "things_to_know", "cancellation_policy",
    "free_cancellation_hours", "minimum_age", "is_published", "is_featured", "is_cancelled",
    "rating_average", "rating_count", "created_at", "updated_at", "search_vector",
)  # fmt: skip
IMAGE_FIELDS = ("event_id", "image", "alt_text", "order", "is_primary")
BOOKING_FIELDS = (
    "user_id", "event_id", "reference", "quantity", "attendance_date", "unit_price", "total",
    "currency", "status", "hold_expires_at", "payment_provider", "payment_reference",
    "created_at", "updated_at", "confirmed_at", "cancelled_at", "checked_in_at",
)  # fmt: skip
BOOKING_STATUS = BOOKING_FIELDS.index("status")
REVIEW_FIELDS = ("user_id", "event_id", "booking_id", "rating", "comment", "created_at",
                 "updated_at")  # fmt: skip
FAVORITE_FIELDS = ("user_id", "event_id", "created_at")
PAYMENT_FIELDS = (
    "reference", "order_reference", "amount", "currency", "status", "card_last4",
    "created_at", "settles_at", "refunded_at",
)  # fmt: skip


class FastRandom(random.Random):
    """random.Random whose choice/randint/randrange scale random() instead of drawing exact,
    bias-free integers: about three times faster, and a bias below 2**-40 is nothing for
    demo data. Still fully determined by the seed."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None) -> int:
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))


class References:
    """Booking references from the operating system's secure generator, many at a time.

    Same alphabet and length as bookings.models.new_reference; drawing bytes in bulk and
    mapping them with one translate() is ~50x faster than a secrets.choice per character.
    Bytes 248–255 are dropped so that every character is equally likely (248 = 8 × 31)."""

    def __init__(self):
        size = len(REFERENCE_ALPHABET)
        usable = 256 - 256 % size
        self.table = bytes.maketrans(
            bytes(range(usable)), (REFERENCE_ALPHABET * 9)[:usable].encode()
        )
        self.drop = bytes(range(usable, 256))
        self.buffer, self.position = "", 0

    def next(self) -> str:
        start = self.position
        if start + 12 > len(self.buffer):
            fresh = secrets.token_bytes(8192).translate(self.table, self.drop).decode()
            self.buffer, start = self.buffer[start:] + fresh, 0
        self.position = start + 12
        return self.buffer[start : start + 12]


class EventFacts:
    """An event while it is being planned: its outline, then the bookings and reviews it will
    get. 100k of these live in memory at once, hence the slots."""

    __slots__ = (
        "booking_ids", "bookings", "capacity", "category", "city_slot", "created_at", "days",
        "ends_at", "first_day", "held", "host_slot", "id", "index", "is_featured",
        "is_published", "pictures", "price", "rating_count", "rating_sum", "reviews",
        "scarcity_leave", "slug", "sold", "starts_at", "title",
    )  # fmt: skip

    def __init__(self, **values):
        self.id = None
        self.sold = self.held = self.rating_sum = self.rating_count = 0
        self.bookings: list[tuple[int, int, str]] = []  # (user id, quantity, status)
        self.reviews: list[tuple[int, int]] = []  # (position in bookings, rating)
        self.booking_ids: list[int] = []
        self.pictures: list[tuple[int, str]] = []  # (artwork number, alt text)
        for name, value in values.items():
            setattr(self, name, value)


def demo_users():
    return User.objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN)


def demo_data_exists() -> bool:
    return demo_users().exists()


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, password) of the demo accounts that exist."""
    roles = {ADMIN_USERNAME: "admin", HOST_USERNAME: "host", DEMO_USERNAME: "user"}
    found = set(demo_users().filter(username__in=roles).values_list("username", flat=True))
    return [(role, name, DEMO_PASSWORD) for name, role in roles.items() if name in found]


def _delete_where_in(model, column: str, subquery) -> int:
    """DELETE ... WHERE column IN (subquery) as one statement. QuerySet.delete() would load
    every row into Python to run cascades; the caller deletes dependants first instead."""
    sql, params = subquery.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({sql})", params
        )
        return cursor.rowcount


@transaction.atomic
def flush_demo_data() -> dict[str, int]:
    """Delete the demo accounts, the events they host and everything attached to those events
    or accounts (image rows, bookings — also other people's bookings of demo events — and
    their test-provider payments, reviews, favourites), then the demo cities no other event
    uses. Generated image files are kept: the next seed reuses them. Returns counts per
    model."""
    users = demo_users().values("pk")
    events = Event.objects.filter(host__in=users).values("pk")
    deleted = {}
    bookings = Booking.objects.filter(Q(event__in=events) | Q(user__in=users))
    deleted["TestPayment"] = _delete_where_in(
        TestPayment, "order_reference", bookings.values("reference")
    )
    for model in (Review, Favorite, Booking):
        deleted[model.__name__] = _delete_where_in(model, "event_id", events)
        deleted[model.__name__] += _delete_where_in(model, "user_id", users)
    deleted["EventImage"] = _delete_where_in(EventImage, "event_id", events)
    deleted["Event"] = _delete_where_in(Event, "host_id", users)
    deleted["User"], _ = demo_users().delete()  # few rows; lets Django clear m2m and admin log
    demo_slugs = [city.slug for city in data.CITIES]
    deleted["City"], _ = City.objects.filter(slug__in=demo_slugs, events__isnull=True).delete()
    transaction.on_commit(_pages_changed)
    return deleted


def _pages_changed() -> None:
    # Every event page and listing: demo slugs come back with new events after a --flush,
    # and event pages are cached by slug.
    cache_versions.bump(cache_versions.EVENT_PAGES, cache_versions.LISTINGS)


@contextmanager
def explicit_timestamps(*models):
    """Let bulk inserts store the created_at/updated_at values set on the objects.

    auto_now / auto_now_add would stamp every demo row with the moment of seeding, and then
    "newest reviews" or "my bookings" would have no meaningful order. The flags are restored
    on exit; the command runs single-threaded, so nothing else sees the change."""
    fields = [
        f for model in models for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


_FORMATTER = string.Formatter()
_FIELDS_CACHE: dict[str, tuple[str, ...]] = {}


def _fields(template: str) -> tuple[str, ...]:
    if template not in _FIELDS_CACHE:
        _FIELDS_CACHE[template] = tuple(
            name for _, name, _, _ in _FORMATTER.parse(template) if name
        )
    return _FIELDS_CACHE[template]


_PRICES = {
    (whole, half): Decimal(f"{whole}.{50 if half else 0:02d}")
    for whole in range(0, 1001)
    for half in (False, True)
}


@lru_cache(maxsize=20_000)
def _start_hours(title: str, category: str) -> tuple[int, ...]:
    """Start hours the title implies ("Sunrise Yoga" at dawn), else the category's own."""
    own = data.CATEGORY_PROFILES[category].start_hours
    hours = next((hours for word, hours in data.TITLE_START_HOURS if word in title), own)
    if min(hours) >= 17 and min(own) >= 17:
        return own  # an evening category knows its own evening
    return hours


@lru_cache(maxsize=20_000)
def _slug_base(title: str) -> str:
    # Titles repeat a lot (they come from word lists); slugify is slow enough to matter at
    # 100k events.
    return slugify(title)[:190].strip("-") or "event"


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    # Whole or half amounts only: on SQLite, decimals are floats, and the bookings check
    # "total = unit_price * quantity" fails for amounts like 5 × 24.99 that binary floats
    # cannot represent exactly; halves multiply exactly.
    whole = rng.randint(low, high)
    return _PRICES[(whole, rng.random() < 0.2)]


class DemoSeeder:
    def __init__(self, options: SeedOptions, stdout):
        self.options = options
        self.stdout = stdout
        self.report = SeedReport()
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate(self.now)
        self.hold_minutes = settings.BOOKING_HOLD_MINUTES
        self.currency = settings.DEFAULT_CURRENCY
        self.phase = ""
        self.skipped_accounts: list[str] = []

    def rng(self, stream: str) -> FastRandom:
        return FastRandom(f"{self.options.seed}:{stream}")

    def run(self) -> SeedReport:
        """Load everything; each phase commits on its own (see the module docstring)."""
        if not (
            connection.vendor == "postgresql"
            or connection.features.can_return_rows_from_bulk_insert
        ):
            raise RuntimeError("seed_demo needs a database that returns ids from bulk inserts.")
        started = time.monotonic()
        self.phase = "images"
        self.seed_image_pool()
        with explicit_timestamps(Event, Booking, Review, Favorite, TestPayment):
            for phase in ("cities", "users", "events", "favorites"):
                self.phase = phase
                with transaction.atomic():
                    getattr(self, f"seed_{phase}")()
        self.phase = "statistics"
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner uses the listing indexes right away instead of
            # waiting for autovacuum to notice 100k new rows. Outside a transaction, VACUUM too:
            # it sets the visibility map and hint bits now, as autovacuum would have long ago
            # on a live site, instead of while the first visitors (or the benchmark's growth
            # phase, minutes after a 1,000,000-event seed) read the new rows.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            tables = (City, User, Event, EventImage, Booking, Review, Favorite, TestPayment)
            bar = ProgressBar(self.stdout, "statistics", len(tables))
            with connection.cursor() as cursor:
                for model in tables:
                    cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")
                    bar.advance()
            bar.finish()
        _pages_changed()
        self.report.seconds = time.monotonic() - started
        return self.report

    # ---------------------------------------------------------------------------------------
    def seed_image_pool(self) -> None:
        count = max(self.options.images, 1)
        city_count = self._city_count()
        bar = ProgressBar(self.stdout, "images", count + city_count)
        self.artwork = []
        for index in range(count):
            name = f"demo/events/artwork-{index:02d}.jpg"
            self.artwork.append(images.store_once(name, lambda i=index: images.event_artwork(i)))
            bar.advance()
        self.city_artwork = {}
        for city in data.CITIES[:city_count]:
            name = f"demo/cities/{city.slug}.jpg"
            self.city_artwork[city.slug] = images.store_once(
                name, lambda slug=city.slug: images.city_artwork(slug)
            )
            bar.advance()
        bar.finish()

    def _city_count(self) -> int:
        return min(max(self.options.cities, len(data.REQUIRED_CITY_SLUGS)), len(data.CITIES))

    # ---------------------------------------------------------------------------------------
    def seed_cities(self) -> None:
        """A city that already exists under its slug is used as it is, never changed."""
        chosen = data.CITIES[: self._city_count()]
        bar = ProgressBar(self.stdout, "cities", len(chosen))
        existing = {c.slug: c for c in City.objects.filter(slug__in=[c.slug for c in chosen])}
        new = [
            City(
                name=c.name,
                region=c.region,
                country=c.country,
                slug=c.slug,
                image=self.city_artwork[c.slug],
                is_featured=c.is_featured,
                latitude=Decimal(f"{c.latitude:.6f}"),
                longitude=Decimal(f"{c.longitude:.6f}"),
                timezone=c.timezone,
            )
            for c in chosen
            if c.slug not in existing
        ]
        City.objects.bulk_create(new, batch_size=BATCH_SIZE)
        rows = {**existing, **{c.slug: c for c in new}}
        self.cities = [(rows[c.slug].pk, c, ZoneInfo(c.timezone)) for c in chosen]
        self.city_cum_weights = []
        total = 0
        for _, city, _ in self.cities:
            total += city.weight
            self.city_cum_weights.append(total)
        self.report.cities = len(new)
        bar.advance(len(chosen))
        bar.finish()

    def _weighted_city(self, rng: random.Random) -> int:
        return bisect(self.city_cum_weights, rng.random() * self.city_cum_weights[-1])

    # ---------------------------------------------------------------------------------------
    def seed_users(self) -> None:
        rng = self.rng("users")
        options = self.options
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is the slow part
        used: dict[str, int] = {}

        def username_for(first: str, last: str) -> str:
            base = _ascii(f"{first}.{last}").lower().replace("'", "").replace(" ", "")
            used[base] = used.get(base, 0) + 1
            return base if used[base] == 1 else f"{base}{used[base]}"

        def person(kind: str) -> dict:
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            home = self._weighted_city(rng)
            city_name = self.cities[home][1].name
            if kind == "host":
                category = rng.choice(Category.choices)[1].lower()
                bio = rng.choice(data.HOST_BIOS).format(
                    category=category, city=city_name, year=rng.randint(2009, 2022)
                )
            else:
                bio = rng.choice(data.USER_BIOS).format(city=city_name)
            return {
                "kind": kind,
                "username": username_for(first, last),
                "first_name": first,
                "last_name": last,
                "bio": bio,
                "phone": f"+1 555-01{rng.randint(0, 99):02d}" if rng.random() < 0.3 else "",
                "is_host": kind == "host",
                "date_joined": self.now - timedelta(days=rng.uniform(1, 900)),
                "home": home,
            }

        specials = [
            {"username": ADMIN_USERNAME, "first_name": "Ada", "last_name": "Admin",
             "is_staff": True, "is_superuser": True, "kind": "admin"},
            {"username": HOST_USERNAME, "first_name": "Jordan", "last_name": "Rivera",
             "is_host": True, "bio": "I host the demo events you can edit.", "kind": "host"},
            {"username": DEMO_USERNAME, "first_name": "Alex", "last_name": "Morgan",
             "kind": "user"},
        ]  # fmt: skip
        for special in specials:
            used[special["username"]] = 1
            special.setdefault("date_joined", self.now - timedelta(days=400))
            special.setdefault("home", 0)
        planned = specials + [person("host") for _ in range(max(options.host_count - 1, 0))]
        planned += [person("user") for _ in range(max(options.users - 1, 0))]

        # Never touch someone else's account: names already taken (say, an "admin" made with
        # createsuperuser) are skipped, and the rest of the demo data does without them.
        taken = set()
        names = [p["username"] for p in planned]
        for start in range(0, len(names), BATCH_SIZE):
            taken.update(
                User.objects.annotate(name=Lower("username"))
                .filter(name__in=names[start : start + BATCH_SIZE])
                .values_list("name", flat=True)
            )
        self.skipped_accounts = [p["username"] for p in specials if p["username"] in taken]
        planned = [p for p in planned if p["username"] not in taken]

        bar = ProgressBar(self.stdout, "users", len(planned))
        self.host_ids, self.host_homes, self.host_names, self.user_ids = [], [], [], []
        self.demo_user_id = None
        inserter = RowInserter(User, USER_FIELDS)
        for start in range(0, len(planned), BATCH_SIZE):
            chunk = planned[start : start + BATCH_SIZE]
            rows = [
                (
                    p["username"], f"{p['username']}@{DEMO_EMAIL_DOMAIN}", password,
                    p["first_name"], p["last_name"], p.get("is_staff", False),
                    p.get("is_superuser", False), True, p.get("is_host", False),
                    p.get("phone", ""), p.get("bio", ""), "", p["date_joined"], None,
                )
                for p in chunk
            ]  # fmt: skip
            for p, pk in zip(chunk, inserter.insert(rows), strict=True):
                if p["kind"] == "host":
                    self.host_ids.append(pk)
                    self.host_homes.append(p["home"])
                    self.host_names.append(f"{p['first_name']} {p['last_name']}")
                elif p["kind"] == "user":
                    if p["username"] == DEMO_USERNAME:
                        self.demo_user_id = pk
                    self.user_ids.append(pk)
            bar.advance(len(chunk))
        self.report.users = len(planned)
        self.report.hosts = len(self.host_ids)
        bar.finish()

    # ---------------------------------------------------------------------------------------
    def seed_events(self) -> None:
        """Events with their images, bookings and reviews, in one transaction.

        Planned before anything is written, so nothing is written twice: (1) every event's
        outline (dates, price, capacity); (2) who books what and who reviews what, which
        fixes every event's counters and rating. Then each table is streamed in one go —
        events already carrying their counters and rating, then images, bookings, reviews —
        so the database works on one batch while the next is being generated. Writing the
        counters afterwards instead would rewrite every booked event row and all of its index
        entries (search GIN included), doubling the cost of the phase."""
        total = self.options.events if self.host_ids else 0
        bar = ProgressBar(self.stdout, "planning", total)
        outlines = self.rng("events")
        self.events = events = []
        for start in range(0, total, BATCH_SIZE):
            events += [
                self._outline_event(outlines, i)
                for i in range(start, min(start + BATCH_SIZE, total))
            ]
            bar.advance(len(events) - start)
        self._plan_bookings()
        self._plan_reviews()
        self._avoid_existing_slugs()
        bar.finish()

        tables = (Event, EventImage, Booking, Review, TestPayment)
        rebuild = drop_for_bulk_load(tables) if total >= BULK_LOAD_MIN_EVENTS else []

        bar = ProgressBar(self.stdout, "events", total)
        inserter = RowInserter(Event, EVENT_FIELDS)
        for event, pk in zip(
            events, inserter.insert_all(self._event_rows(), total, bar), strict=True
        ):
            event.id = pk
        self.report.events = inserter.count
        bar.finish()

        count = sum(len(e.pictures) for e in events)
        bar = ProgressBar(self.stdout, "images", count)
        image_rows = (
            (event.id, self.artwork[picture], alt_text, order, order == 0)
            for event in events
            for order, (picture, alt_text) in enumerate(event.pictures)
        )
        RowInserter(EventImage, IMAGE_FIELDS).insert_all(image_rows, count, bar)
        self.report.event_images = count
        bar.finish()

        count = sum(len(e.bookings) for e in events)
        bar = ProgressBar(self.stdout, "bookings", count)
        times, references = self.rng("booking-times"), References()
        self.payments: list[tuple] = []  # test-provider payments of the paid bookings
        booking_rows = (
            self._booking_row(times, references, event, user_id, quantity, status)
            for event in events
            for user_id, quantity, status in event.bookings
        )
        booking_ids = iter(
            RowInserter(Booking, BOOKING_FIELDS).insert_all(booking_rows, count, bar)
        )
        for event in events:
            event.booking_ids = [next(booking_ids) for _ in event.bookings]
        self.report.bookings = count
        bar.finish()

        bar = ProgressBar(self.stdout, "payments", len(self.payments))
        RowInserter(TestPayment, PAYMENT_FIELDS).insert_all(self.payments, len(self.payments), bar)
        self.payments = []
        bar.finish()

        count = sum(len(e.reviews) for e in events)
        bar = ProgressBar(self.stdout, "reviews", count)
        texts = self.rng("texts")
        review_rows = (
            self._review_row(texts, event, position, rating)
            for event in events
            for position, rating in event.reviews
        )
        RowInserter(Review, REVIEW_FIELDS).insert_all(review_rows, count, bar)
        self.report.reviews = count
        bar.finish()
        for event in events:  # only what the favourites phase needs stays in memory
            event.bookings = event.reviews = event.booking_ids = event.pictures = ()

        if rebuild:
            bar = ProgressBar(self.stdout, "keys+indexes", len(rebuild))
            restore_after_bulk_load(rebuild, progress=bar)
            bar.finish()

    def _event_rows(self):
        """Event rows in order. Runs while COPY holds the connection: no queries in here."""
        details, artwork = self.rng("details"), self._artwork_by_category()
        for event in self.events:
            yield self._event_row(details, event, artwork)

    def _artwork_by_category(self) -> dict[str, list[int]]:
        """Pool pictures whose palette matches each category (palette i ↔ category i)."""
        pool = len(self.artwork)
        palettes = min(pool, len(images.PALETTES))
        position = {value: i for i, value in enumerate(Category.values)}
        return {
            value: [i for i in range(pool) if i % palettes == position[value] % palettes]
            for value in Category.values
        }

    def _avoid_existing_slugs(self) -> None:
        """Demo slugs end in the event's number, so they only meet slugs made elsewhere
        (checked before the COPY starts: no queries can run during it)."""
        if not Event.objects.exists():
            return
        for start in range(0, len(self.events), BATCH_SIZE):
            batch = self.events[start : start + BATCH_SIZE]
            slugs = [event.slug for event in batch]
            taken = set(Event.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            for event in batch:
                if event.slug in taken:
                    event.slug = f"{event.slug}-demo"

    # -- pass 1: outlines ------------------------------------------------------------------
    def _day_offset(self, rng: random.Random, index: int) -> int:
        """Days from today: mostly upcoming over ~6 months, some today, tomorrow and this
        weekend, about 15 % in the past."""
        bucket = FORCED_BUCKETS.get(index)
        if bucket is None:
            roll = rng.random()
            bucket = (
                "past" if roll < 0.15 else
                "today" if roll < 0.18 else
                "tomorrow" if roll < 0.21 else
                "weekend" if roll < 0.27 else
                "soon" if roll < 0.45 else
                "later"
            )  # fmt: skip
        if bucket == "past":
            return -1 - int(179 * rng.random() ** 1.5)
        if bucket == "today":
            return 0
        if bucket == "tomorrow":
            return 1
        if bucket == "weekend":
            weekday = self.today.weekday()
            return rng.choice((0,) if weekday == 6 else (5 - weekday, 6 - weekday))
        if bucket == "soon":
            return rng.randint(2, 14)
        return 2 + int(180 * rng.random() ** 1.2)

    def _title(self, rng, profile: data.CategoryProfile, template, city_name, year) -> str:
        values = {}
        for name in _fields(template):
            if name == "city":
                values[name] = city_name
            elif name == "year":
                values[name] = str(year)
            elif name == "comedian":
                values[name] = f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}"
            elif name.endswith("2") and name[:-1] in values:
                choices = profile.words.get(name) or profile.words[name[:-1]]
                pick = rng.choice(choices)
                while pick == values[name[:-1]]:
                    pick = rng.choice(choices)
                values[name] = pick
            else:
                values[name] = rng.choice(profile.words.get(name) or profile.extra[name])
        return template.format(**values)

    def _outline_event(self, rng: random.Random, index: int) -> EventFacts:
        signature = data.SIGNATURE_TITLES[index] if index < len(data.SIGNATURE_TITLES) else None
        if signature:
            category = signature[0]
        else:
            category = CATEGORIES[bisect(CATEGORY_CUM_WEIGHTS, rng.random() * CATEGORY_TOTAL)]
        profile = data.CATEGORY_PROFILES[category]
        host_slot = rng.randrange(len(self.host_ids))
        if signature:
            city_slot = index % len(self.cities)
        elif rng.random() < 0.75:  # hosts mostly run events in their own city
            city_slot = self.host_homes[host_slot] % len(self.cities)
        else:
            city_slot = self._weighted_city(rng)
        _, city, zone = self.cities[city_slot]

        offset = self._day_offset(rng, index)
        if signature and signature[1] == "Jazz Festival":
            offset = 21  # the showcase festival is always a few weeks ahead
        first_day = self.today + timedelta(days=offset)

        multi_day_title = signature[2] if signature else rng.random() < profile.multi_day_share * 2
        if signature:
            title = signature[1].format(city=city.name)
        else:
            templates = profile.multi_day_titles if multi_day_title else profile.titles
            title = self._title(rng, profile, rng.choice(templates), city.name, first_day.year)
        days = rng.randint(2, 3) if multi_day_title and (signature or rng.random() < 0.6) else 1

        if days > 1:
            hour, minute = rng.choice((10, 12, 16, 17)), 0
        else:
            hours = _start_hours(title, category)
            hour, minute = rng.choice(hours), rng.choice((0, 0, 0, 30))
        local_start = datetime(first_day.year, first_day.month, first_day.day, hour, minute,
                               tzinfo=zone)  # fmt: skip
        if days > 1:
            last_day = first_day + timedelta(days=days - 1)
            local_end = datetime(last_day.year, last_day.month, last_day.day, 22, 0, tzinfo=zone)
        else:
            low, high = profile.duration_hours
            local_end = local_start + timedelta(hours=round(rng.uniform(low, high) * 2) / 2)
        starts_at, ends_at = local_start.astimezone(UTC), local_end.astimezone(UTC)
        is_upcoming = starts_at > self.now

        free = index == 5 or (not signature and rng.random() < profile.free_share)
        price = Decimal("0.00") if free else _money(rng, *profile.price_range)
        scarcity_leave = None
        if index == 3 or (is_upcoming and rng.random() < 0.05):
            scarcity_leave = 0 if rng.random() < 0.25 else rng.randint(1, 4)
            capacity = rng.randint(12, 40)
        else:
            low, high = profile.capacity_range
            if days > 1:  # festivals and conferences are big
                low, high = max(low, 200), max(high, 2000)
            capacity = max(5, round(math.exp(rng.uniform(math.log(low), math.log(high))) / 5) * 5)
        is_published = bool(signature) or not is_upcoming or rng.random() >= 0.03
        is_featured = is_published and is_upcoming and (index in (0, 3, 5) or rng.random() < 0.05)
        created_at = min(
            starts_at - timedelta(days=rng.uniform(3, 90)),
            self.now - timedelta(hours=rng.uniform(1, 72)),
        ).replace(microsecond=0)
        return EventFacts(
            index=index,
            slug=f"{_slug_base(title)}-{index + 1}",
            category=category,
            host_slot=host_slot,
            city_slot=city_slot,
            title=title,
            days=days,
            first_day=first_day,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=created_at,
            price=price,
            capacity=capacity,
            is_published=is_published,
            is_featured=is_featured,
            scarcity_leave=scarcity_leave if is_published and is_upcoming else None,
        )

    # -- pass 2: who books and who reviews -------------------------------------------------
    def _plan_bookings(self) -> None:
        """Give each event its bookings as (user id, quantity, status), keeping the capacity
        check the booking services make: confirmed + pending never exceed capacity."""
        rng = self.rng("bookings")
        events, now = self.events, self.now
        budget = self.options.booking_count if events and self.user_ids else 0
        bookable = [e for e in events if e.is_published]
        upcoming = [e for e in bookable if e.starts_at > now]
        past = [e for e in bookable if e.ends_at < now]
        planned = 0

        def book(event: EventFacts, user_id: int, quantity: int, status: str) -> bool:
            nonlocal planned
            if status in (CONFIRMED, PENDING):
                quantity = min(quantity, event.capacity - event.sold - event.held)
                if quantity <= 0:
                    return False
                if status == CONFIRMED:
                    event.sold += quantity
                else:
                    event.held += quantity
            if status == REFUNDED and event.price == 0:
                status = CANCELLED  # nothing to refund on a free event
            event.bookings.append((user_id, quantity, status))
            planned += 1
            return True

        # The "demo" account gets a profile worth looking at: upcoming tickets, past events
        # (some still waiting for a review), one cancellation.
        if self.demo_user_id and budget:
            plan = [(upcoming, CONFIRMED)] * 4 + [(past, CONFIRMED)] * 3 + [(upcoming, REFUNDED)]
            chosen: set[int] = set()
            for candidates, status in plan:
                options = [e for e in candidates[:200] if e.index not in chosen]
                if options and planned < budget:
                    event = rng.choice(options)
                    chosen.add(event.index)
                    book(event, self.demo_user_id, rng.randint(1, 2), status)

        others = self.user_ids[1:] if len(self.user_ids) > 1 else self.user_ids
        # Nearly sold-out (and a few sold-out) events, filled up to their planned leftover,
        # with at most half of the bookings.
        for event in upcoming:
            if event.scarcity_leave is None:
                continue
            target = event.capacity - event.sold - event.held - event.scarcity_leave
            while target > 0 and planned < budget // 2:
                status = PENDING if rng.random() < 0.05 else CONFIRMED
                amount = min(rng.randint(1, 6), target)
                book(event, rng.choice(others), amount, status)
                target -= amount

        open_events = [e for e in bookable if e.scarcity_leave is None]
        # Past events had their whole sales period: weigh them three times, which also gives
        # the reviews enough attendees to draw from.
        open_events += [e for e in open_events if e.ends_at < now] * 2
        misses = 0
        while planned < budget and open_events and misses < 1000:
            event = open_events[rng.randrange(len(open_events))]
            roll = rng.random()
            if event.starts_at > now:
                status = (
                    CONFIRMED if roll < 0.86 else
                    PENDING if roll < 0.88 else
                    CANCELLED if roll < 0.94 else
                    REFUNDED if roll < 0.97 else
                    EXPIRED
                )  # fmt: skip
            else:
                status = CONFIRMED if roll < 0.92 else CANCELLED if roll < 0.96 else REFUNDED
            quantity = rng.choices(QUANTITIES, cum_weights=QUANTITY_CUM_WEIGHTS)[0]
            misses = 0 if book(event, rng.choice(others), quantity, status) else misses + 1

    def _plan_reviews(self) -> None:
        """Choose reviews among confirmed attendances of finished events (one per person and
        event) and draw their ratings, which fixes every event's stored rating."""
        rng = self.rng("reviews")
        candidates, demo_candidates = [], []
        for event in self.events:
            if event.ends_at >= self.now:
                continue
            seen = set()
            for position, (user_id, _, status) in enumerate(event.bookings):
                if status != CONFIRMED or user_id in seen:
                    continue
                seen.add(user_id)
                if user_id == self.demo_user_id:
                    demo_candidates.append((event, position))
                else:
                    candidates.append((event, position))
        rng.shuffle(candidates)
        # The demo account reviews one past event and leaves the rest for the visitor to try.
        chosen = (demo_candidates[:1] + candidates)[: self.options.review_count]
        quality: dict[int, float] = {}  # how good each event was: ratings cluster around it
        for event, position in chosen:
            if event.index not in quality:
                quality[event.index] = rng.uniform(2.6, 4.9)
            rating = min(5, max(1, round(rng.gauss(quality[event.index], 0.8))))
            event.reviews.append((position, rating))
            event.rating_sum += rating
            event.rating_count += 1

    # -- pass 3: rows ----------------------------------------------------------------------
    def _event_row(self, rng, event: EventFacts, artwork) -> list:
        profile = data.CATEGORY_PROFILES[event.category]
        _, city, _ = self.cities[event.city_slot]
        city_id = self.cities[event.city_slot][0]
        title = event.title
        venue = rng.choice(profile.venues).format(city=city.name)
        details = rng.sample(profile.details, 2)
        pitch = rng.choice(profile.pitches).format(title=title, venue=venue, city=city.name)
        closing = rng.choice(data.CLOSINGS).format(
            host=self.host_names[event.host_slot], city=city.name
        )
        description = f"{pitch} {details[0]} {details[1]}\n\n{closing}"
        included = rng.sample(profile.whats_included, min(len(profile.whats_included),
                                                           rng.randint(2, 4)))  # fmt: skip
        to_know = rng.sample(profile.things_to_know, min(len(profile.things_to_know),
                                                         rng.randint(2, 3)))  # fmt: skip
        latitude = city.latitude + rng.uniform(-0.05, 0.05)
        longitude = city.longitude + rng.uniform(-0.05, 0.05) / max(
            math.cos(math.radians(city.latitude)), 0.2
        )
        longitude = max(min(longitude, 180), -180)
        hours = rng.choice(CANCELLATION_HOURS)
        updated_at = min(event.created_at + timedelta(hours=rng.uniform(0, 48)), self.now)
        pictures = [(rng.choice(artwork[event.category]), f"{title} at {venue}")]
        for number in range(rng.choices((0, 1, 2), cum_weights=(75, 90, 100))[0]):
            pictures.append((rng.randrange(len(self.artwork)), f"{title}, photo {number + 2}"))
        row = [
            self.host_ids[event.host_slot], title, event.slug, description, event.category, city_id,
            venue, f"{rng.randint(1, 480)} {rng.choice(data.STREETS)}, {city.name}",
            Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}"), event.starts_at,
            event.ends_at, event.price, self.currency, event.capacity, event.sold, event.held,
            "\n".join(included), "\n".join(to_know), data.CANCELLATION_POLICIES[hours], hours,
            rng.choice(profile.minimum_ages), event.is_published, event.is_featured, False,
            rating_average(event.rating_sum, event.rating_count), event.rating_count,
            event.created_at, updated_at, None,
        ]  # fmt: skip
        event.pictures = pictures
        return row

    def _booking_row(self, rng, references, event: EventFacts, user_id, quantity, status):
        now = self.now
        hold = timedelta(minutes=self.hold_minutes)
        opens, closes = event.created_at, min(now, event.starts_at)
        if status == EXPIRED:
            closes = min(closes, now - hold)
        if closes <= opens:
            opens = closes - timedelta(hours=1)
        created_at = opens + (closes - opens) * rng.random()
        hold_expires_at = confirmed_at = cancelled_at = checked_in_at = None
        paid = event.price > 0
        if status == PENDING:
            created_at = now - timedelta(minutes=rng.uniform(0.5, self.hold_minutes * 0.6))
            hold_expires_at = created_at + hold
        elif status == EXPIRED:
            hold_expires_at = created_at + hold
        elif status == CANCELLED and paid:
            # What booking_cancel does to a paid booking not yet paid for: the hold is
            # released, no money changed hands (a paid one would be REFUNDED instead).
            cancelled_at = min(created_at + timedelta(minutes=rng.uniform(1, 10)), now)
        else:
            confirmed_at = min(created_at + timedelta(seconds=rng.randint(20, 600)), now)
            if status in (CANCELLED, REFUNDED):
                cancelled_at = max(confirmed_at + (closes - confirmed_at) * rng.random(),
                                   confirmed_at)  # fmt: skip
            elif event.ends_at < now and rng.random() < 0.75:
                checked_in_at = event.starts_at + timedelta(minutes=rng.randint(-30, 60))
        updated_at = max(t for t in (created_at, confirmed_at, cancelled_at, checked_in_at) if t)
        attendance_date = None
        if event.days > 1:
            attendance_date = event.first_day + timedelta(days=rng.randrange(event.days))
        reference = references.next()
        total = event.price * quantity
        payment_reference = None
        if paid and confirmed_at:
            # A matching test-provider payment, so cancelling a demo booking refunds for real.
            payment_reference = f"demo_{reference}"
            self.payments.append(
                (
                    payment_reference, reference, total, self.currency,
                    TestPayment.Status.REFUNDED.value if status == REFUNDED
                    else TestPayment.Status.SUCCEEDED.value,
                    "4242", confirmed_at, None, cancelled_at if status == REFUNDED else None,
                )
            )  # fmt: skip
        return (
            user_id, event.id, reference, quantity, attendance_date, event.price, total,
            self.currency, status, hold_expires_at, "test" if payment_reference else "",
            payment_reference, created_at, updated_at, confirmed_at, cancelled_at,
            checked_in_at,
        )  # fmt: skip

    def _review_row(self, rng, event: EventFacts, position: int, rating: int) -> tuple:
        user_id = event.bookings[position][0]
        comment = "" if rng.random() < 0.12 else rng.choice(data.REVIEW_COMMENTS[rating])
        if comment and rng.random() < 0.3:
            second = rng.choice(data.REVIEW_COMMENTS[rating])
            if second != comment:
                comment = f"{comment} {second}"
        created_at = min(event.ends_at + timedelta(hours=rng.uniform(2, 240)), self.now)
        return (
            user_id, event.id, event.booking_ids[position], rating, comment, created_at,
            created_at,
        )  # fmt: skip

    # ---------------------------------------------------------------------------------------
    def seed_favorites(self) -> None:
        rng = self.rng("favorites")
        published = [e for e in self.events if e.is_published]
        upcoming = [e for e in published if e.starts_at > self.now] or published
        wanted = self.options.favorite_count if upcoming and self.user_ids else 0
        wanted = min(wanted, len(self.user_ids) * len(published))
        bar = ProgressBar(self.stdout, "favourites", wanted)
        pairs: set[tuple[int, int]] = set()
        order: list[tuple[int, EventFacts]] = []
        if self.demo_user_id and wanted:
            for event in rng.sample(upcoming, min(6, len(upcoming), wanted)):
                pairs.add((self.demo_user_id, event.index))
                order.append((self.demo_user_id, event))
        others = self.user_ids[1:] if len(self.user_ids) > 1 else self.user_ids
        attempts = 0
        while len(order) < wanted and attempts < wanted * 3:
            attempts += 1
            pool = upcoming if rng.random() < 0.85 else published
            event = pool[rng.randrange(len(pool))]
            user_id = others[rng.randrange(len(others))]
            if (user_id, event.index) not in pairs:
                pairs.add((user_id, event.index))
                order.append((user_id, event))
        inserter = RowInserter(Favorite, FAVORITE_FIELDS)
        for start in range(0, len(order), BATCH_SIZE * 5):
            rows = [
                (user_id, event.id,
                 max(self.now - timedelta(days=rng.uniform(0, 60)), event.created_at))
                for user_id, event in order[start : start + BATCH_SIZE * 5]
            ]  # fmt: skip
            inserter.insert(rows)
            bar.advance(len(rows))
        self.report.favorites = inserter.count
        bar.finish()


def rating_average(rating_sum: int, count: int) -> Decimal:
    """The stored average: two decimals, halves rounded up (4.125 → 4.13)."""
    if not count:
        return Decimal("0.00")
    return (Decimal(rating_sum) / Decimal(count)).quantize(CENTS, rounding=ROUND_HALF_UP)
