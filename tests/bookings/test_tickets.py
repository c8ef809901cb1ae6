"""Ticket tokens, QR codes, calendar files and check-in."""

import pytest
from django.utils import timezone
from icalendar import Calendar

from eventmate.bookings import services, tickets
from eventmate.bookings.exceptions import NotAllowed
from eventmate.bookings.models import Booking
from tests.bookings.steps import pay
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    pay(booking)
    booking.refresh_from_db()
    return booking


def test_token_names_the_booking_and_its_event(ticket):
    assert tickets.ticket_token_read(tickets.ticket_token(ticket)) == (
        ticket.reference,
        ticket.event_id,
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # altered signature
        lambda token: token.replace(".", ".9", 1),  # other event, same signature
        lambda token: "ABCDEFGHJKMN.1:forged",
        lambda token: "",
    ],
)
def test_forged_tokens_are_not_read(ticket, forge):
    assert tickets.ticket_token_read(forge(tickets.ticket_token(ticket))) is None


def test_qr_code_is_an_inline_svg_of_the_public_ticket_link(ticket, settings):
    svg = tickets.ticket_qr_svg(ticket)
    assert svg.startswith("<svg") and "</svg>" in svg
    assert tickets.ticket_public_url(ticket).startswith(settings.SITE_URL + "/ticket/")


def test_calendar_file_describes_the_event(ticket):
    calendar = Calendar.from_ical(tickets.ticket_ics(ticket))
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == ticket.event.title
    assert entry.decoded("dtstart") == ticket.event.starts_at.replace(microsecond=0)
    assert ticket.reference in str(entry["description"])


@pytest.mark.parametrize(
    "as_typed",
    [
        lambda b: b.reference,
        lambda b: b.reference.lower(),
        lambda b: f" {b.reference[:4]}-{b.reference[4:8]}-{b.reference[8:]} ",
        lambda b: tickets.ticket_token(b),
        lambda b: tickets.ticket_public_url(b),
    ],
    ids=["reference", "lowercase", "grouped", "token", "url"],
)
def test_check_in_accepts_every_form_of_the_code(ticket, as_typed):
    result = services.ticket_check_in(
        event=ticket.event, code=as_typed(ticket), by=ticket.event.host
    )
    assert result.outcome == "valid"
    assert "admit 2 guests" in result.message


def test_second_check_in_says_already_used_and_when(ticket):
    first = services.ticket_check_in(
        event=ticket.event, code=ticket.reference, by=ticket.event.host
    )
    second = services.ticket_check_in(
        event=ticket.event, code=ticket.reference, by=ticket.event.host
    )
    assert (first.outcome, second.outcome) == ("valid", "already_used")
    assert second.checked_in_at == first.checked_in_at
    assert "Already used: checked in on" in second.message


def test_ticket_for_another_event_is_wrong_event(ticket):
    other = EventFactory(host=ticket.event.host)
    result = services.ticket_check_in(event=other, code=ticket.reference, by=other.host)
    assert result.outcome == "wrong_event"
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


@pytest.mark.parametrize("code", ["", "hello", "ABCDEFGHJKMN", "ABCDEFGHJKMN.1:forged"])
def test_unknown_or_forged_codes_are_invalid(ticket, code):
    result = services.ticket_check_in(event=ticket.event, code=code, by=ticket.event.host)
    assert result.outcome == "invalid"


def test_cancelled_booking_does_not_get_in(ticket):
    services.booking_cancel(booking=ticket, user=ticket.user)
    result = services.ticket_check_in(
        event=ticket.event, code=ticket.reference, by=ticket.event.host
    )
    assert result.outcome == "invalid"
    assert Booking.objects.get(pk=ticket.pk).checked_in_at is None


def test_only_the_host_checks_in(ticket):
    with pytest.raises(NotAllowed):
        services.ticket_check_in(event=ticket.event, code=ticket.reference, by=UserFactory())
    assert Booking.objects.get(pk=ticket.pk).checked_in_at is None


def test_check_in_time_is_stored(ticket):
    before = timezone.now()
    services.ticket_check_in(event=ticket.event, code=ticket.reference, by=ticket.event.host)
    assert Booking.objects.get(pk=ticket.pk).checked_in_at >= before
