"""Stripe webhooks and reconciliation: verified, idempotent, safe out of order."""

from datetime import timedelta

import pytest
import stripe
from django.urls import reverse
from django.utils import timezone

from eventmate.bookings import services, tasks
from eventmate.bookings.models import Booking
from eventmate.payments.models import Refund, TestPayment
from eventmate.payments.providers.testmode import TestProvider
from tests.bookings.inventory import assert_inventory_consistent
from tests.bookings.steps import DELAYED_CARD, GOOD_CARD, make_overdue, pay
from tests.factories import EventFactory, UserFactory
from tests.payments.stripe_stub import signed, webhook_event

pytestmark = pytest.mark.django_db

WEBHOOK = reverse("bookings:stripe-webhook")


@pytest.fixture
def stripe_booking(stripe_stub, event, buyer):
    """A pending booking whose customer was sent to a Stripe Checkout Session."""
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    services.booking_checkout_start(
        booking=booking, success_url="https://x.test/ok", cancel_url="https://x.test/back"
    )
    booking.refresh_from_db()
    return booking


def post_webhook(client, payload, signature=None):
    body, good_signature = signed(payload)
    return client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature or good_signature,
    )


def completed(stripe_stub, booking, event_id="evt_completed"):
    session = stripe_stub.pay(booking.payment_reference)
    return webhook_event("checkout.session.completed", session, event_id)


def test_completed_checkout_confirms_the_booking(
    client, stripe_stub, stripe_booking, commit, mailoutbox
):
    with commit():
        response = post_webhook(client, completed(stripe_stub, stripe_booking))
    assert response.status_code == 200
    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.CONFIRMED
    assert stripe_booking.payment_provider == "stripe"
    assert len(mailoutbox) == 1
    assert assert_inventory_consistent(stripe_booking.event_id).tickets_sold == 2


def test_replayed_webhook_changes_nothing(client, stripe_stub, stripe_booking, commit, mailoutbox):
    payload = completed(stripe_stub, stripe_booking)
    with commit():
        post_webhook(client, payload)
        replay = post_webhook(client, payload)
        # The same outcome delivered as a different event is a no-op as well.
        post_webhook(client, {**payload, "id": "evt_other"})
    assert replay.status_code == 200
    assert len(mailoutbox) == 1
    assert not Refund.objects.exists()
    assert assert_inventory_consistent(stripe_booking.event_id).tickets_sold == 2


def test_expired_session_arriving_after_completion_changes_nothing(
    client, stripe_stub, stripe_booking
):
    post_webhook(client, completed(stripe_stub, stripe_booking))
    session = stripe_stub.sessions[stripe_booking.payment_reference]
    post_webhook(client, webhook_event("checkout.session.expired", session, "evt_expired"))
    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.CONFIRMED


def test_refund_webhook_before_completion_leaves_no_ticket_and_no_second_refund(
    client, stripe_stub, stripe_booking
):
    session = stripe_stub.pay(stripe_booking.payment_reference)
    charge = {
        "id": "ch_1",
        "object": "charge",
        "refunded": True,
        "amount_refunded": 5000,
        "currency": "usd",
        "payment_intent": session["payment_intent"],
    }
    post_webhook(client, webhook_event("charge.refunded", charge, "evt_refund"))
    post_webhook(client, webhook_event("checkout.session.completed", session, "evt_done"))

    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.CANCELLED
    assert stripe_stub.calls("post", "/v1/refunds") == []
    assert assert_inventory_consistent(stripe_booking.event_id).tickets_sold == 0


def test_bad_signature_is_rejected_with_400_and_changes_nothing(
    client, stripe_stub, stripe_booking
):
    response = post_webhook(client, completed(stripe_stub, stripe_booking), "t=1,v1=forged")
    assert response.status_code == 400
    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.PENDING


def test_signed_garbage_is_rejected_with_400(client, stripe_stub):
    body = b"not json"
    signature = stripe.WebhookSignature.generate_signature_header(
        body.decode(), "whsec_test_secret"
    )
    response = client.post(
        WEBHOOK, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 400


def test_webhook_is_not_found_when_stripe_is_not_configured(client, db):
    assert client.post(WEBHOOK, data=b"{}", content_type="application/json").status_code == 404


def test_webhook_only_accepts_post(client, stripe_stub):
    assert client.get(WEBHOOK).status_code == 405


def test_late_stripe_payment_with_tickets_gone_is_refunded_through_stripe(
    client, stripe_stub, stripe_booking, commit, mailoutbox
):
    make_overdue(stripe_booking)
    services.booking_hold(user=UserFactory(), event=stripe_booking.event, quantity=9)
    with commit():
        post_webhook(client, completed(stripe_stub, stripe_booking))

    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.REFUNDED
    [refund_call] = stripe_stub.calls("post", "/v1/refunds")
    assert refund_call["payment_intent"] == f"pi_{stripe_booking.payment_reference}"
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert "refunded" in mailoutbox[-1].subject.lower()


def test_cancelling_a_stripe_booking_refunds_through_stripe(
    client, stripe_stub, stripe_booking, commit
):
    post_webhook(client, completed(stripe_stub, stripe_booking))
    stripe_booking.refresh_from_db()
    with commit():
        services.booking_cancel(booking=stripe_booking, user=stripe_booking.user)
    [refund_call] = stripe_stub.calls("post", "/v1/refunds")
    assert refund_call["payment_intent"] == f"pi_{stripe_booking.payment_reference}"
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED


# ------------------------------------------------------------------------------------------
# Reconciliation
# ------------------------------------------------------------------------------------------


def test_reconciliation_confirms_a_booking_whose_webhook_was_lost(stripe_stub, stripe_booking):
    stripe_stub.pay(stripe_booking.payment_reference)
    Booking.objects.filter(pk=stripe_booking.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    assert tasks.payments_reconcile() == 1
    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.CONFIRMED


def test_reconciliation_leaves_recent_payments_to_their_webhook(stripe_stub, stripe_booking):
    stripe_stub.pay(stripe_booking.payment_reference)
    assert tasks.payments_reconcile() == 0
    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.PENDING


def test_reconciliation_finds_a_payment_taken_after_the_hold_expired(stripe_stub, stripe_booking):
    make_overdue(stripe_booking)
    services.expire_overdue_holds()
    stripe_stub.pay(stripe_booking.payment_reference)

    tasks.payments_reconcile()

    stripe_booking.refresh_from_db()
    assert stripe_booking.status == Booking.Status.CONFIRMED  # tickets were still free
    assert_inventory_consistent(stripe_booking.event_id)


def test_delayed_test_card_payment_is_confirmed_by_reconciliation(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    pay(booking, DELAYED_CARD)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    TestPayment.objects.update(settles_at=timezone.now())
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    tasks.payments_reconcile()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


# A card charged, then the app died before recording it (found by `make chaos`) ---------------
def charge_without_recording(booking, card=GOOD_CARD, *, minutes_ago=5):
    payment = TestProvider().charge(
        order_reference=booking.reference,
        amount=booking.total,
        currency=booking.currency,
        card_number=card,
    )
    TestPayment.objects.filter(reference=payment.reference).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return payment


def test_reconciliation_confirms_a_booking_whose_card_payment_was_never_recorded(event, buyer):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    payment = charge_without_recording(booking)

    services.payments_reconcile()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.payment_reference == payment.reference
    assert_inventory_consistent(event.pk)
    # Once recorded, a second pass leaves it alone.
    assert services.payments_reconcile() == 0


def test_an_unrecorded_payment_for_a_hold_that_ran_out_is_refunded_when_nothing_is_left(
    buyer, commit
):
    event = EventFactory(capacity=1)
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    payment = charge_without_recording(booking)
    make_overdue(booking)
    services.expire_overdue_holds()
    services.booking_hold(user=UserFactory(), event=event, quantity=1)  # the last ticket

    with commit():
        services.payments_reconcile()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUNDED
    assert TestPayment.objects.get(reference=payment.reference).status == "refunded"
    assert_inventory_consistent(event.pk)


def test_reconciliation_leaves_a_payment_being_recorded_right_now(event, buyer, settings):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    charge_without_recording(booking, minutes_ago=0)

    assert services.payments_reconcile() == 0

    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
