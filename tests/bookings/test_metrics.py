"""Business metrics count what committed: holds, confirmations, expiries and refunds."""

import pytest

from eventmate.bookings import services
from eventmate.core import metrics
from tests.bookings.steps import make_overdue, pay

pytestmark = pytest.mark.django_db


def _value(counter) -> float:
    return counter._value.get()


def test_hold_confirm_expire_and_refund_are_counted_after_commit(event, buyer, commit):
    counters = (
        metrics.BOOKING_HOLDS,
        metrics.BOOKING_CONFIRMATIONS,
        metrics.BOOKING_EXPIRIES,
        metrics.BOOKING_REFUNDS,
    )
    before = [_value(counter) for counter in counters]
    with commit():
        paid = services.booking_hold(user=buyer, event=event, quantity=2)
        pay(paid)
        services.booking_cancel(booking=paid, user=buyer)
        lapsed = services.booking_hold(user=buyer, event=event, quantity=1)
        make_overdue(lapsed)
        services.booking_expire(booking=lapsed)
    after = [_value(counter) for counter in counters]
    assert [a - b for a, b in zip(after, before, strict=True)] == [2, 1, 1, 1]


def test_rolled_back_hold_is_not_counted(event, buyer):
    before = _value(metrics.BOOKING_HOLDS)
    # Without running the on-commit callbacks (the test's transaction never commits).
    services.booking_hold(user=buyer, event=event, quantity=1)
    assert _value(metrics.BOOKING_HOLDS) == before
