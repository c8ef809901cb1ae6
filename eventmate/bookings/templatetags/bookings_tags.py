"""Template helpers of the booking pages, and the tags the event page may use."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from ..models import Booking
from ..selectors import event_tickets_left as _event_tickets_left

register = template.Library()

_BADGE = {
    Booking.Status.PENDING: "badge-warn",
    Booking.Status.CONFIRMED: "badge-ok",
    Booking.Status.CANCELLED: "",
    Booking.Status.EXPIRED: "",
    Booking.Status.REFUNDED: "badge-danger",
}


@register.filter
def money(amount, currency: str = "") -> str:
    if amount is None:
        return ""
    amount = Decimal(amount)
    if amount == 0:
        return "Free"
    text = f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"
    return f"{text} {currency}".strip()


@register.simple_tag
def booking_status_badge(booking) -> str:
    return format_html(
        '<span class="badge {} booking-status">{}</span>',
        _BADGE.get(booking.status, ""),
        booking.get_status_display(),
    )


@register.filter
def minutes_seconds(seconds) -> str:
    seconds = max(int(seconds or 0), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.simple_tag
def event_tickets_left(event) -> int:
    """Tickets bookable right now, never counting an expired hold (one indexed aggregate, or
    none when nothing is held): `{% load bookings_tags %}{% event_tickets_left event as left %}`."""
    return _event_tickets_left(event=event)
