"""Inventory services: hold, confirm, cancel, expire, refund, and the counters behind them."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from eventmate.bookings import services
from eventmate.bookings.exceptions import (
    CancellationNotAllowed,
    EventNotBookable,
    HoldExpired,
    HoldLimitReached,
    InvalidAttendanceDate,
    InvalidQuantity,
    NotAllowed,
    NotEnoughTickets,
    SoldOut,
)
from eventmate.bookings.models import Booking
from eventmate.payments.models import Refund, TestPayment
from eventmate.payments.providers import PaymentKind
from eventmate.payments.providers.testmode import TestProvider
from tests.bookings.inventory import assert_inventory_consistent
from tests.bookings.steps import DECLINED_CARD, make_overdue, pay
from tests.factories import CityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------
# Holding
# ------------------------------------------------------------------------------------------


def test_hold_creates_pending_booking_and_counts_tickets_as_held(event, buyer, settings):
    before = timezone.now()
    booking = services.booking_hold(user=buyer, event=event, quantity=3)

    assert booking.status == Booking.Status.PENDING
    assert booking.total == Decimal("75.00")
    assert booking.hold_expires_at >= before + timedelta(minutes=settings.BOOKING_HOLD_MINUTES)
    event = assert_inventory_consistent(event.pk)
    assert (event.tickets_held, event.tickets_sold) == (3, 0)


@pytest.mark.parametrize("quantity", [0, -1, 11, "abc", None, "2.5"])
def test_hold_rejects_quantities_outside_one_to_the_order_maximum(event, buyer, quantity):
    with pytest.raises(InvalidQuantity):
        services.booking_hold(user=buyer, event=event, quantity=quantity)
    assert not Booking.objects.exists()


def test_hold_raises_sold_out_when_nothing_is_left(event, buyer):
    services.booking_hold(user=UserFactory(), event=event, quantity=10)
    with pytest.raises(SoldOut):
        services.booking_hold(user=buyer, event=event, quantity=1)


def test_hold_says_how_many_are_left_when_too_few(event, buyer):
    services.booking_hold(user=UserFactory(), event=event, quantity=8)
    with pytest.raises(NotEnoughTickets) as raised:
        services.booking_hold(user=buyer, event=event, quantity=3)
    assert raised.value.left == 2
    assert "Only 2 tickets left" in raised.value.message


def test_one_account_cannot_hold_more_than_the_per_user_limit(buyer, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 4
    event = EventFactory(capacity=100)
    services.booking_hold(user=buyer, event=event, quantity=3)
    with pytest.raises(HoldLimitReached):
        services.booking_hold(user=buyer, event=event, quantity=2)
    services.booking_hold(user=UserFactory(), event=event, quantity=2)  # others still can


def test_paid_tickets_do_not_count_against_the_hold_limit(buyer, settings):
    settings.BOOKING_MAX_HELD_PER_USER = 4
    event = EventFactory(capacity=100)
    booking = services.booking_hold(user=buyer, event=event, quantity=4)
    pay(booking)
    assert services.booking_hold(user=buyer, event=event, quantity=4).status == "pending"


@pytest.mark.parametrize(
    "changes",
    [
        {"is_published": False},
        {"is_cancelled": True},
        {"starts_at": timezone.now() - timedelta(hours=1)},
    ],
    ids=["unpublished", "cancelled", "started"],
)
def test_hold_refuses_events_not_open_for_booking(buyer, changes):
    starts = changes.get("starts_at", timezone.now() + timedelta(days=3))
    event = EventFactory(**{**changes, "starts_at": starts, "ends_at": starts + timedelta(hours=2)})
    with pytest.raises(EventNotBookable):
        services.booking_hold(user=buyer, event=event, quantity=1)


def _festival(**kwargs):
    zone = ZoneInfo("Europe/Paris")
    city = CityFactory(timezone="Europe/Paris")
    starts = datetime(2099, 7, 10, 12, 0, tzinfo=zone)
    return EventFactory(city=city, starts_at=starts, ends_at=starts + timedelta(days=2), **kwargs)


def test_multi_day_event_needs_a_day_within_the_event(buyer):
    festival = _festival()
    with pytest.raises(InvalidAttendanceDate):
        services.booking_hold(user=buyer, event=festival, quantity=1)
    with pytest.raises(InvalidAttendanceDate):
        services.booking_hold(
            user=buyer, event=festival, quantity=1, attendance_date=date(2099, 7, 13)
        )
    booking = services.booking_hold(
        user=buyer, event=festival, quantity=1, attendance_date=date(2099, 7, 12)
    )
    assert booking.attendance_date == date(2099, 7, 12)


def test_evening_running_past_midnight_is_a_one_day_event(buyer):
    zone = ZoneInfo("America/New_York")
    starts = datetime(2099, 3, 1, 21, 0, tzinfo=zone)
    event = EventFactory(
        city=CityFactory(timezone="America/New_York"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=5),
    )
    assert services.attendance_dates(event) == []
    booking = services.booking_hold(
        user=buyer, event=event, quantity=1, attendance_date=date(2099, 3, 2)
    )
    assert booking.attendance_date is None


def test_free_event_confirms_without_payment_and_emails_the_ticket(buyer, commit, mailoutbox):
    event = EventFactory(price=0, capacity=5)
    with commit():
        booking = services.booking_hold(user=buyer, event=event, quantity=2)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment_reference is None
    event = assert_inventory_consistent(event.pk)
    assert event.tickets_sold == 2
    assert [m.subject for m in mailoutbox] == [f"Your tickets for {event.title}"]


# ------------------------------------------------------------------------------------------
# Expiry
# ------------------------------------------------------------------------------------------


def test_expired_hold_frees_its_tickets_for_the_next_buyer_without_any_job(event, buyer):
    first = services.booking_hold(user=UserFactory(), event=event, quantity=10)
    make_overdue(first)

    booking = services.booking_hold(user=buyer, event=event, quantity=10)

    first.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED
    assert booking.status == Booking.Status.PENDING
    assert_inventory_consistent(event.pk)


def test_expire_overdue_holds_marks_them_expired_and_emails_owners(event, commit, mailoutbox):
    overdue = services.booking_hold(user=UserFactory(), event=event, quantity=2)
    running = services.booking_hold(user=UserFactory(), event=event, quantity=3)
    make_overdue(overdue)

    with commit():
        assert services.expire_overdue_holds() == 1

    overdue.refresh_from_db()
    running.refresh_from_db()
    assert (overdue.status, running.status) == ("expired", "pending")
    assert assert_inventory_consistent(event.pk).tickets_held == 3
    assert [m.to for m in mailoutbox] == [[overdue.user.email]]
    assert "expired" in mailoutbox[0].subject


def test_expiring_twice_changes_nothing_the_second_time(event, buyer):
    booking = make_overdue(services.booking_hold(user=buyer, event=event, quantity=2))
    assert services.booking_expire(booking=booking) is True
    assert services.booking_expire(booking=booking) is False
    assert services.expire_overdue_holds() == 0
    assert assert_inventory_consistent(event.pk).tickets_held == 0


# ------------------------------------------------------------------------------------------
# Confirming
# ------------------------------------------------------------------------------------------


def test_confirm_turns_held_tickets_into_sold_ones(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    booking = services.booking_confirm(booking=booking, payment_reference="pay_1")
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.confirmed_at is not None
    event = assert_inventory_consistent(event.pk)
    assert (event.tickets_sold, event.tickets_held) == (2, 0)


def test_confirming_twice_with_the_same_payment_changes_nothing(event, buyer, commit, mailoutbox):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    with commit():
        services.booking_confirm(booking=booking, payment_reference="pay_1")
        services.booking_confirm(booking=booking, payment_reference="pay_1")
    assert assert_inventory_consistent(event.pk).tickets_sold == 2
    assert len(mailoutbox) == 1
    assert not Refund.objects.exists()


def test_a_second_payment_for_a_confirmed_booking_is_refunded(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    pay(booking)
    extra = TestProvider().charge(
        order_reference=booking.reference,
        amount=booking.total,
        currency="USD",
        card_number="4242424242424242",
    )
    services.booking_confirm(booking=booking, payment_reference=extra.reference)

    booking.refresh_from_db()
    assert booking.payment_reference != extra.reference
    assert Refund.objects.get().payment_reference == extra.reference
    assert assert_inventory_consistent(event.pk).tickets_sold == 2


def test_late_payment_is_accepted_when_the_tickets_are_still_free(event, buyer, commit):
    booking = make_overdue(services.booking_hold(user=buyer, event=event, quantity=2))
    services.expire_overdue_holds()

    with commit():
        booking = services.booking_confirm(booking=booking, payment_reference="pay_late")

    assert booking.status == Booking.Status.CONFIRMED
    assert assert_inventory_consistent(event.pk).tickets_sold == 2
    assert not Refund.objects.exists()


def test_late_payment_for_an_overdue_hold_not_yet_swept_is_accepted(event, buyer):
    booking = make_overdue(services.booking_hold(user=buyer, event=event, quantity=2))
    booking = services.booking_confirm(booking=booking, payment_reference="pay_late")
    assert booking.status == Booking.Status.CONFIRMED
    event = assert_inventory_consistent(event.pk)
    assert (event.tickets_sold, event.tickets_held) == (2, 0)


def test_late_payment_is_refunded_when_the_tickets_were_sold_meanwhile(
    event, buyer, commit, mailoutbox
):
    booking = make_overdue(services.booking_hold(user=buyer, event=event, quantity=3))
    services.booking_hold(user=UserFactory(), event=event, quantity=9)  # takes the rest
    payment = TestPayment.objects.create(
        reference="test_late",
        order_reference=booking.reference,
        amount=booking.total,
        currency="USD",
        status=TestPayment.Status.SUCCEEDED,
        card_last4="4242",
    )

    with commit():
        booking = services.booking_confirm(booking=booking, payment_reference=payment.reference)

    assert booking.status == Booking.Status.REFUNDED
    refund = Refund.objects.get()
    assert (refund.payment_reference, refund.status) == ("test_late", Refund.Status.SUCCEEDED)
    payment.refresh_from_db()
    assert payment.status == TestPayment.Status.REFUNDED
    event = assert_inventory_consistent(event.pk)
    assert (event.tickets_sold, event.tickets_held) == (0, 9)
    assert [m.subject for m in mailoutbox] == [f"Payment refunded: {event.title}"]


def test_payment_for_a_cancelled_hold_is_refunded(event, buyer, commit, mailoutbox):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    services.booking_cancel(booking=booking, user=buyer)
    with commit():
        booking = services.booking_confirm(booking=booking, payment_reference="pay_after")
        services.booking_confirm(booking=booking, payment_reference="pay_after")
    assert booking.status == Booking.Status.CANCELLED
    assert Refund.objects.get().payment_reference == "pay_after"
    assert len(mailoutbox) == 1
    assert assert_inventory_consistent(event.pk).tickets_sold == 0


def test_payment_of_the_wrong_amount_does_not_confirm_and_is_refunded(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    booking = services.booking_confirm(
        booking=booking, payment_reference="pay_cheap", amount=Decimal("1.00")
    )
    assert booking.status == Booking.Status.PENDING
    assert Refund.objects.get().amount == Decimal("1.00")
    assert assert_inventory_consistent(event.pk).tickets_sold == 0


# ------------------------------------------------------------------------------------------
# Paying on the checkout page (test provider)
# ------------------------------------------------------------------------------------------


def test_paying_with_a_good_test_card_confirms(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    result = pay(booking)
    booking.refresh_from_db()
    assert result.kind == PaymentKind.PAID
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment_reference == result.reference
    assert TestPayment.objects.get().card_last4 == "4242"


def test_declined_card_keeps_the_hold_and_says_why(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    result = pay(booking, DECLINED_CARD)
    booking.refresh_from_db()
    assert result.kind == PaymentKind.FAILED
    assert result.message == "Your card was declined."
    assert booking.status == Booking.Status.PENDING
    assert not TestPayment.objects.exists()
    assert pay(booking).kind == PaymentKind.PAID  # retry while the hold lasts


def test_card_is_not_charged_once_the_hold_is_known_to_be_over(event, buyer):
    booking = make_overdue(services.booking_hold(user=buyer, event=event, quantity=2))
    with pytest.raises(HoldExpired):
        pay(booking)
    assert not TestPayment.objects.exists()


# ------------------------------------------------------------------------------------------
# Cancelling and refunding
# ------------------------------------------------------------------------------------------


def test_cancelling_a_hold_releases_it_without_refund(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=4)
    booking = services.booking_cancel(booking=booking, user=buyer)
    assert booking.status == Booking.Status.CANCELLED
    assert assert_inventory_consistent(event.pk).tickets_held == 0
    assert not Refund.objects.exists()


def test_cancelling_a_paid_booking_before_the_cutoff_refunds_it(event, buyer, commit, mailoutbox):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    pay(booking)
    with commit():
        booking = services.booking_cancel(booking=booking, user=buyer)

    assert booking.status == Booking.Status.REFUNDED
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (Decimal("50.00"), Refund.Status.SUCCEEDED)
    assert TestPayment.objects.get().status == TestPayment.Status.REFUNDED
    assert assert_inventory_consistent(event.pk).tickets_sold == 0
    assert mailoutbox[-1].subject == f"Booking cancelled: {event.title}"


def test_cancelling_is_refused_after_the_free_cancellation_cutoff(buyer):
    starts = timezone.now() + timedelta(hours=10)
    event = EventFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=2), free_cancellation_hours=24
    )
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    pay(booking)
    with pytest.raises(CancellationNotAllowed) as raised:
        services.booking_cancel(booking=booking, user=buyer)
    assert "Free cancellation for this event ended" in raised.value.message
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert not Refund.objects.exists()


def test_only_the_owner_can_cancel(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    with pytest.raises(NotAllowed):
        services.booking_cancel(booking=booking, user=UserFactory())
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_cancelling_a_cancelled_booking_changes_nothing(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    pay(booking)
    services.booking_cancel(booking=booking, user=buyer)
    services.booking_cancel(booking=booking, user=buyer)
    assert Refund.objects.count() == 1
    assert assert_inventory_consistent(event.pk).tickets_sold == 0


def test_checked_in_ticket_cannot_be_cancelled(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    pay(booking)
    Booking.objects.filter(pk=booking.pk).update(checked_in_at=timezone.now())
    with pytest.raises(CancellationNotAllowed):
        services.booking_cancel(booking=booking, user=buyer)


def test_refund_reported_by_the_provider_releases_tickets_without_refunding_again(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    pay(booking)
    booking.refresh_from_db()
    services.booking_refund_recorded(booking=booking, payment_reference=booking.payment_reference)
    services.booking_refund_recorded(booking=booking, payment_reference=booking.payment_reference)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert TestPayment.objects.get().status == TestPayment.Status.SUCCEEDED  # not refunded by us
    assert assert_inventory_consistent(event.pk).tickets_sold == 0


# ------------------------------------------------------------------------------------------
# Cancelling a whole event; deleting an account
# ------------------------------------------------------------------------------------------


def test_host_cancelling_an_event_cancels_refunds_and_emails_everyone(event, commit, mailoutbox):
    paid = services.booking_hold(user=UserFactory(), event=event, quantity=2)
    pay(paid)
    held = services.booking_hold(user=UserFactory(), event=event, quantity=1)

    with commit():
        assert services.event_cancel(event=event, by=event.host) == 2

    paid.refresh_from_db()
    held.refresh_from_db()
    assert (paid.status, held.status) == ("refunded", "cancelled")
    assert Refund.objects.get().payment_reference == paid.payment_reference
    event = assert_inventory_consistent(event.pk)
    assert event.is_cancelled
    assert (event.tickets_sold, event.tickets_held) == (0, 0)
    assert sorted(m.to[0] for m in mailoutbox if "cancelled" in m.subject) == sorted(
        [paid.user.email, held.user.email]
    )
    with pytest.raises(EventNotBookable):
        services.booking_hold(user=UserFactory(), event=event, quantity=1)


def test_only_the_host_can_cancel_an_event(event):
    with pytest.raises(NotAllowed):
        services.event_cancel(event=event, by=UserFactory())
    event.refresh_from_db()
    assert not event.is_cancelled


def test_account_deletion_cancels_upcoming_bookings_and_keeps_past_ones(buyer):
    upcoming = EventFactory(capacity=10)
    other = EventFactory(capacity=10)
    paid = services.booking_hold(user=buyer, event=upcoming, quantity=2)
    pay(paid)
    held = services.booking_hold(user=buyer, event=other, quantity=3)
    past_start = timezone.now() - timedelta(days=5)
    past_event = EventFactory(starts_at=past_start, ends_at=past_start + timedelta(hours=2))
    past = Booking.objects.create(
        user=buyer,
        event=past_event,
        quantity=1,
        unit_price=past_event.price,
        total=past_event.price,
        currency="USD",
        status=Booking.Status.CONFIRMED,
    )
    stranger = services.booking_hold(user=UserFactory(), event=upcoming, quantity=1)

    assert services.bookings_cancel_for_user(user=buyer) == 2

    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[paid.pk] == Booking.Status.REFUNDED
    assert statuses[held.pk] == Booking.Status.CANCELLED
    assert statuses[past.pk] == Booking.Status.CONFIRMED
    assert statuses[stranger.pk] == Booking.Status.PENDING
    assert (
        Refund.objects.get().payment_reference == Booking.objects.get(pk=paid.pk).payment_reference
    )
    assert_inventory_consistent(upcoming.pk)
    assert_inventory_consistent(other.pk)


def test_account_deletion_ignores_the_free_cancellation_cutoff(buyer):
    starts = timezone.now() + timedelta(hours=2)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    pay(booking)
    assert services.bookings_cancel_for_user(user=buyer) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
