"""Account reads: the profile page and the account deletion summary.

Each list is one query with its related rows joined in and a fixed size, so the profile page
costs the same number of queries whether a user has one booking or thousands.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from eventmate.bookings.models import Booking

from .models import User

PROFILE_LIST_SIZE = 10
# Long texts no list on the profile shows (search_vector exists on PostgreSQL only, as a
# column that is always present but may be large).
EVENT_TEXTS = ("description", "whats_included", "things_to_know", "cancellation_policy")


@dataclass(frozen=True)
class Shortlist:
    """The first items of a longer list, and whether there are more."""

    items: list
    has_more: bool


@dataclass(frozen=True)
class HostSummary:
    events: Shortlist
    events_count: int
    upcoming_events_count: int
    tickets_sold: int
    # Confirmed bookings' totals, one (currency, amount) per currency the host sells in.
    revenue: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class ProfileOverview:
    upcoming_bookings: Shortlist
    past_bookings: Shortlist
    favorites: Shortlist
    reviews: Shortlist
    host: HostSummary | None


@dataclass(frozen=True)
class DeletionSummary:
    upcoming_bookings: int
    published_events: int


def _shortlist(queryset, size: int) -> Shortlist:
    rows = list(queryset[: size + 1])
    return Shortlist(items=rows[:size], has_more=len(rows) > size)


def _without_event_texts(queryset, prefix: str = "event__"):
    return queryset.defer(*(prefix + name for name in (*EVENT_TEXTS, "search_vector")))


def _active_upcoming_bookings(user: User, now):
    # A pending hold past its expiry is dead even before the sweep marks it expired.
    alive = Q(status=Booking.Status.CONFIRMED) | Q(
        status=Booking.Status.PENDING, hold_expires_at__gt=now
    )
    return user.bookings.filter(alive, event__ends_at__gt=now)


def profile_overview(*, user: User, size: int = PROFILE_LIST_SIZE) -> ProfileOverview:
    """Everything the profile page shows, in at most seven queries: four lists, one hosting
    aggregate, and for a user with hosted events their list and the revenue per currency."""
    now = timezone.now()
    upcoming = _without_event_texts(
        _active_upcoming_bookings(user, now)
        .select_related("event", "event__city")
        .order_by("event__starts_at", "pk")
    )
    # History: events that are over, and bookings that were called off before the event.
    past = _without_event_texts(
        user.bookings.filter(
            Q(event__ends_at__lte=now, status=Booking.Status.CONFIRMED)
            | Q(status__in=[Booking.Status.CANCELLED, Booking.Status.REFUNDED])
        )
        .select_related("event", "event__city")
        .order_by("-event__starts_at", "-pk")
    )
    favorites = _without_event_texts(
        user.favorites.select_related("event", "event__city").order_by("-created_at")
    )
    reviews = _without_event_texts(user.reviews.select_related("event").order_by("-created_at"))
    return ProfileOverview(
        upcoming_bookings=_shortlist(upcoming, size),
        past_bookings=_shortlist(past, size),
        favorites=_shortlist(favorites, size),
        reviews=_shortlist(reviews, size),
        host=_host_summary(user, now, size),
    )


def _host_summary(user: User, now, size: int) -> HostSummary | None:
    stats = user.hosted_events.aggregate(
        events_count=Count("pk"),
        upcoming_events_count=Count("pk", filter=Q(ends_at__gt=now)),
        tickets_sold=Sum("tickets_sold"),
    )
    if not stats["events_count"]:
        if not user.is_host:
            return None
        return HostSummary(
            events=Shortlist(items=[], has_more=False),
            events_count=0,
            upcoming_events_count=0,
            tickets_sold=0,
            revenue=[],
        )
    events = _shortlist(
        _without_event_texts(user.hosted_events.select_related("city"), prefix="").order_by(
            "-starts_at"
        ),
        size,
    )
    revenue = [
        (row["bookings__currency"], row["amount"])
        for row in user.hosted_events.filter(bookings__status=Booking.Status.CONFIRMED)
        .values("bookings__currency")
        .annotate(amount=Sum("bookings__total"))
        .order_by("bookings__currency")
    ]
    return HostSummary(
        events=events,
        events_count=stats["events_count"],
        upcoming_events_count=stats["upcoming_events_count"],
        tickets_sold=stats["tickets_sold"] or 0,
        revenue=revenue,
    )


def account_deletion_summary(*, user: User) -> DeletionSummary:
    """What deleting the account would do, to show before the user confirms."""
    now = timezone.now()
    return DeletionSummary(
        upcoming_bookings=_active_upcoming_bookings(user, now).count(),
        published_events=user.hosted_events.filter(is_published=True).count(),
    )
