"""Property-based: any sequence of hold / pay / confirm / cancel / expire / refund keeps the
stored counters equal to what the bookings say, and within capacity, after every step."""

import contextlib

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from eventmate.bookings import services
from eventmate.bookings.exceptions import BookingError
from eventmate.bookings.models import Booking
from tests.bookings.inventory import assert_inventory_consistent
from tests.bookings.steps import make_overdue
from tests.factories import EventFactory, UserFactory


class BookingLifecycle(RuleBasedStateMachine):
    bookings = Bundle("bookings")

    def __init__(self):
        super().__init__()
        self.event = EventFactory(capacity=6, price="12.50")
        self.users = UserFactory.create_batch(3)
        self.payments = 0

    def _payment_reference(self) -> str:
        self.payments += 1
        return f"pay_{self.event.pk}_{self.payments}"

    @rule(target=bookings, user=st.integers(0, 2), quantity=st.integers(1, 4))
    def hold(self, user, quantity):
        try:
            return services.booking_hold(user=self.users[user], event=self.event, quantity=quantity)
        except BookingError:
            return None

    @rule(booking=bookings)
    def confirm(self, booking):
        if booking is not None:
            services.booking_confirm(booking=booking, payment_reference=self._payment_reference())

    @rule(booking=bookings)
    def confirm_same_payment_again(self, booking):
        if booking is not None:
            booking.refresh_from_db()
            if booking.payment_reference:
                services.booking_confirm(
                    booking=booking, payment_reference=booking.payment_reference
                )

    @rule(booking=bookings)
    def let_hold_run_out(self, booking):
        if booking is not None and booking.status == Booking.Status.PENDING:
            make_overdue(booking)

    @rule()
    def expire_sweep(self):
        services.expire_overdue_holds()

    @rule(booking=bookings)
    def expire_one(self, booking):
        if booking is not None:
            services.booking_expire(booking=booking)

    @rule(booking=consumes(bookings))
    def cancel(self, booking):
        if booking is not None:
            with contextlib.suppress(BookingError):
                services.booking_cancel(booking=booking, user=booking.user)

    @rule(booking=bookings)
    def refunded_at_provider(self, booking):
        if booking is not None:
            booking.refresh_from_db()
            if booking.payment_reference:
                services.booking_refund_recorded(
                    booking=booking, payment_reference=booking.payment_reference
                )

    @rule(user=st.integers(0, 2))
    def delete_account(self, user):
        services.bookings_cancel_for_user(user=self.users[user])

    @invariant()
    def counters_match_bookings(self):
        assert_inventory_consistent(self.event.pk)


@pytest.mark.django_db
def test_counters_always_match_bookings():
    run_state_machine_as_test(
        BookingLifecycle,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
