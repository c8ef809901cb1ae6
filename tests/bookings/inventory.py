"""The inventory invariant every booking test checks, in one place."""

from django.db.models import Sum

from eventmate.bookings.models import Booking
from eventmate.events.models import Event


def quantity_sum(event_id: int, status: str) -> int:
    return (
        Booking.objects.filter(event_id=event_id, status=status).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )


def assert_inventory_consistent(event_id: int) -> Event:
    """Stored counters equal what the bookings say, and never exceed capacity."""
    event = Event.objects.get(pk=event_id)
    assert event.tickets_sold == quantity_sum(event_id, Booking.Status.CONFIRMED)
    assert event.tickets_held == quantity_sum(event_id, Booking.Status.PENDING)
    assert event.tickets_sold + event.tickets_held <= event.capacity
    return event
