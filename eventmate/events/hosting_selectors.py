"""Reads for the hosting pages (my events). Discovery reads live in events.selectors/search."""

from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Q, Sum

from .models import Event
from .selectors import LISTING_DEFERRED_FIELDS, attach_card_images, city_timezone

MY_EVENTS_PER_PAGE = 20
# Booking.Status.CONFIRMED, spelled out because events must not import bookings (the import
# direction is bookings -> events); tests/events/test_hosting_pages.py pins the two together.
CONFIRMED_BOOKING_STATUS = "confirmed"


def host_events_page(*, host, page_number) -> Page:
    """One page of the host's events, newest start first, each with `revenue` (the sum of its
    confirmed bookings' totals), `card_image` and `zone` (its city's time zone).

    Four queries whatever the page size: the count, the page (with its city), the card
    images, and one aggregate for the revenue of every event on the page.
    """
    events = (
        Event.objects.filter(host=host)
        .select_related("city")
        .defer(*LISTING_DEFERRED_FIELDS)
        .order_by("-starts_at", "-id")
    )
    page = Paginator(events, MY_EVENTS_PER_PAGE).get_page(page_number)
    events_on_page = list(page)
    attach_card_images(events_on_page)
    ids = [event.pk for event in events_on_page]
    revenue = {}
    if ids:
        revenue = dict(
            Event.objects.filter(pk__in=ids)
            .order_by()
            .annotate(
                revenue=Sum("bookings__total", filter=Q(bookings__status=CONFIRMED_BOOKING_STATUS))
            )
            .values_list("pk", "revenue")
        )
    for event in events_on_page:
        event.revenue = revenue.get(event.pk) or Decimal("0.00")
        event.zone = city_timezone(event.city)
    return page
