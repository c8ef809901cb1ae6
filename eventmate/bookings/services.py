"""Bookings: holding, confirming, cancelling and expiring tickets, and the payments behind them.

Locking protocol — every service here that changes tickets follows it:

1. It runs in one `transaction.atomic()`.
2. It locks the Event row first (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
   IMMEDIATE transaction mode in settings already serialises every writer), then the Booking
   rows it changes. Services that touch several events lock them in ascending id order.
   One fixed order means two services can never wait on each other in a cycle (no deadlocks).
3. While it holds the event lock it reads the counters, checks, and writes the new values.
   Every writer of an event's counters holds that lock, so the check and the write are one
   step and `tickets_sold + tickets_held <= capacity` can never be overshot. (The database
   CheckConstraint is a last line of defence, not the mechanism: it cannot see lost updates.)

Invariants kept by every service, after every commit:
    Event.tickets_sold == sum(quantity of the event's CONFIRMED bookings)
    Event.tickets_held == sum(quantity of the event's PENDING bookings)

A PENDING booking whose hold_expires_at has passed still counts in tickets_held until a
service expires it, so every service that checks availability first expires the event's
overdue holds under the same lock (availability never counts an expired hold, whether or not
the periodic job has run). Pages use selectors.event_tickets_left(), which subtracts them.

Side effects (emails, refunds, cache invalidation) are queued with transaction.on_commit, so
they happen only if the change commits. Money is never moved while a lock is held: a refund
is an outbox row (payments.models.Refund) carried out by a Celery task after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from eventmate.core import cache_versions, metrics
from eventmate.core.redis_client import breaker
from eventmate.events import selectors as events_selectors
from eventmate.events.models import Event
from eventmate.payments import services as payment_services
from eventmate.payments.providers import (
    PaymentError,
    PaymentEvent,
    PaymentKind,
    get_provider,
)

from .exceptions import (
    BookingNotPending,
    CancellationNotAllowed,
    EventNotBookable,
    HoldExpired,
    HoldLimitReached,
    InvalidAttendanceDate,
    InvalidQuantity,
    NotAllowed,
    NotEnoughTickets,
    SoldOut,
)
from .models import Booking
from .tickets import check_in_code_parse

logger = logging.getLogger(__name__)

PENDING = Booking.Status.PENDING
CONFIRMED = Booking.Status.CONFIRMED
CANCELLED = Booking.Status.CANCELLED
EXPIRED = Booking.Status.EXPIRED
REFUNDED = Booking.Status.REFUNDED

# The event row lock is what serialises inventory changes. Only the concurrency test's
# negative control turns it off, to show that the race it guards against is real.
LOCK_INVENTORY = True


# ---------------------------------------------------------------------------------------------
# Building blocks. Each `_…_locked` helper must be called inside a transaction that holds the
# event's lock (from _lock_event); it changes the in-memory event, and the caller saves it
# with _save_counters before the transaction ends.
# ---------------------------------------------------------------------------------------------


def _lock_event(event_id: int) -> Event:
    queryset = Event.objects.all()
    if LOCK_INVENTORY:
        queryset = queryset.select_for_update()
    event = queryset.get(pk=event_id)
    event._listing_availability_at_lock = events_selectors.listing_availability(event)
    return event


def _save_counters(event: Event) -> None:
    """Write the counters and, on commit, invalidate the event page. Listings are invalidated
    only when what their cards show changes (sold out, only N left): every hold and payment
    changes a count, and bumping every listing each time would empty the page cache under
    load for nothing."""
    Event.objects.filter(pk=event.pk).update(
        tickets_sold=event.tickets_sold, tickets_held=event.tickets_held
    )
    before = getattr(event, "_listing_availability_at_lock", object())
    listings = events_selectors.listing_availability(event) != before
    event_id, slug = event.pk, event.slug
    transaction.on_commit(
        lambda: cache_versions.event_changed(event_id, slug=slug, listings=listings)
    )


def _queue_email(booking: Booking, kind: str) -> None:
    from . import tasks

    booking_id = booking.pk
    transaction.on_commit(lambda: _enqueue(tasks.booking_email_send, booking_id, kind))


def _enqueue(task, *args) -> None:
    """Queue an email task; when the broker (Redis) cannot take it, send it from here.

    Runs after commit: the booking is saved whatever happens here, so a broker outage or a
    mail error must be logged, not turned into an error page for a booking that succeeded.
    `make chaos` found emails dropped during a Redis outage before this fallback, and each
    request waiting on a refused publish; while the Redis circuit breaker
    (eventmate.core.redis_client) has the broker's server marked down, the publish is skipped.
    """
    server = _broker_server()
    if server is None or not breaker.is_open(server):
        try:
            task.delay(*args)
            return
        except Exception as error:
            if server is not None:
                breaker.record_failure(server, error)
    logger.warning("Could not queue %s%r; sending it now instead", task.name, args)
    try:
        task(*args)
    except Exception:
        logger.exception("Could not send %s%r", task.name, args)


def _broker_server() -> str | None:
    """host:port of a Redis broker, as the circuit breaker names servers; None otherwise."""
    url = urlsplit(settings.CELERY_BROKER_URL)
    if settings.CELERY_TASK_ALWAYS_EAGER or url.scheme not in ("redis", "rediss"):
        return None
    return f"{url.hostname or 'localhost'}:{url.port or 6379}"


def _expire_overdue_locked(event: Event, now: datetime) -> list[int]:
    """Mark the event's overdue holds EXPIRED, release their tickets and email their owners.
    Returns the expired booking ids."""
    overdue = list(
        Booking.objects.select_for_update()
        .filter(event_id=event.pk, status=PENDING, hold_expires_at__lte=now)
        .values_list("pk", "quantity")
    )
    if not overdue:
        return []
    booking_ids = [pk for pk, _ in overdue]
    Booking.objects.filter(pk__in=booking_ids).update(status=EXPIRED, updated_at=now)
    event.tickets_held -= sum(quantity for _, quantity in overdue)
    _count_on_commit(metrics.BOOKING_EXPIRIES, len(booking_ids))
    from . import tasks

    transaction.on_commit(
        lambda: [_enqueue(tasks.booking_email_send, pk, "hold_expired") for pk in booking_ids]
    )
    return booking_ids


def _count_on_commit(counter, amount: int = 1) -> None:
    """Business metrics count what committed, never work that was rolled back."""
    if amount:
        transaction.on_commit(lambda: counter.inc(amount))


def _tickets_left_locked(event: Event) -> int:
    return event.capacity - event.tickets_sold - event.tickets_held


def _is_paid(booking: Booking) -> bool:
    return bool(booking.payment_reference) and booking.total > 0


def _refund_payment(
    booking: Booking, *, payment_reference: str, amount: Decimal | None, reason: str
) -> bool:
    """Owe the customer a full refund of one payment (outbox; carried out after commit).
    True if this refund is new, False if it was already owed."""
    _, created = payment_services.refund_request(
        provider=booking.payment_provider or settings.PAYMENT_PROVIDER,
        payment_reference=payment_reference,
        amount=booking.total if amount is None else amount,
        currency=booking.currency,
        reason=f"{booking.reference}: {reason}",
    )
    if created:
        _count_on_commit(metrics.BOOKING_REFUNDS)
    return created


def _release_confirmed_locked(
    booking: Booking, event: Event, now: datetime, *, reason: str, refund: bool = True
) -> None:
    """A confirmed booking gives its tickets back: REFUNDED (and a refund owed) when it was
    paid for, CANCELLED when it was free. `refund=False` when the provider refunded already."""
    event.tickets_sold -= booking.quantity
    if _is_paid(booking):
        booking.status = REFUNDED
        if refund:
            _refund_payment(
                booking, payment_reference=booking.payment_reference, amount=None, reason=reason
            )
    else:
        booking.status = CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at", "updated_at"])


def _release_pending_locked(booking: Booking, event: Event, now: datetime) -> None:
    event.tickets_held -= booking.quantity
    booking.status = CANCELLED
    booking.cancelled_at = now
    booking.save(update_fields=["status", "cancelled_at", "updated_at"])


def event_zone(event: Event) -> ZoneInfo:
    """The time zone the event's times are shown and its days counted in (its city's)."""
    try:
        return ZoneInfo(event.city.timezone)
    except Exception:  # an unknown zone name must not block bookings
        return ZoneInfo("UTC")


def _event_local_date(event: Event, moment: datetime) -> date:
    return timezone.localtime(moment, event_zone(event)).date()


def _check_bookable(event: Event, now: datetime) -> None:
    if not event.is_published:
        raise EventNotBookable("This event is not published.")
    if event.is_cancelled:
        raise EventNotBookable("This event has been cancelled.")
    if event.ends_at <= now or (not is_multi_day(event) and event.starts_at <= now):
        raise EventNotBookable("Booking has closed: this event has already started.")


def _validated_quantity(quantity) -> int:
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise InvalidQuantity() from None
    maximum = settings.BOOKING_MAX_TICKETS_PER_ORDER
    if not 1 <= quantity <= maximum:
        raise InvalidQuantity(f"Choose between 1 and {maximum} tickets.")
    return quantity


def event_days(event: Event) -> list[date]:
    """The local days an event takes place on; one rule for the event page and bookings."""
    return events_selectors.event_days(event)


def is_multi_day(event: Event) -> bool:
    return len(event_days(event)) > 1


def attendance_dates(event: Event, now: datetime | None = None) -> list[date]:
    """The days a multi-day event can still be booked for (in the event city's time zone);
    empty for one-day events, where tickets are for the whole event."""
    days = event_days(event)
    if len(days) == 1:
        return []
    today = _event_local_date(event, now or timezone.now())
    return [day for day in days if day >= today]


def _validated_attendance_date(event: Event, attendance_date, now: datetime) -> date | None:
    if not is_multi_day(event):
        # Forms may send a date for a one-day event (e.g. one running past midnight); the
        # ticket is for the whole event either way.
        return None
    if not attendance_date:
        raise InvalidAttendanceDate("Choose the day you will attend.")
    if attendance_date not in attendance_dates(event, now):
        raise InvalidAttendanceDate()
    return attendance_date


def cancellation_deadline(event: Event) -> datetime:
    """Confirmed bookings can be cancelled (and refunded) until this moment."""
    return event.starts_at - timedelta(hours=event.free_cancellation_hours)


# ---------------------------------------------------------------------------------------------
# Holding and confirming
# ---------------------------------------------------------------------------------------------


def booking_hold(*, user, event: Event, quantity, attendance_date: date | None = None) -> Booking:
    """Hold `quantity` tickets of `event` for `user` for BOOKING_HOLD_MINUTES.

    Returns a PENDING booking, or a CONFIRMED one straight away when the event is free.
    Locks: the event row, then its overdue holds, which it expires first (so they never make
    an event look sold out). Raises InvalidQuantity (outside 1..BOOKING_MAX_TICKETS_PER_ORDER),
    EventNotBookable, InvalidAttendanceDate, HoldLimitReached (the user would hold more than
    BOOKING_MAX_HELD_PER_USER tickets of this event at once; for free events confirmed
    tickets count too, since they are held without payment), SoldOut, NotEnoughTickets(left).
    Queues on commit: cache invalidation; the confirmation email for free events; "hold
    expired" emails for any holds it expired.
    """
    quantity = _validated_quantity(quantity)
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(event.pk)
        _check_bookable(event, now)
        attendance_date = _validated_attendance_date(event, attendance_date, now)
        _expire_overdue_locked(event, now)

        limit = settings.BOOKING_MAX_HELD_PER_USER
        counted = [PENDING, CONFIRMED] if event.is_free else [PENDING]
        held_by_user = (
            Booking.objects.filter(
                event_id=event.pk, user_id=user.pk, status__in=counted
            ).aggregate(total=Sum("quantity"))["total"]
            or 0
        )
        if held_by_user + quantity > limit:
            raise HoldLimitReached(limit=limit, held=held_by_user)

        left = _tickets_left_locked(event)
        if left <= 0:
            raise SoldOut()
        if quantity > left:
            raise NotEnoughTickets(left=left)

        booking = Booking(
            user=user,
            event=event,
            quantity=quantity,
            attendance_date=attendance_date,
            unit_price=event.price,
            total=event.price * quantity,
            currency=event.currency,
        )
        if event.is_free:
            booking.status = CONFIRMED
            booking.confirmed_at = now
            event.tickets_sold += quantity
        else:
            booking.status = PENDING
            booking.hold_expires_at = now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
            booking.payment_provider = settings.PAYMENT_PROVIDER
            event.tickets_held += quantity
        booking.save()
        _save_counters(event)
        if booking.status == CONFIRMED:
            _count_on_commit(metrics.BOOKING_CONFIRMATIONS)
            _queue_email(booking, "confirmed")
        else:
            _count_on_commit(metrics.BOOKING_HOLDS)
    return booking


def booking_confirm(
    *, booking: Booking, payment_reference: str, amount: Decimal | None = None
) -> Booking:
    """Record a successful payment for `booking`. Idempotent. Nobody pays without a ticket:

    - PENDING within its hold: CONFIRMED, the held tickets become sold.
    - PENDING past its hold, or EXPIRED (a late payment): CONFIRMED if the event is still
      bookable and enough tickets are free (after expiring other overdue holds), otherwise
      REFUNDED with a refund owed and the customer emailed.
    - Already CONFIRMED by this payment: nothing changes. Confirmed by another payment
      (paid twice): the second payment is refunded.
    - CANCELLED or REFUNDED: the payment is refunded (once) and the customer emailed.
    - `amount` differing from the booking total (tampering or a provider bug): refunded,
      booking unchanged.
    Locks the event, then the booking. Queues on commit: emails, refunds, cache invalidation.
    Returns the booking as it now is; its status says what happened.
    """
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(booking.event_id)
        booking = Booking.objects.select_for_update().select_related("event").get(pk=booking.pk)
        booking.event = event

        if booking.status == CONFIRMED:
            if payment_reference != booking.payment_reference and _refund_payment(
                booking, payment_reference=payment_reference, amount=amount, reason="paid twice"
            ):
                logger.warning(
                    "Booking %s paid twice; refunding %s", booking.reference, payment_reference
                )
            return booking

        if amount is not None and amount != booking.total:
            logger.error(
                "Payment %s for %s: amount %s, expected %s; refunding",
                payment_reference,
                booking.reference,
                amount,
                booking.total,
            )
            _refund_payment(
                booking,
                payment_reference=payment_reference,
                amount=amount,
                reason="amount does not match the booking",
            )
            return booking

        if booking.status in (CANCELLED, REFUNDED):
            if _refund_payment(
                booking,
                payment_reference=payment_reference,
                amount=amount,
                reason=f"payment for a {booking.status} booking",
            ):
                _queue_email(booking, "payment_refunded")
            return booking

        on_time = booking.status == PENDING and booking.hold_expires_at > now
        if not on_time:
            if booking.status == PENDING:
                # Overdue but not yet swept: its own tickets are released like any expiry
                # (without the "hold expired" email: this payment settles the matter).
                event.tickets_held -= booking.quantity
                booking.status = EXPIRED
                Booking.objects.filter(pk=booking.pk).update(status=EXPIRED, updated_at=now)
                _count_on_commit(metrics.BOOKING_EXPIRIES)
            _expire_overdue_locked(event, now)
            can_retake = (
                not event.is_cancelled
                and event.ends_at > now
                and booking.quantity <= _tickets_left_locked(event)
            )
            if not can_retake:
                booking.status = REFUNDED
                booking.payment_reference = payment_reference
                booking.cancelled_at = now
                booking.save(
                    update_fields=["status", "payment_reference", "cancelled_at", "updated_at"]
                )
                _refund_payment(
                    booking,
                    payment_reference=payment_reference,
                    amount=amount,
                    reason="paid after the hold expired; no tickets left",
                )
                _save_counters(event)
                _queue_email(booking, "payment_refunded")
                return booking
        else:
            event.tickets_held -= booking.quantity

        event.tickets_sold += booking.quantity
        booking.status = CONFIRMED
        booking.confirmed_at = now
        booking.payment_reference = payment_reference
        booking.save(update_fields=["status", "confirmed_at", "payment_reference", "updated_at"])
        _save_counters(event)
        _count_on_commit(metrics.BOOKING_CONFIRMATIONS)
        _queue_email(booking, "confirmed")
    return booking


def booking_payment_started(*, booking: Booking, payment_reference: str) -> Booking:
    """Remember the provider's id of a payment in progress on a PENDING booking (a Stripe
    Checkout Session, a test payment still processing), so webhooks and reconciliation can
    find the booking. Locks the booking row only (no counters change). No-op otherwise."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == PENDING and booking.payment_reference != payment_reference:
            booking.payment_reference = payment_reference
            booking.save(update_fields=["payment_reference", "updated_at"])
    return booking


def booking_pay_by_card(*, booking: Booking, card_number: str) -> PaymentEvent:
    """Pay a PENDING booking on our own checkout page (providers with a card form: the
    built-in test provider). The card is charged outside any transaction, then the booking is
    confirmed (PAID), or its payment remembered (PROCESSING); a FAILED result changes nothing
    and carries the reason to show. Raises BookingNotPending, HoldExpired (checked before
    charging, so nobody is charged for a hold known to be over)."""
    if booking.status != PENDING:
        raise BookingNotPending()
    if booking.hold_expires_at <= timezone.now():
        raise HoldExpired()
    provider = get_provider(booking.payment_provider)
    if not provider.has_card_form:
        raise BookingNotPending("This booking is paid through another payment provider.")
    result = provider.charge(
        order_reference=booking.reference,
        amount=booking.total,
        currency=booking.currency,
        card_number=card_number,
    )
    if result.kind == PaymentKind.PAID:
        booking_confirm(booking=booking, payment_reference=result.reference, amount=result.amount)
    elif result.kind == PaymentKind.PROCESSING:
        booking_payment_started(booking=booking, payment_reference=result.reference)
    return result


def booking_checkout_start(*, booking: Booking, success_url: str, cancel_url: str) -> str:
    """Create a hosted checkout (Stripe Checkout Session) for a PENDING booking and return the
    URL to send the customer to. The provider call happens outside any transaction. A new
    session replaces an older one on the booking; if the older one is paid after all, the
    booking is confirmed by whichever payment arrives first and the other is refunded.
    Raises BookingNotPending, HoldExpired, payments PaymentError."""
    if booking.status != PENDING:
        raise BookingNotPending()
    if booking.hold_expires_at <= timezone.now():
        raise HoldExpired()
    provider = get_provider(booking.payment_provider)
    checkout = provider.create_checkout(
        order_reference=booking.reference,
        amount=booking.total,
        currency=booking.currency,
        description=f"{booking.quantity} × {booking.event.title}",
        customer_email=booking.user.email,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=booking.hold_expires_at,
    )
    booking_payment_started(booking=booking, payment_reference=checkout.reference)
    return checkout.redirect_url


# ---------------------------------------------------------------------------------------------
# Cancelling, refunding, expiring
# ---------------------------------------------------------------------------------------------


def booking_cancellation_refusal(booking: Booking, now: datetime | None = None) -> str | None:
    """Why the owner cannot cancel this booking now, or None if they can (pages use it to
    offer the action; booking_cancel enforces it under the lock)."""
    if booking.status == PENDING:
        return None
    if booking.status != CONFIRMED:
        return f"This booking is already {booking.get_status_display().lower()}."
    if booking.checked_in_at:
        return "This ticket has already been used to check in."
    event = booking.event
    if event.is_cancelled:
        return "This event has been cancelled; your booking was cancelled with it."
    deadline = cancellation_deadline(event)
    if (now or timezone.now()) >= deadline:
        when = timezone.localtime(deadline, event_zone(event)).strftime("%d %b %Y, %H:%M")
        return (
            f"Free cancellation for this event ended on {when} "
            f"({event.free_cancellation_hours} hours before it starts), so this booking can "
            "no longer be cancelled online. Please contact the host."
        )
    return None


def booking_cancel(*, booking: Booking, user) -> Booking:
    """The owner cancels a booking. Idempotent (cancelling a cancelled booking is a no-op).

    PENDING: the hold is released (CANCELLED); no money was taken. If a payment for it
    still arrives, booking_confirm refunds it.
    CONFIRMED: allowed until cancellation_deadline(event) and if not checked in; the tickets
    are released and the booking REFUNDED with a refund owed (CANCELLED if it was free).
    Locks the event, then the booking. Raises NotAllowed (not the owner),
    CancellationNotAllowed (with the reason). Queues on commit: cancellation email, refund,
    cache invalidation.
    """
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(booking.event_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        booking.event = event
        if booking.user_id != user.pk:
            raise NotAllowed()
        if booking.status == PENDING:
            _release_pending_locked(booking, event, now)
        elif booking.status == CONFIRMED:
            refusal = booking_cancellation_refusal(booking, now)
            if refusal:
                raise CancellationNotAllowed(refusal)
            _release_confirmed_locked(booking, event, now, reason="cancelled by the customer")
            _queue_email(booking, "cancelled")
        else:
            return booking
        _save_counters(event)
    return booking


def booking_expire(*, booking: Booking) -> bool:
    """Expire one hold if it is still PENDING and overdue (with every other overdue hold of
    its event). Locks the event, then its overdue holds. Returns whether this one expired.
    Queues on commit: "hold expired" emails, cache invalidation."""
    with transaction.atomic():
        event = _lock_event(booking.event_id)
        expired = _expire_overdue_locked(event, timezone.now())
        if expired:
            _save_counters(event)
    return booking.pk in expired


def expire_overdue_holds(*, now: datetime | None = None) -> int:
    """Expire every overdue hold (the periodic task). One short transaction per event, so a
    sweep never holds many locks at once. Returns how many holds expired."""
    now = now or timezone.now()
    event_ids = sorted(
        set(
            Booking.objects.filter(status=PENDING, hold_expires_at__lte=now).values_list(
                "event_id", flat=True
            )
        )
    )
    expired = 0
    for event_id in event_ids:
        with transaction.atomic():
            event = _lock_event(event_id)
            count = len(_expire_overdue_locked(event, now))
            if count:
                _save_counters(event)
            expired += count
    return expired


def booking_refund_recorded(*, booking: Booking, payment_reference: str) -> Booking:
    """The provider reports that a payment was refunded (e.g. from the Stripe dashboard).
    Idempotent; never refunds again. A CONFIRMED booking paid by it becomes REFUNDED and its
    tickets are released; a PENDING one is CANCELLED (its payment is gone). Locks the event,
    then the booking. Queues on commit: cancellation email, cache invalidation."""
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(booking.event_id)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        booking.event = event
        payment_services.refund_record_external(
            provider=booking.payment_provider or settings.PAYMENT_PROVIDER,
            payment_reference=payment_reference,
            amount=booking.total,
            currency=booking.currency,
            reason=f"{booking.reference}: refunded at the provider",
        )
        if booking.payment_reference != payment_reference:
            return booking
        if booking.status == CONFIRMED:
            _release_confirmed_locked(booking, event, now, reason="refunded", refund=False)
            _queue_email(booking, "cancelled")
        elif booking.status == PENDING:
            _release_pending_locked(booking, event, now)
        else:
            return booking
        _save_counters(event)
    return booking


def event_cancel(*, event: Event, by) -> int:
    """A host (or staff) cancels an event: every pending booking is cancelled, every confirmed
    one refunded (cancelled when free), the event marked cancelled, every attendee emailed.
    Idempotent. Locks the event, then all its active bookings. Raises NotAllowed (not the
    host, or the event is over). Returns how many bookings were cancelled.
    Queues on commit: "event cancelled" emails, refunds, cache invalidation."""
    if by.pk != event.host_id and not by.is_staff:
        raise NotAllowed("Only the event's host can cancel it.")
    now = timezone.now()
    with transaction.atomic():
        event = _lock_event(event.pk)
        if event.is_cancelled:
            return 0
        if event.ends_at <= now:
            raise NotAllowed("This event is over; it can no longer be cancelled.")
        bookings = list(
            Booking.objects.select_for_update()
            .filter(event_id=event.pk, status__in=[PENDING, CONFIRMED])
            .order_by("pk")
        )
        for booking in bookings:
            if booking.status == PENDING:
                _release_pending_locked(booking, event, now)
            else:
                _release_confirmed_locked(booking, event, now, reason="event cancelled")
            _queue_email(booking, "event_cancelled")
        event.is_cancelled = True
        event.save(update_fields=["is_cancelled", "updated_at"])
        _save_counters(event)
    return len(bookings)


def bookings_cancel_for_user(*, user) -> int:
    """Cancel all of a user's bookings for events not yet over (account deletion).

    PENDING bookings are CANCELLED (holds released); CONFIRMED ones are refunded through
    their provider and their tickets released, regardless of the free-cancellation cutoff
    (the account is going away). Past bookings are left as they are (history).
    Locks the events concerned in ascending id order, then each event's bookings of this
    user; one transaction, so either all are cancelled or none.
    Queues on commit: cancellation emails (confirmed ones), refunds, cache invalidation.
    Returns how many bookings were cancelled.
    """
    now = timezone.now()
    active = Q(status__in=[PENDING, CONFIRMED], event__ends_at__gt=now)
    event_ids = sorted(
        set(Booking.objects.filter(active, user_id=user.pk).values_list("event_id", flat=True))
    )
    cancelled = 0
    with transaction.atomic():
        for event_id in event_ids:
            event = _lock_event(event_id)
            bookings = Booking.objects.select_for_update().filter(
                user_id=user.pk, event_id=event_id, status__in=[PENDING, CONFIRMED]
            )
            for booking in bookings.order_by("pk"):
                booking.event = event
                if booking.status == PENDING:
                    _release_pending_locked(booking, event, now)
                else:
                    _release_confirmed_locked(booking, event, now, reason="account deleted")
                    _queue_email(booking, "cancelled")
                cancelled += 1
            _save_counters(event)
    return cancelled


# ---------------------------------------------------------------------------------------------
# Payment events (webhooks and reconciliation)
# ---------------------------------------------------------------------------------------------


def _booking_for_payment(payment_event: PaymentEvent) -> Booking | None:
    if payment_event.reference:
        booking = Booking.objects.filter(payment_reference=payment_event.reference).first()
        if booking:
            return booking
    if payment_event.order_reference:
        return Booking.objects.filter(reference=payment_event.order_reference).first()
    return None


def payment_event_apply(*, provider: str, payment_event: PaymentEvent) -> Booking | None:
    """Apply what a provider says happened to a payment (a webhook or a reconciliation).

    Idempotent twice over: a delivery with an event id is recorded in the same transaction
    and a repeat is ignored; and every transition it makes is a no-op when repeated or when
    it arrives out of order (a late "expired" after "paid" changes nothing, a "paid" after a
    refund is refunded, never double-counted).
    PAID → booking_confirm; PROCESSING → booking_payment_started; REFUNDED →
    booking_refund_recorded; FAILED and EXPIRED leave the hold to run out (the customer may
    retry until then). Returns the booking concerned, or None (unknown or duplicate).
    """
    with transaction.atomic():
        if payment_event.event_id and not payment_services.webhook_event_record(
            provider=provider,
            event_id=payment_event.event_id,
            kind=payment_event.kind,
            reference=payment_event.reference,
        ):
            return None
        booking = _booking_for_payment(payment_event)
        if booking is None:
            logger.warning(
                "%s payment %s (%s) matches no booking",
                provider,
                payment_event.reference,
                payment_event.kind,
            )
            return None
        if payment_event.kind == PaymentKind.PAID:
            return booking_confirm(
                booking=booking,
                payment_reference=payment_event.reference,
                amount=payment_event.amount,
            )
        if payment_event.kind == PaymentKind.PROCESSING:
            return booking_payment_started(
                booking=booking, payment_reference=payment_event.reference
            )
        if payment_event.kind == PaymentKind.REFUNDED:
            return booking_refund_recorded(
                booking=booking, payment_reference=payment_event.reference
            )
        return booking


def booking_payment_sync(*, booking: Booking) -> Booking:
    """Ask the booking's provider for the real state of its payment and apply it. Used by
    reconciliation and by the payment result page. Provider errors are logged, not raised."""
    if not booking.payment_reference:
        return booking
    try:
        payment_event = get_provider(booking.payment_provider).fetch_status(
            reference=booking.payment_reference
        )
    except PaymentError as error:
        logger.warning("Could not fetch payment %s: %s", booking.payment_reference, error)
        return booking
    return payment_event_apply(provider=booking.payment_provider, payment_event=payment_event) or (
        booking
    )


def payments_reconcile(*, now: datetime | None = None) -> int:
    """Find bookings whose payment outcome may have been missed (a lost webhook) and ask the
    provider: PENDING bookings with a payment older than PAYMENT_RECONCILE_AFTER_SECONDS, and
    bookings that EXPIRED recently with a payment started (a late payment may have been
    taken). Then payments the provider took that no booking records (the app died between
    charging the card and confirming): each is applied like a webhook, which confirms its
    booking or refunds it. Returns how many bookings and payments were checked."""
    now = now or timezone.now()
    started_before = now - timedelta(seconds=settings.PAYMENT_RECONCILE_AFTER_SECONDS)
    late_window = now - timedelta(minutes=settings.PAYMENT_LATE_WINDOW_MINUTES)
    candidates = Booking.objects.filter(payment_reference__isnull=False).filter(
        Q(status=PENDING, updated_at__lte=started_before)
        | Q(status=EXPIRED, hold_expires_at__gte=late_window)
    )
    checked = 0
    for booking in candidates.order_by("pk")[:500]:
        booking_payment_sync(booking=booking)
        checked += 1
    return checked + _unrecorded_payments_apply(since=late_window, until=started_before)


def _unrecorded_payments_apply(*, since: datetime, until: datetime) -> int:
    """Apply each payment the provider took in [since, until) whose reference no booking
    holds. Younger payments are left alone: their request may still be confirming them."""
    name = settings.PAYMENT_PROVIDER
    provider = get_provider(name)
    try:
        taken = provider.payments_taken(since=since, until=until)
    except PaymentError as error:
        logger.warning("Could not list %s payments: %s", name, error)
        return 0
    references = [payment.reference for payment in taken if payment.reference]
    recorded = set(
        Booking.objects.filter(payment_reference__in=references).values_list(
            "payment_reference", flat=True
        )
    )
    unrecorded = [payment for payment in taken if payment.reference not in recorded]
    for payment in unrecorded:
        logger.warning(
            "%s payment %s for order %s was never recorded; applying it now",
            name,
            payment.reference,
            payment.order_reference,
        )
        payment_event_apply(provider=name, payment_event=payment)
    return len(unrecorded)


# ---------------------------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    outcome: str  # "valid", "already_used", "wrong_event" or "invalid"
    message: str
    booking: Booking | None = None
    checked_in_at: datetime | None = None


def ticket_check_in(*, event: Event, code: str, by) -> CheckInResult:
    """Admit the holder of a ticket (a scanned public URL, a token, or a typed reference) to
    `event`. Marks attendance once: the write is a conditional UPDATE … WHERE checked_in_at
    IS NULL, so of two simultaneous scans exactly one is "valid" and the other "already used".
    Takes no event lock (no counters change). Raises NotAllowed unless `by` hosts the event.
    """
    if by.pk != event.host_id:
        raise NotAllowed("Only the event's host can check in its guests.")
    parsed = check_in_code_parse(code)
    if parsed is None:
        return CheckInResult("invalid", "Not a valid ticket code.")
    reference, token_event_id = parsed
    booking = Booking.objects.select_related("user", "event").filter(reference=reference).first()
    if booking is None or (token_event_id is not None and token_event_id != booking.event_id):
        return CheckInResult("invalid", "No ticket matches this code.")
    if booking.event_id != event.pk:
        return CheckInResult(
            "wrong_event", f"This ticket is for a different event: {booking.event.title}."
        )
    if booking.status != CONFIRMED:
        return CheckInResult(
            "invalid",
            f"This booking is {booking.get_status_display().lower()}: no entry.",
            booking,
        )
    now = timezone.now()
    admitted = Booking.objects.filter(
        pk=booking.pk, status=CONFIRMED, checked_in_at__isnull=True
    ).update(checked_in_at=now, updated_at=now)
    booking.refresh_from_db(fields=["status", "checked_in_at"])
    if admitted:
        noun = "guest" if booking.quantity == 1 else "guests"
        return CheckInResult(
            "valid", f"Valid: admit {booking.quantity} {noun}.", booking, booking.checked_in_at
        )
    if booking.checked_in_at is None:  # cancelled between the read and the update
        return CheckInResult("invalid", "This booking is no longer valid: no entry.", booking)
    when = timezone.localtime(booking.checked_in_at, event_zone(event)).strftime(
        "%d %b %Y at %H:%M:%S"
    )
    return CheckInResult(
        "already_used", f"Already used: checked in on {when}.", booking, booking.checked_in_at
    )
