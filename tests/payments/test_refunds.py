"""Refunds are an outbox: recorded with the change that owes them, carried out after commit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from eventmate.payments import services, tasks
from eventmate.payments.models import Refund, TestPayment, WebhookEvent
from eventmate.payments.providers.testmode import TestProvider

pytestmark = pytest.mark.django_db


def _paid():
    return TestProvider().charge(
        order_reference="ABCDEFGHJKMN",
        amount=Decimal("30.00"),
        currency="USD",
        card_number="4242424242424242",
    )


def _request(reference):
    return services.refund_request(
        provider="test",
        payment_reference=reference,
        amount=Decimal("30.00"),
        currency="USD",
        reason="test",
    )


def test_refund_is_carried_out_only_after_commit(django_capture_on_commit_callbacks):
    payment = _paid()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        refund, created = _request(payment.reference)
    assert created
    assert TestPayment.objects.get().status == TestPayment.Status.SUCCEEDED  # not yet
    for callback in callbacks:
        callback()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert TestPayment.objects.get().status == TestPayment.Status.REFUNDED


def test_asking_twice_owes_one_refund(django_capture_on_commit_callbacks):
    payment = _paid()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _request(payment.reference)
        _, created = _request(payment.reference)
    assert not created
    assert Refund.objects.count() == 1
    assert len(callbacks) == 1


def test_provider_failure_is_recorded_and_retried_until_it_gives_up():
    refund, _ = _request("test_unknown_payment")
    for _ in range(services.REFUND_MAX_ATTEMPTS - 1):
        assert services.refund_process(refund_id=refund.pk).status == Refund.Status.PENDING
    refund = services.refund_process(refund_id=refund.pk)
    assert refund.status == Refund.Status.FAILED
    assert refund.attempts == services.REFUND_MAX_ATTEMPTS
    assert "Unknown test payment" in refund.last_error


def test_periodic_retry_completes_refunds_left_pending():
    payment = _paid()
    refund, _ = _request(payment.reference)  # its on-commit task never ran
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.refunds_retry() == 1
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert tasks.refunds_retry() == 0


def test_a_refund_made_at_the_provider_completes_the_one_we_asked_for():
    refund, _ = _request("test_anything")
    services.refund_record_external(
        provider="test",
        payment_reference="test_anything",
        amount=Decimal("30.00"),
        currency="USD",
        reason="dashboard",
    )
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert services.refund_process(refund_id=refund.pk).attempts == 0  # never sent again


def test_webhook_delivery_is_recorded_once():
    assert services.webhook_event_record(
        provider="stripe", event_id="evt_1", kind="paid", reference="cs_1"
    )
    assert not services.webhook_event_record(
        provider="stripe", event_id="evt_1", kind="paid", reference="cs_1"
    )
    assert WebhookEvent.objects.count() == 1
