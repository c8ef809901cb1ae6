"""The built-in test provider and its card form."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from eventmate.payments.forms import TestCardForm
from eventmate.payments.models import TestPayment
from eventmate.payments.providers import PaymentError, PaymentKind, WebhookSignatureError
from eventmate.payments.providers.testmode import TestProvider, card_number_is_valid

pytestmark = pytest.mark.django_db


def _charge(number):
    return TestProvider().charge(
        order_reference="ABCDEFGHJKMN",
        amount=Decimal("20.00"),
        currency="USD",
        card_number=number,
    )


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4242424242424242", True), ("4242424242424241", False), ("42", False), ("4242x", False)],
)
def test_luhn_check(number, valid):
    assert card_number_is_valid(number) is valid


def test_success_card_is_paid_and_only_last_four_digits_are_kept():
    event = _charge("4242424242424242")
    assert event.kind == PaymentKind.PAID
    payment = TestPayment.objects.get(reference=event.reference)
    assert payment.card_last4 == "4242"
    assert "4242424242424242" not in str(TestPayment.objects.values().get())


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000000000000002", "Your card was declined."),
        ("4000000000009995", "Insufficient funds."),
        ("5555555555554444", "not one of the test cards"),
    ],
)
def test_declining_cards_say_why_and_leave_no_payment(number, message):
    event = _charge(number)
    assert event.kind == PaymentKind.FAILED
    assert message in event.message
    assert not TestPayment.objects.exists()


def test_delayed_card_is_processing_until_it_settles():
    provider = TestProvider()
    event = _charge("4000000000003220")
    assert event.kind == PaymentKind.PROCESSING
    assert provider.fetch_status(reference=event.reference).kind == PaymentKind.PROCESSING

    TestPayment.objects.update(settles_at=timezone.now() - timedelta(seconds=1))

    assert provider.fetch_status(reference=event.reference).kind == PaymentKind.PAID


def test_refund_is_idempotent_and_unknown_payments_fail():
    provider = TestProvider()
    event = _charge("4242424242424242")
    first = provider.refund(
        reference=event.reference, amount=Decimal("20"), currency="USD", idempotency_key="k"
    )
    again = provider.refund(
        reference=event.reference, amount=Decimal("20"), currency="USD", idempotency_key="k"
    )
    assert first == again
    assert provider.fetch_status(reference=event.reference).kind == PaymentKind.REFUNDED
    with pytest.raises(PaymentError):
        provider.refund(reference="nope", amount=Decimal("1"), currency="USD", idempotency_key="k")


def test_test_provider_accepts_no_webhooks():
    with pytest.raises(WebhookSignatureError):
        TestProvider().parse_webhook(payload=b"{}", headers={})


def test_card_form_accepts_spaces_and_normalises_the_number():
    form = TestCardForm({"card_number": "4242 4242 4242 4242", "expiry": "12/40", "cvc": "123"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["card_number"] == "4242424242424242"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"card_number": "4242 4242 4242 4241"}, "card_number"),
        ({"expiry": "01/20"}, "expiry"),
        ({"expiry": "13/40"}, "expiry"),
        ({"expiry": "tomorrow"}, "expiry"),
        ({"cvc": "12"}, "cvc"),
        ({"cvc": "abc"}, "cvc"),
    ],
)
def test_card_form_rejects_bad_details(data, field):
    form = TestCardForm(
        {"card_number": "4242424242424242", "expiry": "12/40", "cvc": "123", **data}
    )
    assert not form.is_valid()
    assert field in form.errors
