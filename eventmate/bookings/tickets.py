"""Tickets: the signed token a QR code carries, the QR code itself and the calendar file.

The token names the booking and its event and is signed with SECRET_KEY (salted), so it can
be neither guessed nor forged; it is also the key of the public ticket link. It carries no
expiry: a ticket stays valid until it is used or its booking is cancelled, which check-in
reads from the database.
"""

from __future__ import annotations

import re

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from .models import REFERENCE_ALPHABET, Booking

_signer = signing.Signer(salt="eventmate.bookings.ticket")
# A scanned code may be the whole public URL; the token is the path segment after /ticket/.
_TOKEN_IN_URL = re.compile(r"/ticket/([^/?#\s]+)")
_REFERENCE = re.compile(rf"^[{REFERENCE_ALPHABET}]{{12}}$")


def ticket_token(booking: Booking) -> str:
    return _signer.sign(f"{booking.reference}.{booking.event_id}")


def ticket_token_read(token: str) -> tuple[str, int] | None:
    """(booking reference, event id) from a genuine token, None for anything else."""
    try:
        value = _signer.unsign(token.strip())
    except signing.BadSignature:
        return None
    reference, _, event_id = value.partition(".")
    if not _REFERENCE.match(reference) or not event_id.isdigit():
        return None
    return reference, int(event_id)


def check_in_code_parse(code: str) -> tuple[str, int | None] | None:
    """What a host typed or scanned: a public ticket URL, a token, or a bare booking
    reference. Returns (reference, event id or None for a bare reference) or None."""
    code = (code or "").strip()
    if not code or len(code) > 500:
        return None
    match = _TOKEN_IN_URL.search(code)
    if match:
        code = match.group(1)
    bare = code.upper().replace(" ", "").replace("-", "")
    if _REFERENCE.match(bare):
        return bare, None
    return ticket_token_read(code)


def ticket_public_path(booking: Booking) -> str:
    return reverse("bookings:ticket-public", kwargs={"token": ticket_token(booking)})


def ticket_public_url(booking: Booking) -> str:
    return settings.SITE_URL + ticket_public_path(booking)


def ticket_qr_svg(booking: Booking) -> str:
    """An inline SVG QR code of the public ticket URL (a phone camera opens the ticket; the
    check-in page accepts the URL, the token or the reference)."""
    qr = segno.make(ticket_public_url(booking), error="m")
    # viewBox instead of a fixed size, so CSS can scale it for screens and print.
    return qr.svg_inline(
        scale=4, border=2, dark="#17152b", light="#ffffff", title="Ticket QR code", omitsize=True
    )


def ticket_ics(booking: Booking) -> bytes:
    """An iCalendar file with the event, for the ticket download and the confirmation email."""
    event = booking.event
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Tickets//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"{booking.reference}@{settings.SITE_URL.split('://')[-1]}")
    entry.add("dtstamp", booking.confirmed_at or booking.created_at)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    place = ", ".join(p for p in [event.venue, event.address, str(event.city)] if p)
    entry.add("location", place)
    lines = [f"{booking.quantity} ticket(s), booking {booking.reference}"]
    if booking.attendance_date:
        lines.append(f"Day: {booking.attendance_date:%A %d %B %Y}")
    lines.append(f"Ticket: {ticket_public_url(booking)}")
    entry.add("description", "\n".join(lines))
    entry.add("url", settings.SITE_URL + event.get_absolute_url())
    entry.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
