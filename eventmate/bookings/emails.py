"""The booking emails: plain text and HTML from templates/bookings/email/<kind>.{txt,html}."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Booking
from .tickets import ticket_ics, ticket_public_url

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": "Your tickets for {event}",
    "hold_expired": "Your hold on tickets for {event} has expired",
    "cancelled": "Booking cancelled: {event}",
    "payment_refunded": "Payment refunded: {event}",
    "event_cancelled": "Event cancelled: {event}",
}


def booking_email_build(booking: Booking, kind: str) -> EmailMultiAlternatives | None:
    if kind not in SUBJECTS:
        raise ValueError(f"Unknown booking email {kind!r}")
    email = booking.user.email
    # Deleted accounts keep an address under the reserved .invalid domain (RFC 2606), which
    # no mail server can deliver to.
    domain = email.rpartition("@")[2].lower()
    if not email or domain == "invalid" or domain.endswith(".invalid"):
        return None
    context = {
        "booking": booking,
        "event": booking.event,
        "user": booking.user,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "booking_url": settings.SITE_URL + booking.get_absolute_url(),
        "event_url": settings.SITE_URL + booking.event.get_absolute_url(),
        "ticket_url": ticket_public_url(booking) if booking.status == "confirmed" else "",
    }
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(event=booking.event.title),
        body=render_to_string(f"bookings/email/{kind}.txt", context),
        to=[email],
    )
    message.attach_alternative(
        render_to_string(f"bookings/email/{kind}.html", context), "text/html"
    )
    if kind == "confirmed":
        message.attach(f"{booking.reference}.ics", ticket_ics(booking), "text/calendar")
    return message


def booking_email_send(*, booking_id: int, kind: str) -> bool:
    """Send one booking email; False when there is no one to send it to."""
    booking = Booking.objects.select_related("event", "event__city", "user").get(pk=booking_id)
    message = booking_email_build(booking, kind)
    if message is None:
        return False
    message.send()
    return True
