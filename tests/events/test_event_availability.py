"""The event page never counts a hold past its expiry, whether or not the expiry job ran."""

from datetime import timedelta

import pytest
from django.utils import timezone

from eventmate.bookings.models import Booking
from eventmate.events import selectors
from eventmate.events.models import Event
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db


def _held(event, quantity, expires_in):
    BookingFactory(
        event=event,
        quantity=quantity,
        status=Booking.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now() + expires_in,
    )
    Event.objects.filter(pk=event.pk).update(tickets_held=quantity)


def test_expired_hold_does_not_count_on_the_event_page(client):
    event = EventFactory(capacity=3)
    _held(event, 3, timedelta(minutes=-1))
    assert selectors.event_detail(slug=event.slug).tickets_left == 3
    response = client.get(event.get_absolute_url())
    assert "Sold out" not in response.content.decode()


def test_running_hold_still_counts_on_the_event_page(client):
    event = EventFactory(capacity=3)
    _held(event, 3, timedelta(minutes=10))
    assert selectors.event_detail(slug=event.slug).tickets_left == 0
    response = client.get(event.get_absolute_url())
    assert "Sold out" in response.content.decode()
