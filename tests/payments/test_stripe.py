"""The Stripe provider, through the official library talking to a stub of Stripe's API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from eventmate.payments.providers import PaymentError, PaymentKind, WebhookSignatureError
from eventmate.payments.providers.stripe_checkout import StripeProvider, to_minor_units
from tests.payments.stripe_stub import signed, webhook_event


def _checkout(provider, **overrides):
    arguments = {
        "order_reference": "ABCDEFGHJKMN",
        "amount": Decimal("50.00"),
        "currency": "USD",
        "description": "2 × Jazz night",
        "customer_email": "ann@example.com",
        "success_url": "https://events.example.com/booking/ABCDEFGHJKMN/payment/",
        "cancel_url": "https://events.example.com/booking/ABCDEFGHJKMN/checkout/",
        "expires_at": timezone.now() + timedelta(minutes=15),
    }
    return provider.create_checkout(**{**arguments, **overrides})


def _headers(signature):
    return RequestFactory().post("/", HTTP_STRIPE_SIGNATURE=signature).headers


def test_checkout_creates_one_session_for_the_order_in_minor_units(stripe_stub):
    checkout = _checkout(StripeProvider())

    [params] = stripe_stub.calls("post", "/v1/checkout/sessions")
    assert checkout.reference.startswith("cs_test_")
    assert checkout.redirect_url == stripe_stub.sessions[checkout.reference]["url"]
    assert params["line_items[0][price_data][unit_amount]"] == "5000"
    assert params["line_items[0][price_data][currency]"] == "usd"
    assert params["client_reference_id"] == "ABCDEFGHJKMN"
    assert params["customer_email"] == "ann@example.com"


def test_checkout_session_lives_at_least_the_thirty_minutes_stripe_requires(stripe_stub):
    checkout = _checkout(StripeProvider(), expires_at=timezone.now() + timedelta(minutes=5))
    expires_at = stripe_stub.sessions[checkout.reference]["expires_at"]
    assert expires_at >= (timezone.now() + timedelta(minutes=30)).timestamp()


def test_zero_decimal_currencies_are_sent_in_whole_units():
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert to_minor_units(Decimal("12.34"), "EUR") == 1234


def test_signed_completed_webhook_parses_to_a_paid_event(stripe_stub):
    provider = StripeProvider()
    checkout = _checkout(provider)
    session = stripe_stub.pay(checkout.reference)
    body, signature = signed(webhook_event("checkout.session.completed", session, "evt_1"))

    event = provider.parse_webhook(payload=body, headers=_headers(signature))

    assert (event.reference, event.kind) == (checkout.reference, PaymentKind.PAID)
    assert (event.amount, event.order_reference, event.event_id) == (
        Decimal("50.00"),
        "ABCDEFGHJKMN",
        "evt_1",
    )


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=deadbeef", "garbage"],
    ids=["missing", "wrong", "malformed"],
)
def test_webhook_with_a_bad_signature_is_rejected(stripe_stub, signature):
    body, _ = signed(webhook_event("checkout.session.completed", {"id": "cs_x"}))
    with pytest.raises(WebhookSignatureError):
        StripeProvider().parse_webhook(payload=body, headers=_headers(signature))


def test_webhook_signed_with_another_secret_is_rejected(stripe_stub):
    body, signature = signed(webhook_event("checkout.session.completed", {"id": "cs_x"}), "whsec_x")
    with pytest.raises(WebhookSignatureError):
        StripeProvider().parse_webhook(payload=body, headers=_headers(signature))


def test_irrelevant_webhook_types_are_ignored(stripe_stub):
    body, signature = signed(webhook_event("customer.created", {"id": "cus_1"}))
    assert StripeProvider().parse_webhook(payload=body, headers=_headers(signature)) is None


def test_full_refund_webhook_is_matched_to_its_session(stripe_stub):
    provider = StripeProvider()
    checkout = _checkout(provider)
    stripe_stub.pay(checkout.reference)
    charge = {
        "id": "ch_1",
        "object": "charge",
        "refunded": True,
        "amount_refunded": 5000,
        "currency": "usd",
        "payment_intent": f"pi_{checkout.reference}",
    }
    body, signature = signed(webhook_event("charge.refunded", charge))

    event = provider.parse_webhook(payload=body, headers=_headers(signature))

    assert (event.reference, event.kind, event.amount) == (
        checkout.reference,
        PaymentKind.REFUNDED,
        Decimal("50.00"),
    )


def test_fetch_status_reports_what_stripe_knows(stripe_stub):
    provider = StripeProvider()
    paid = _checkout(provider).reference
    expired = _checkout(provider).reference
    still_open = _checkout(provider).reference
    stripe_stub.pay(paid)
    stripe_stub.expire(expired)

    assert provider.fetch_status(reference=paid).kind == PaymentKind.PAID
    assert provider.fetch_status(reference=expired).kind == PaymentKind.EXPIRED
    assert provider.fetch_status(reference=still_open).kind == PaymentKind.PROCESSING
    with pytest.raises(PaymentError):
        provider.fetch_status(reference="cs_unknown")


def test_refund_goes_to_the_payment_intent_with_an_idempotency_key(stripe_stub):
    provider = StripeProvider()
    checkout = _checkout(provider)
    stripe_stub.pay(checkout.reference)

    refund_id = provider.refund(
        reference=checkout.reference,
        amount=Decimal("50.00"),
        currency="USD",
        idempotency_key="eventmate-refund-7",
    )

    assert refund_id.startswith("re_")
    [params] = stripe_stub.calls("post", "/v1/refunds")
    assert params["payment_intent"] == f"pi_{checkout.reference}"
    [(_, _, _, headers)] = [r for r in stripe_stub.requests if r[1] == "/v1/refunds"]
    assert headers["Idempotency-Key"] == "eventmate-refund-7"


def test_refunding_an_already_refunded_payment_is_not_an_error(stripe_stub):
    provider = StripeProvider()
    checkout = _checkout(provider)
    stripe_stub.pay(checkout.reference)
    stripe_stub.refunded_intents.add(f"pi_{checkout.reference}")
    assert (
        provider.refund(
            reference=checkout.reference,
            amount=Decimal("50.00"),
            currency="USD",
            idempotency_key="k",
        )
        == "already-refunded"
    )


def test_refunding_an_unpaid_session_fails_cleanly(stripe_stub):
    checkout = _checkout(StripeProvider())
    with pytest.raises(PaymentError):
        StripeProvider().refund(
            reference=checkout.reference,
            amount=Decimal("50.00"),
            currency="USD",
            idempotency_key="k",
        )
