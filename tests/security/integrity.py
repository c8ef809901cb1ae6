"""What "nothing changed" and "nothing invalid was stored" mean for the security tests.

`db_fingerprint()` is every row a request could touch (sessions aside), so a refused request
can be shown to have written nothing. `assert_consistent()` is the set of invariants a hostile
request must never break: the stored ticket and rating counters equal what the rows say, and
every stored row passes its model's full validation (which SQLite alone would not enforce:
it stores over-long strings and out-of-range values without complaint).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.events.models import City, Event, EventImage
from eventmate.events.services import MAX_IMAGES_PER_EVENT
from eventmate.payments.models import Refund, TestPayment, WebhookEvent
from eventmate.reviews.models import Favorite, Review

FINGERPRINTED = (User, City, Event, EventImage, Booking, Review, Favorite, Refund, TestPayment,
                 WebhookEvent)  # fmt: skip


# Written by every log-in, including the tests' own force_login().
UNFINGERPRINTED_FIELDS = {"last_login"}


def db_fingerprint_of(model) -> list[tuple]:
    """Every column but UNFINGERPRINTED_FIELDS of every row, primary key first."""
    columns = [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in UNFINGERPRINTED_FIELDS
    ]
    return list(model.objects.order_by("pk").values_list(*columns))


class Fingerprint(dict):
    def __repr__(self):  # hypothesis prints the fixtures of a failing example
        return f"<Fingerprint of {sum(map(len, self.values()))} rows>"


def db_fingerprint() -> Fingerprint:
    """Every row of the models above, by model label."""
    return Fingerprint((model._meta.label, db_fingerprint_of(model)) for model in FINGERPRINTED)


def fingerprint_difference(before: dict, after: dict) -> list[str]:
    """The models whose rows differ, with their row counts, for a readable failure."""
    return [
        f"{label}: {len(before[label])} -> {len(after[label])} rows"
        for label in before
        if before[label] != after[label]
    ]


def _full_clean(instances, problems: list[str]) -> None:
    for instance in instances:
        try:
            instance.full_clean()
        except ValidationError as error:
            problems.append(f"{instance._meta.label} {instance.pk}: {error.message_dict}")


def _changed_pks(model, baseline: dict | None) -> set | None:
    """The rows not found unchanged in `baseline` (a db_fingerprint()), or None for all."""
    if baseline is None:
        return None
    known = set(baseline[model._meta.label])
    current = db_fingerprint_of(model)
    return {row[0] for row in current if row not in known}


def consistency_problems(baseline: dict | None = None) -> list[str]:
    """Every broken invariant, as text (empty when the database is consistent).

    The counters are checked for every event. Model validation (full_clean, a few queries per
    row) runs on the rows that differ from `baseline` when one is given: rows the tests built
    themselves were checked once, in a run without a baseline."""
    problems: list[str] = []
    totals = {
        row["event_id"]: row
        for row in Booking.objects.values("event_id").annotate(
            sold=Sum("quantity", filter=Q(status=Booking.Status.CONFIRMED)),
            held=Sum("quantity", filter=Q(status=Booking.Status.PENDING)),
        )
    }
    ratings = {
        row["event_id"]: row
        for row in Review.objects.values("event_id").annotate(
            count=Count("pk"), total=Sum("rating")
        )
    }
    images = {
        row["event_id"]: row
        for row in EventImage.objects.values("event_id").annotate(
            count=Count("pk"), primaries=Count("pk", filter=Q(is_primary=True))
        )
    }
    events = list(Event.objects.all())
    for event in events:
        sold = (totals.get(event.pk) or {}).get("sold") or 0
        held = (totals.get(event.pk) or {}).get("held") or 0
        if (event.tickets_sold, event.tickets_held) != (sold, held):
            problems.append(
                f"Event {event.pk}: counters sold={event.tickets_sold} held={event.tickets_held}"
                f", bookings say sold={sold} held={held}"
            )
        if event.tickets_sold + event.tickets_held > event.capacity:
            problems.append(f"Event {event.pk}: more tickets taken than its capacity")
        rating = ratings.get(event.pk) or {"count": 0, "total": 0}
        average = (
            (Decimal(rating["total"]) / rating["count"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if rating["count"]
            else Decimal("0.00")
        )
        if event.rating_count != rating["count"] or event.rating_average != average:
            problems.append(
                f"Event {event.pk}: rating {event.rating_average}/{event.rating_count}, "
                f"reviews say {average}/{rating['count']}"
            )
        image = images.get(event.pk) or {"count": 0, "primaries": 0}
        if image["count"] > MAX_IMAGES_PER_EVENT or image["primaries"] > 1:
            problems.append(
                f"Event {event.pk}: {image['count']} images, {image['primaries']} primary"
            )
    maximum = settings.BOOKING_MAX_TICKETS_PER_ORDER
    bookings = list(Booking.objects.select_related("event"))
    for booking in bookings:
        if not 1 <= booking.quantity <= maximum:
            problems.append(f"Booking {booking.pk}: quantity {booking.quantity}")
        if booking.total != booking.unit_price * booking.quantity:
            problems.append(f"Booking {booking.pk}: total {booking.total} is not price × quantity")
        if booking.currency != booking.event.currency:
            problems.append(f"Booking {booking.pk}: currency differs from its event's")
    for model, rows in ((Event, events), (Booking, bookings), (Review, None), (User, None)):
        changed = _changed_pks(model, baseline)
        if rows is None:
            rows = list(model.objects.all()) if changed is None else []
            if changed:
                rows = list(model.objects.filter(pk__in=changed))
        elif changed is not None:
            rows = [row for row in rows if row.pk in changed]
        _full_clean(rows, problems)
    return problems


def assert_consistent(baseline: dict | None = None) -> None:
    problems = consistency_problems(baseline)
    assert not problems, "Inconsistent database:\n" + "\n".join(problems)
