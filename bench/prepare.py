"""In-Django helpers the runner calls between phases (run with the benchmark's environment:
`python -m bench.prepare <command> --out FILE ...`). They read the seeded data so the load
generators use real slugs, words and accounts, and they give simulated visitors their log-ins.

Commands:
  sample      slugs, cities, search words, prefixes and misses; signed-in and host accounts
              with ready sessions (returning visitors); a share of them log in through the
              form with seed_demo's password.
  hot-event   a fresh event with N tickets and M signed-in buyers, for the hot-event burst.
  hot-check   what the database says about the hot event afterwards.
  counts      the size of the data set.
Writes to the database only what the benchmark needs (sessions, the hot event), and only in
the benchmark's own database.
"""

import argparse
import json
import random
import re
import secrets
import string
import sys
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

# Only ever set in the benchmark's own database, and only if seed_demo's password is not usable.
BENCH_PASSWORD = "bench-Password-2f7c9e"
_CSRF_ALPHABET = string.ascii_letters + string.digits
_STOPWORDS = {
    "with",
    "from",
    "that",
    "this",
    "your",
    "into",
    "over",
    "about",
    "night",
    "event",
    "events",
    "edition",
    "live",
    "annual",
    "and",
    "the",
    "for",
}


def _setup_django() -> None:
    import django

    django.setup()


def _csrf_secret() -> str:
    # Django accepts its 32-character unmasked secret as the token, so the generators can POST
    # with it without first rendering a page that sets the cookie.
    return "".join(secrets.choice(_CSRF_ALPHABET) for _ in range(32))


def _session_for(user) -> str:
    """A logged-in session for `user`, stored exactly as django.contrib.auth.login stores it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    session = store_class()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def _login_password(User, login_ids) -> str:
    """seed_demo's password, which every demo account shares; if the accounts were made some
    other way, the sampled ones get the benchmark's own (hashed once, like seed_demo does)."""
    from django.contrib.auth.hashers import make_password

    if not login_ids:
        return ""
    try:
        from eventmate.demo.seed import DEMO_PASSWORD
    except ImportError:
        DEMO_PASSWORD = ""
    probe = User.objects.filter(id__in=login_ids).first()
    if DEMO_PASSWORD and probe.check_password(DEMO_PASSWORD):
        return DEMO_PASSWORD
    User.objects.filter(id__in=login_ids).update(password=make_password(BENCH_PASSWORD))
    return BENCH_PASSWORD


def _words(titles, *, limit: int) -> list[str]:
    counts = Counter()
    for title in titles:
        for word in re.findall(r"[A-Za-z]{4,}", title):
            lowered = word.lower()
            if lowered not in _STOPWORDS:
                counts[lowered] += 1
    return [word for word, _ in counts.most_common(limit)]


def _upcoming():
    from django.utils import timezone

    from eventmate.events.models import Event

    return Event.objects.filter(
        is_published=True, is_cancelled=False, starts_at__gt=timezone.now() + timedelta(hours=2)
    )


def _random_rows(queryset, count: int, rng: random.Random, fields):
    """About `count` random rows without ORDER BY random() over the whole table: sample ids
    from the id range and fetch those that exist (the seeded ids are dense)."""
    from django.db.models import Max, Min

    bounds = queryset.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"]
    if high - low + 1 <= count * 3:
        rows = list(queryset.values(*fields))
        rng.shuffle(rows)
        return rows[:count]
    rows, seen = [], set()
    for _attempt in range(6):
        ids = {rng.randint(low, high) for _ in range(count * 2)} - seen
        seen |= ids
        rows += list(queryset.filter(id__in=ids).values(*fields))
        if len(rows) >= count:
            break
    rng.shuffle(rows)
    return rows[:count]


def command_sample(args) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import F

    from eventmate.events.models import Category, City, Event

    rng = random.Random(args.seed)
    upcoming = _upcoming()
    events = _random_rows(upcoming, args.events, rng, ["id", "slug", "title", "city_id"])
    bookable = _random_rows(
        upcoming.filter(price__gt=0).filter(
            capacity__gte=F("tickets_sold") + F("tickets_held") + 50
        ),
        args.bookable,
        rng,
        ["slug"],
    )
    city_ids = {row["city_id"] for row in events}
    cities = list(City.objects.filter(id__in=city_ids).values("slug", "name"))
    if not cities:
        cities = list(City.objects.values("slug", "name")[:50])
    keywords = _words((row["title"] for row in events), limit=200)
    prefixes = sorted({word[: rng.choice((3, 4, 5))] for word in keywords[:100]})
    prefixes += sorted({city["name"][:3].lower() for city in cities if len(city["name"]) >= 3})
    existing = set(Event.objects.filter(slug__startswith="no-such-event-").values_list("slug"))
    missing = [f"no-such-event-{n}" for n in range(50) if f"no-such-event-{n}" not in existing]

    User = get_user_model()
    regular = User.objects.filter(is_active=True, is_staff=False, is_host=False).order_by("id")
    users = list(regular.values_list("id", flat=True)[: args.users])
    login_ids = set(users[:: max(round(1 / args.login_share), 1)] if args.login_share else [])
    password = _login_password(User, login_ids)
    accounts = []
    for user in User.objects.filter(id__in=users).order_by("id"):
        accounts.append(
            {
                "username": user.get_username(),
                "session": _session_for(user),
                "csrf": _csrf_secret(),
                "login": user.id in login_ids,
            }
        )
    hosts = []
    host_ids = list(
        Event.objects.filter(host__is_active=True, host__is_host=True)
        .order_by("host_id")
        .values_list("host_id", flat=True)
        .distinct()[: args.hosts]
    )
    host_users = User.objects.filter(id__in=host_ids).order_by("id")
    for host in host_users:
        slugs = list(
            Event.objects.filter(host=host)
            .order_by("-starts_at")
            .values_list("slug", flat=True)[:5]
        )
        hosts.append(
            {
                "username": host.get_username(),
                "session": _session_for(host),
                "csrf": _csrf_secret(),
                "events": slugs,
            }
        )
    return {
        "events": [row["slug"] for row in events],
        "bookable_events": [row["slug"] for row in bookable],
        "missing_events": missing,
        "cities": cities,
        "categories": [value for value, _label in Category.choices],
        "keywords": keywords,
        "no_result_keywords": [f"zqx{rng.randrange(10**6):06d}vw" for _ in range(50)],
        "prefixes": prefixes,
        "users": accounts,
        "hosts": hosts,
        "password": password,
        "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        "counts": command_counts(args),
    }


def command_hot_event(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from eventmate.events.models import Event

    template = _upcoming().order_by("id").first() or Event.objects.order_by("id").first()
    if template is None:
        raise SystemExit("no event to copy for the hot event: is the database seeded?")
    starts = timezone.now() + timedelta(days=30)
    slug = f"bench-hot-event-{secrets.token_hex(4)}"
    event = Event.objects.create(
        host=template.host,
        title="Benchmark hot event",
        slug=slug,
        description="Created by the benchmark harness: many buyers, few tickets.",
        category=template.category,
        city=template.city,
        venue=template.venue,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        price=Decimal("25.00"),
        currency=template.currency,
        capacity=args.capacity,
        is_published=True,
    )
    User = get_user_model()
    buyers = User.objects.filter(is_active=True, is_staff=False).exclude(id=event.host_id)
    buyers = buyers.order_by("-id")[: args.users]
    return {
        "slug": event.slug,
        "event_id": event.id,
        "capacity": event.capacity,
        "users": [{"session": _session_for(u), "csrf": _csrf_secret()} for u in buyers],
    }


def command_hot_check(args) -> dict:
    from django.db.models import Count, Sum

    from eventmate.bookings.models import Booking
    from eventmate.events.models import Event

    event = Event.objects.get(slug=args.slug)
    by_status = {
        row["status"]: {"bookings": row["n"], "tickets": row["tickets"]}
        for row in Booking.objects.filter(event=event)
        .values("status")
        .annotate(n=Count("id"), tickets=Sum("quantity"))
    }
    return {
        "capacity": event.capacity,
        "tickets_sold": event.tickets_sold,
        "tickets_held": event.tickets_held,
        "bookings": by_status,
    }


def command_counts(args) -> dict:
    from django.contrib.auth import get_user_model

    from eventmate.bookings.models import Booking
    from eventmate.events.models import City, Event
    from eventmate.reviews.models import Favorite, Review

    User = get_user_model()
    return {
        "events": Event.objects.count(),
        "upcoming_events": _upcoming().count(),
        "cities": City.objects.count(),
        "users": User.objects.filter(is_host=False).count(),
        "hosts": User.objects.filter(is_host=True).count(),
        "bookings": Booking.objects.count(),
        "reviews": Review.objects.count(),
        "favorites": Favorite.objects.count(),
    }


COMMANDS = {
    "sample": command_sample,
    "hot-event": command_hot_event,
    "hot-check": command_hot_check,
    "counts": command_counts,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prepare")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--bookable", type=int, default=500)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--login-share", type=float, default=0.1)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--slug", default="")
    args = parser.parse_args(argv)
    _setup_django()
    result = COMMANDS[args.command](args)
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{args.command}: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
