"""Simultaneous buyers on PostgreSQL, each on its own database connection.

The hold service reads the counters, checks, and writes them back. Without the event row
lock, buyers who read the same counters all pass the check: the negative control at the end
shows that overselling really happens that way, so the positive tests are known to catch it.
Both use the same harness; only services.LOCK_INVENTORY differs.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from eventmate.bookings import services
from eventmate.bookings.exceptions import NotEnoughTickets, SoldOut
from eventmate.bookings.models import Booking
from eventmate.events.models import Event
from tests.bookings.inventory import assert_inventory_consistent
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 50


@pytest.fixture(autouse=True)
def _postgres(postgres_only):
    """Threads need real separate connections and row locks: PostgreSQL only."""


def run_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; each thread uses (and closes) its
    own database connection. Returns each thread's result or the exception it raised."""
    start = threading.Barrier(count)
    results = [None] * count

    def worker(index):
        try:
            start.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def widen_race_window(monkeypatch, pause):
    """Pause every buyer between reading the counters and writing them, where a missing lock
    would let the others read the same stale values."""
    check = services._tickets_left_locked

    def slow_check(event):
        left = check(event)
        pause()
        return left

    monkeypatch.setattr(services, "_tickets_left_locked", slow_check)


def hold_for_everyone(event, buyers, quantity):
    return run_at_once(
        len(buyers),
        lambda i: services.booking_hold(user=buyers[i], event=event, quantity=quantity),
    )


def test_simultaneous_holds_never_exceed_capacity(monkeypatch):
    event = EventFactory(capacity=20, price="10.00")
    buyers = UserFactory.create_batch(BUYERS)
    widen_race_window(monkeypatch, lambda: time.sleep(0.005))

    results = hold_for_everyone(event, buyers, quantity=1)

    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == 20
    assert all(isinstance(loser, SoldOut) for loser in losers), Counter(map(type, losers))
    event = assert_inventory_consistent(event.pk)
    assert event.tickets_held == event.capacity == 20


def test_losers_are_told_how_many_are_left(monkeypatch):
    event = EventFactory(capacity=41, price="10.00")
    buyers = UserFactory.create_batch(BUYERS)
    widen_race_window(monkeypatch, lambda: time.sleep(0.005))

    results = hold_for_everyone(event, buyers, quantity=2)

    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == 20
    assert all(isinstance(loser, NotEnoughTickets) and loser.left == 1 for loser in losers)
    assert assert_inventory_consistent(event.pk).tickets_held == 40


def test_holds_expiring_while_others_buy_keep_counters_exact(monkeypatch):
    """Buyers and the expiry sweep at once: released holds are resold, never double-counted."""
    event = EventFactory(capacity=20, price="10.00")
    stale = [
        services.booking_hold(user=user, event=event, quantity=1)
        for user in UserFactory.create_batch(10)
    ]
    Booking.objects.filter(pk__in=[b.pk for b in stale]).update(hold_expires_at=timezone.now())
    buyers = UserFactory.create_batch(BUYERS - 2)

    def work(i):
        if i >= len(buyers):
            return services.expire_overdue_holds()
        return services.booking_hold(user=buyers[i], event=event, quantity=1)

    results = run_at_once(BUYERS, work)

    winners = [r for r in results if isinstance(r, Booking)]
    assert len(winners) == 20
    assert Booking.objects.filter(pk__in=[b.pk for b in stale], status="expired").count() == 10
    assert assert_inventory_consistent(event.pk).tickets_held == 20


def test_simultaneous_check_ins_admit_a_ticket_once():
    event = EventFactory(capacity=10, price="0")
    booking = services.booking_hold(user=UserFactory(), event=event, quantity=2)

    results = run_at_once(
        20,
        lambda i: services.ticket_check_in(event=event, code=booking.reference, by=event.host),
    )

    outcomes = Counter(result.outcome for result in results)
    assert outcomes == {"valid": 1, "already_used": 19}
    booking.refresh_from_db()
    assert booking.checked_in_at is not None


def test_negative_control_without_the_lock_the_race_oversells(monkeypatch):
    """The same buyers with the event lock turned off. A barrier makes every buyer read the
    counters before any of them writes, so the race is certain rather than likely."""
    event = EventFactory(capacity=20, price="10.00")
    buyers = UserFactory.create_batch(BUYERS)
    monkeypatch.setattr(services, "LOCK_INVENTORY", False)
    everyone_has_read = threading.Barrier(BUYERS)
    widen_race_window(monkeypatch, lambda: everyone_has_read.wait(timeout=30))

    results = hold_for_everyone(event, buyers, quantity=1)

    winners = [r for r in results if isinstance(r, Booking)]
    held_by_bookings = Booking.objects.filter(event=event, status="pending").aggregate(
        total=Sum("quantity")
    )["total"]
    stored = Event.objects.get(pk=event.pk)
    assert len(winners) > event.capacity  # oversold
    assert held_by_bookings > event.capacity
    assert stored.tickets_held != held_by_bookings  # lost updates: the counter lies
