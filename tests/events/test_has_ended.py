"""Event.has_ended keeps past events out of the listing indexes without changing results."""

from datetime import timedelta

import pytest
from django.utils import timezone

from eventmate.events import selectors, services
from eventmate.events.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_saving_derives_the_flag_from_ends_at():
    past = EventFactory(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    assert Event.objects.get(pk=past.pk).has_ended is True
    past.ends_at = timezone.now() + timedelta(days=1)
    past.save(update_fields=["ends_at"])
    assert Event.objects.get(pk=past.pk).has_ended is False


def test_mark_ended_flags_only_events_that_are_over():
    over = EventFactory()
    upcoming = EventFactory()
    # As bulk loads leave it: ended but not flagged.
    Event.objects.filter(pk=over.pk).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert services.events_mark_ended() == 1
    assert services.events_mark_ended() == 0
    flags = dict(Event.objects.values_list("pk", "has_ended"))
    assert flags == {over.pk: True, upcoming.pk: False}


def test_an_unflagged_past_event_is_still_not_listed():
    event = EventFactory()
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=5), ends_at=timezone.now() - timedelta(hours=1)
    )
    assert not selectors.upcoming_events().filter(pk=event.pk).exists()
    assert not selectors.upcoming_events(by_keyword=True).filter(pk=event.pk).exists()


def test_host_moving_an_ended_event_into_the_future_lists_it_again():
    event = EventFactory(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    starts = timezone.now() + timedelta(days=3)
    services.event_update(
        actor=event.host,
        event=event,
        fields={"starts_at": starts, "ends_at": starts + timedelta(hours=2)},
    )
    assert selectors.upcoming_events().filter(pk=event.pk).exists()
