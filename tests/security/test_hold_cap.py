"""One account cannot hoard an event's tickets with unpaid holds.

booking_hold refuses a hold that would take the tickets one account holds unpaid for an event
above settings.BOOKING_MAX_HELD_PER_USER (for free events confirmed tickets count too: they are
taken without payment). tests/bookings/test_services.py covers the service; these go through
the booking page, as an attacker with a browser would: several orders in a row, the refusal as
a message on the page (a 409, not a 500), the setting honoured when changed, other accounts
unaffected, and released holds no longer counted.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from eventmate.bookings.exceptions import HoldLimitReached
from eventmate.bookings.models import Booking
from tests.factories import EventFactory

from .integrity import assert_consistent


@pytest.fixture
def open_event(world, settings):
    settings.RATELIMIT_ENABLED = False
    cache.clear()
    return EventFactory(host=world.host, city=world.city, slug="big-hall", capacity=100)


def book(client, event, quantity: int):
    url = reverse("bookings:booking-create", kwargs={"slug": event.slug})
    return client.post(url, {"quantity": str(quantity)})


def held(user, event) -> int:
    bookings = Booking.objects.filter(user=user, event=event, status=Booking.Status.PENDING)
    return sum(bookings.values_list("quantity", flat=True))


def refusal(*, held: int, limit: int) -> str:
    return escape(HoldLimitReached(limit=limit, held=held).message)


def test_the_cap_spans_several_orders(world, open_event, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 10  # the default; set so an environment can't change it
    client = world.client_for("user")
    for quantity in (4, 4):
        assert book(client, open_event, quantity).status_code == 302  # on to the checkout
    assert held(world.user, open_event) == 8

    response = book(client, open_event, 3)

    assert response.status_code == 409
    assert refusal(held=8, limit=10) in response.content.decode()
    assert held(world.user, open_event) == 8
    # Up to the cap is still fine, one more is not.
    assert book(client, open_event, 2).status_code == 302
    assert book(client, open_event, 1).status_code == 409
    assert held(world.user, open_event) == 10
    open_event.refresh_from_db()
    assert open_event.tickets_held == 10
    assert_consistent()


def test_the_cap_follows_the_setting(world, open_event, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 3
    client = world.client_for("user")

    assert book(client, open_event, 2).status_code == 302
    response = book(client, open_event, 2)

    assert response.status_code == 409
    assert refusal(held=2, limit=3) in response.content.decode()
    assert book(client, open_event, 1).status_code == 302
    assert held(world.user, open_event) == 3


def test_other_accounts_can_still_book_while_one_is_at_the_cap(world, open_event, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 3
    hoarder = world.client_for("user")
    assert book(hoarder, open_event, 3).status_code == 302
    assert book(hoarder, open_event, 1).status_code == 409

    for role in ("other_user", "host", "staff"):
        assert book(world.client_for(role), open_event, 3).status_code == 302
    assert held(world.other_user, open_event) == 3
    open_event.refresh_from_db()
    assert open_event.tickets_held == 12
    assert_consistent()


def test_a_hold_that_ran_out_makes_room_again(world, open_event, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 3
    client = world.client_for("user")
    assert book(client, open_event, 3).status_code == 302
    assert book(client, open_event, 1).status_code == 409

    hold = Booking.objects.get(user=world.user, event=open_event)
    Booking.objects.filter(pk=hold.pk).update(hold_expires_at=timezone.now() - timedelta(minutes=1))

    assert book(client, open_event, 3).status_code == 302  # the overdue hold was expired first
    hold.refresh_from_db()
    assert hold.status == Booking.Status.EXPIRED
    assert held(world.user, open_event) == 3
    assert_consistent()


def test_free_tickets_count_against_the_cap_once_taken(world, settings):
    """Free events confirm straight away, so without this one account could take them all."""
    settings.RATELIMIT_ENABLED = False
    settings.BOOKING_MAX_HELD_PER_USER = 3
    free = EventFactory(host=world.host, city=world.city, slug="free-gig", price=0, capacity=50)
    client = world.client_for("user")

    assert book(client, free, 2).status_code == 302  # confirmed, on to the ticket
    response = book(client, free, 2)

    assert response.status_code == 409
    assert refusal(held=2, limit=3) in response.content.decode()
    taken = Booking.objects.filter(user=world.user, event=free, status=Booking.Status.CONFIRMED)
    assert sum(taken.values_list("quantity", flat=True)) == 2
    assert book(world.client_for("other_user"), free, 3).status_code == 302
