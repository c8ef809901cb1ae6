"""The built-in test provider: card details are typed on EventMate's own checkout page and
the outcome is decided by the card number, like a payment sandbox. No money moves.

Documented test cards (any future expiry date, any 3-digit CVC):

    4242 4242 4242 4242   succeeds
    4000 0000 0000 3220   succeeds after a delay (the payment is "processing" first; it is
                          confirmed PAYMENT_TEST_SETTLE_SECONDS later by reconciliation)
    4000 0000 0000 0002   declined: card declined
    4000 0000 0000 9995   declined: insufficient funds
    4000 0000 0000 0069   declined: expired card
    4000 0000 0000 0127   declined: incorrect CVC

Any other number that passes the Luhn check is declined as "not a test card".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import TestPayment
from .base import PaymentError, PaymentEvent, PaymentKind, PaymentProvider, WebhookSignatureError


@dataclass(frozen=True)
class TestCard:
    __test__ = False

    number: str
    outcome: str  # "succeeded", "delayed" or "declined"
    message: str
    label: str


TEST_CARDS = {
    card.number: card
    for card in [
        TestCard("4242424242424242", "succeeded", "", "Succeeds"),
        TestCard("4000000000003220", "delayed", "", "Succeeds after a short delay"),
        TestCard("4000000000000002", "declined", "Your card was declined.", "Card declined"),
        TestCard("4000000000009995", "declined", "Insufficient funds.", "Insufficient funds"),
        TestCard("4000000000000069", "declined", "Your card has expired.", "Expired card"),
        TestCard("4000000000000127", "declined", "Incorrect CVC.", "Incorrect CVC"),
    ]
}
NOT_A_TEST_CARD = "Card declined: this is not one of the test cards listed on this page."


def card_number_is_valid(number: str) -> bool:
    """Luhn checksum over a digits-only number of plausible length."""
    # isascii(): str.isdigit() also accepts superscripts and other scripts' digits, some of
    # which int() refuses (found by tests/security/test_fuzz_forms.py).
    if not (number.isascii() and number.isdigit()) or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


class TestProvider(PaymentProvider):
    __test__ = False

    name = "test"
    has_card_form = True

    def charge(
        self, *, order_reference: str, amount: Decimal, currency: str, card_number: str
    ) -> PaymentEvent:
        """Take a payment with a (validated) card number. Declines are returned as FAILED
        events with a reason and leave no trace; only the last four digits are stored."""
        card = TEST_CARDS.get(card_number)
        if card is None or card.outcome == "declined":
            message = card.message if card else NOT_A_TEST_CARD
            return PaymentEvent(
                reference="",
                kind=PaymentKind.FAILED,
                amount=amount,
                order_reference=order_reference,
                message=message,
            )
        delayed = card.outcome == "delayed"
        payment = TestPayment.objects.create(
            reference=f"test_{secrets.token_urlsafe(18)}",
            order_reference=order_reference,
            amount=amount,
            currency=currency,
            status=TestPayment.Status.PROCESSING if delayed else TestPayment.Status.SUCCEEDED,
            card_last4=card_number[-4:],
            settles_at=(
                timezone.now() + timedelta(seconds=settings.PAYMENT_TEST_SETTLE_SECONDS)
                if delayed
                else None
            ),
        )
        return self._event_for(payment)

    def fetch_status(self, *, reference: str) -> PaymentEvent:
        with transaction.atomic():
            try:
                payment = TestPayment.objects.select_for_update().get(reference=reference)
            except TestPayment.DoesNotExist:
                raise PaymentError(f"Unknown test payment {reference!r}.") from None
            if (
                payment.status == TestPayment.Status.PROCESSING
                and payment.settles_at <= timezone.now()
            ):
                payment.status = TestPayment.Status.SUCCEEDED
                payment.save(update_fields=["status"])
        return self._event_for(payment)

    def refund(
        self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> str:
        updated = (
            TestPayment.objects.filter(reference=reference)
            .exclude(status=TestPayment.Status.REFUNDED)
            .update(status=TestPayment.Status.REFUNDED, refunded_at=timezone.now())
        )
        if not updated and not TestPayment.objects.filter(reference=reference).exists():
            raise PaymentError(f"Unknown test payment {reference!r}.")
        return f"re_{reference}"

    def payments_taken(self, *, since, until) -> list[PaymentEvent]:
        payments = TestPayment.objects.filter(created_at__gte=since, created_at__lt=until)
        return [self._event_for(payment) for payment in payments.order_by("pk")]

    def parse_webhook(self, *, payload: bytes, headers) -> PaymentEvent | None:
        raise WebhookSignatureError("The test provider sends no webhooks.")

    @staticmethod
    def _event_for(payment: TestPayment) -> PaymentEvent:
        kind = {
            TestPayment.Status.PROCESSING: PaymentKind.PROCESSING,
            TestPayment.Status.SUCCEEDED: PaymentKind.PAID,
            TestPayment.Status.REFUNDED: PaymentKind.REFUNDED,
        }[payment.status]
        return PaymentEvent(
            reference=payment.reference,
            kind=kind,
            amount=payment.amount,
            order_reference=payment.order_reference,
        )
