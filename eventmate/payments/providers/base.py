"""The provider interface. Providers know nothing of bookings: they take money for an order
reference, tell what happened to a payment as plain data, and give money back."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class PaymentKind(enum.StrEnum):
    PAID = "paid"
    PROCESSING = "processing"  # accepted, but the money has not settled yet
    FAILED = "failed"
    EXPIRED = "expired"  # the checkout was abandoned; no money was taken
    REFUNDED = "refunded"


@dataclass(frozen=True)
class PaymentEvent:
    """What a provider says happened to one payment.

    `reference` is the provider's id of the payment (stored as Booking.payment_reference),
    `amount` what was paid or refunded (None when the provider did not say).
    `order_reference` is our own id passed to the provider at checkout, so a payment can be
    matched even if its reference was never stored. `event_id` identifies a webhook delivery
    (for de-duplication); `message` is a reason a person can read (e.g. why a card failed).
    """

    reference: str
    kind: PaymentKind
    amount: Decimal | None = None
    order_reference: str = ""
    event_id: str = ""
    message: str = ""


@dataclass(frozen=True)
class Checkout:
    """A hosted checkout the customer is sent to (e.g. a Stripe Checkout Session)."""

    reference: str
    redirect_url: str


class PaymentError(Exception):
    """The provider could not be reached or refused a request; safe to retry later."""


class WebhookSignatureError(Exception):
    """A webhook payload was not signed by the provider (or is malformed)."""


class PaymentProvider:
    name: str = ""
    #: True when the customer enters card details on our own checkout page.
    has_card_form: bool = False

    def create_checkout(
        self,
        *,
        order_reference: str,
        amount: Decimal,
        currency: str,
        description: str,
        customer_email: str,
        success_url: str,
        cancel_url: str,
        expires_at=None,
    ) -> Checkout:
        raise NotImplementedError

    def parse_webhook(self, *, payload: bytes, headers) -> PaymentEvent | None:
        """Verify and parse a webhook. None for deliveries that concern no payment state.

        Raises WebhookSignatureError when the signature does not verify."""
        raise NotImplementedError

    def fetch_status(self, *, reference: str) -> PaymentEvent:
        """Ask the provider for the current state of a payment (reconciliation)."""
        raise NotImplementedError

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> str:
        """Refund a payment in full; returns the provider's refund id. Calling it again with
        the same idempotency key must not refund twice. Raises PaymentError."""
        raise NotImplementedError

    def payments_taken(self, *, since, until) -> list[PaymentEvent]:
        """Payments this provider took between `since` and `until`, for reconciliation to
        find any that never reached a booking: the app can die between charging a card on
        its own checkout page and recording the payment. Providers whose payment reference
        is stored before the customer pays (hosted checkouts) need not list anything."""
        return []
