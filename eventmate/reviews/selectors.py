"""Reads for reviews and favourites: who may review, a user's review, the favourites page."""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.utils import timezone

from eventmate.bookings.models import Booking
from eventmate.events.models import Event
from eventmate.events.selectors import (
    LISTING_DEFERRED_FIELDS,
    attach_card_images,
    city_timezone,
)

from .models import Favorite, Review

FAVORITES_PER_PAGE = 24


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str = ""
    booking: Booking | None = None


def review_eligibility(*, user, event: Event, now: datetime | None = None) -> Eligibility:
    """Whether `user` may review `event`: they hold a confirmed booking for it and it has
    started. Hosts do not review their own events. One query (the booking)."""
    if not user.is_authenticated:
        return Eligibility(False, "Log in to review events you attended.")
    if event.host_id == user.pk:
        return Eligibility(False, "Hosts can't review their own events.")
    booking = (
        Booking.objects.filter(user=user, event=event, status=Booking.Status.CONFIRMED)
        .order_by("-confirmed_at", "-pk")
        .first()
    )
    if booking is None:
        return Eligibility(
            False, "Only guests with a confirmed booking for this event can review it."
        )
    if event.starts_at > (now or timezone.now()):
        return Eligibility(False, "You can review this event once it has started.", booking=booking)
    return Eligibility(True, booking=booking)


def user_review(*, user, event: Event) -> Review | None:
    if not user.is_authenticated:
        return None
    return Review.objects.filter(user=user, event=event).first()


def favorites_page(*, user, page_number) -> Page:
    """One page of the user's favourites, newest first, each with `event` (its city, and
    `card_image` and `zone` set). Three queries whatever the page size: the count, the page
    with its events and cities, the card images."""
    favorites = (
        Favorite.objects.filter(user=user)
        .select_related("event", "event__city")
        .defer(*(f"event__{name}" for name in LISTING_DEFERRED_FIELDS))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(favorites, FAVORITES_PER_PAGE).get_page(page_number)
    events = [favorite.event for favorite in page]
    attach_card_images(events)
    for event in events:
        event.zone = city_timezone(event.city)
    return page
