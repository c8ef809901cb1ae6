"""Reads for the booking pages. Each decides its joins so that templates run no queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eventmate.events.models import Event

from .models import Booking
from .tickets import ticket_token_read


def event_overdue_held(*, event: Event, now: datetime | None = None) -> int:
    """Tickets still counted in event.tickets_held whose hold has in fact expired (no sweep
    has run yet). One aggregate over the partial index bookings_pending_event_idx."""
    return (
        Booking.objects.filter(
            event_id=event.pk,
            status=Booking.Status.PENDING,
            hold_expires_at__lte=now or timezone.now(),
        ).aggregate(total=Sum("quantity"))["total"]
        or 0
    )


def event_tickets_left(*, event: Event, now: datetime | None = None) -> int:
    """Tickets a visitor can book right now: neither sold nor held by a hold still running.
    Unlike Event.tickets_left it never counts an expired hold, whether or not the expiry job
    has run. When event.tickets_held is 0 there is nothing to correct and no query runs."""
    if event.tickets_held == 0:
        return event.tickets_left
    held = event.tickets_held - event_overdue_held(event=event, now=now)
    return max(event.capacity - event.tickets_sold - held, 0)


def booking_for_user(*, user, reference: str) -> Booking:
    """The user's own booking, or 404: another user's booking is indistinguishable from a
    missing one."""
    return get_object_or_404(
        Booking.objects.select_related("event", "event__city", "event__host"),
        reference=reference,
        user_id=user.pk,
    )


def booking_for_ticket_token(*, token: str) -> Booking:
    """The booking a public ticket link names, or 404 for anything not signed by us."""
    read = ticket_token_read(token)
    if read is None:
        raise Http404("No such ticket.")
    reference, event_id = read
    return get_object_or_404(
        Booking.objects.select_related("event", "event__city", "user"),
        reference=reference,
        event_id=event_id,
    )


@dataclass
class UserBookings:
    upcoming: list[Booking]
    past: Page


def bookings_for_user(*, user, past_page: int | str = 1, per_page: int = 20) -> UserBookings:
    """For "my bookings": every booking of an event not yet over (soonest first), and the past ones
    (latest first, paginated). Two queries plus the page count, whatever the number of rows.
    Expired holds are left out: they were never bookings the user needs to act on."""
    now = timezone.now()
    base = (
        Booking.objects.filter(user_id=user.pk)
        .exclude(status=Booking.Status.EXPIRED)
        .select_related("event", "event__city")
    )
    upcoming = list(base.filter(event__ends_at__gt=now).order_by("event__starts_at", "-created_at"))
    past = Paginator(
        base.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk"), per_page
    )
    return UserBookings(upcoming=upcoming, past=past.get_page(past_page))


def event_for_host(*, user, slug: str) -> Event:
    """An event its host may manage, or 404 (other hosts' events are not theirs to see)."""
    return get_object_or_404(Event.objects.select_related("city"), slug=slug, host_id=user.pk)


@dataclass
class EventBookingSummary:
    confirmed_bookings: int
    tickets_sold: int
    tickets_held: int
    tickets_checked_in: int
    bookings_checked_in: int


def event_booking_summary(*, event: Event) -> EventBookingSummary:
    confirmed = Q(status=Booking.Status.CONFIRMED)
    checked_in = confirmed & Q(checked_in_at__isnull=False)
    totals = Booking.objects.filter(event_id=event.pk).aggregate(
        confirmed_bookings=Count("pk", filter=confirmed),
        tickets_checked_in=Sum("quantity", filter=checked_in),
        bookings_checked_in=Count("pk", filter=checked_in),
    )
    return EventBookingSummary(
        confirmed_bookings=totals["confirmed_bookings"] or 0,
        tickets_sold=event.tickets_sold,
        tickets_held=event.tickets_held - event_overdue_held(event=event),
        tickets_checked_in=totals["tickets_checked_in"] or 0,
        bookings_checked_in=totals["bookings_checked_in"] or 0,
    )


def event_bookings(
    *, event: Event, status: str = "", page: int | str = 1, per_page: int = 50
) -> Page:
    """The host's list of one event's bookings, newest first, optionally of one status."""
    bookings = Booking.objects.filter(event_id=event.pk).select_related("user")
    if status in Booking.Status.values:
        bookings = bookings.filter(status=status)
    return Paginator(bookings.order_by("-created_at", "-pk"), per_page).get_page(page)


def event_attendees(*, event: Event) -> QuerySet[Booking]:
    """Confirmed bookings of an event for the attendee export, streamed in chunks."""
    return (
        Booking.objects.filter(event_id=event.pk, status=Booking.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
