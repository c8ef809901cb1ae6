"""Stripe, through the official library: one Checkout Session per booking, verified webhooks,
full refunds. The session id is the payment reference stored on the booking."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.utils import timezone

from .base import (
    Checkout,
    PaymentError,
    PaymentEvent,
    PaymentKind,
    PaymentProvider,
    WebhookSignatureError,
)

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA"}
    | {"PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# Stripe accepts a session expiry between 30 minutes and 24 hours from now.
SESSION_MIN_LIFETIME = timedelta(minutes=31)

# Tests replace this with a stub (a stripe.HTTPClient) so that nothing reaches the network.
http_client: stripe.HTTPClient | None = None


def to_minor_units(amount: Decimal, currency: str) -> int:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return int(amount)
    return int((amount * 100).to_integral_value())


def from_minor_units(amount: int | None, currency: str) -> Decimal | None:
    if amount is None:
        return None
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount)
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


class StripeProvider(PaymentProvider):
    name = "stripe"
    has_card_form = False

    def __init__(self):
        if not settings.STRIPE_SECRET_KEY:
            raise PaymentError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY, http_client=http_client, max_network_retries=2
        )

    def create_checkout(
        self,
        *,
        order_reference,
        amount,
        currency,
        description,
        customer_email,
        success_url,
        cancel_url,
        expires_at: datetime | None = None,
    ) -> Checkout:
        earliest = timezone.now() + SESSION_MIN_LIFETIME
        expires_at = max(expires_at or earliest, earliest)
        params = {
            "mode": "payment",
            "client_reference_id": order_reference,
            "metadata": {"order_reference": order_reference},
            "payment_intent_data": {"metadata": {"order_reference": order_reference}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": to_minor_units(amount, currency),
                        "product_data": {"name": description[:250]},
                    },
                }
            ],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
        }
        if customer_email:
            params["customer_email"] = customer_email
        try:
            session = self.client.v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            raise PaymentError(f"Stripe checkout failed: {error.user_message or error}") from error
        return Checkout(reference=session.id, redirect_url=session.url)

    def parse_webhook(self, *, payload: bytes, headers) -> PaymentEvent | None:
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"),
                headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET,
                stripe.Webhook.DEFAULT_TOLERANCE,
            )
            event = json.loads(payload)
            event_type = event["type"]
            data = event["data"]["object"]
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
            raise WebhookSignatureError(str(error)) from error
        except (KeyError, TypeError) as error:
            raise WebhookSignatureError("Not a Stripe event.") from error
        kind = {
            "checkout.session.completed": (
                PaymentKind.PAID
                if data.get("payment_status") in ("paid", "no_payment_required")
                else PaymentKind.PROCESSING
            ),
            "checkout.session.async_payment_succeeded": PaymentKind.PAID,
            "checkout.session.async_payment_failed": PaymentKind.FAILED,
            "checkout.session.expired": PaymentKind.EXPIRED,
        }.get(event_type)
        if kind is not None:
            return self._session_event(data, kind, event_id=event.get("id", ""))
        if event_type == "charge.refunded" and data.get("refunded"):
            session = self._session_for_payment_intent(data.get("payment_intent"))
            if session is None:
                return None
            return PaymentEvent(
                reference=session["id"],
                kind=PaymentKind.REFUNDED,
                amount=from_minor_units(data.get("amount_refunded"), data.get("currency", "")),
                order_reference=session.get("client_reference_id") or "",
                event_id=event.get("id", ""),
            )
        return None

    def fetch_status(self, *, reference: str) -> PaymentEvent:
        try:
            session = self.client.v1.checkout.sessions.retrieve(reference)
        except stripe.StripeError as error:
            raise PaymentError(f"Stripe lookup failed: {error}") from error
        if session.status == "complete" and session.payment_status in (
            "paid",
            "no_payment_required",
        ):
            kind = PaymentKind.PAID
        elif session.status == "expired":
            kind = PaymentKind.EXPIRED
        else:
            kind = PaymentKind.PROCESSING
        return self._session_event(session, kind)

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> str:
        try:
            session = self.client.v1.checkout.sessions.retrieve(reference)
            payment_intent = session.payment_intent
            if not payment_intent:
                raise PaymentError(f"Checkout Session {reference} has no payment to refund.")
            if not isinstance(payment_intent, str):
                payment_intent = payment_intent.id
            refund = self.client.v1.refunds.create(
                params={"payment_intent": payment_intent, "reason": "requested_by_customer"},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            if error.code == "charge_already_refunded":
                return "already-refunded"
            raise PaymentError(f"Stripe refund failed: {error}") from error
        except stripe.StripeError as error:
            raise PaymentError(f"Stripe refund failed: {error}") from error
        return refund.id

    def _session_for_payment_intent(self, payment_intent: str | None):
        if not payment_intent:
            return None
        try:
            sessions = self.client.v1.checkout.sessions.list(
                params={"payment_intent": payment_intent, "limit": 1}
            )
        except stripe.StripeError as error:
            # Unanswered, the webhook is retried by Stripe later.
            raise PaymentError(f"Stripe lookup failed: {error}") from error
        return sessions.data[0].to_dict() if sessions.data else None

    @staticmethod
    def _session_event(session, kind: PaymentKind, event_id: str = "") -> PaymentEvent:
        if isinstance(session, stripe.StripeObject):
            session = session.to_dict()
        return PaymentEvent(
            reference=session["id"],
            kind=kind,
            amount=from_minor_units(session.get("amount_total"), session.get("currency") or ""),
            order_reference=session.get("client_reference_id") or "",
            event_id=event_id,
        )
