"""Payment writes that know nothing of bookings: refunds (an outbox) and webhook de-duplication."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Refund, WebhookEvent
from .providers import PaymentError, get_provider

logger = logging.getLogger(__name__)

# After this many failed attempts a refund is marked FAILED and needs a person.
REFUND_MAX_ATTEMPTS = 10


def refund_request(
    *, provider: str, payment_reference: str, amount: Decimal, currency: str, reason: str = ""
) -> tuple[Refund, bool]:
    """Record that a payment must be refunded in full, then carry it out after commit.

    Call inside the transaction that makes the refund owed (e.g. the booking cancellation),
    so the refund exists if and only if that change commits. Idempotent: a payment has at
    most one refund (unique constraint); asking again returns the first one and False.
    Queues: payments.tasks.refund_process on commit (only when newly created).
    """
    with transaction.atomic():
        refund, created = Refund.objects.get_or_create(
            provider=provider,
            payment_reference=payment_reference,
            defaults={"amount": amount, "currency": currency, "reason": reason[:200]},
        )
    if created:
        from .tasks import refund_process

        refund_id = refund.pk
        transaction.on_commit(lambda: _enqueue(refund_process, refund_id))
    return refund, created


def _enqueue(task, *args) -> None:
    # The refund row is committed already; if the broker is down the periodic retry picks it
    # up, so a failure to queue must not turn the user's request into an error.
    try:
        task.delay(*args)
    except Exception:
        logger.exception("Could not queue %s%r; the periodic retry will run it", task.name, args)


def refund_process(*, refund_id: int) -> Refund:
    """Carry out one pending refund through its provider. Safe to run twice, also at once:
    the provider call carries an idempotency key derived from the refund row, and only the
    first run that finishes moves the row out of PENDING.
    Raises nothing for provider errors: they are recorded and retried by refunds_retry."""
    refund = Refund.objects.get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    try:
        provider_refund_id = get_provider(refund.provider).refund(
            reference=refund.payment_reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=f"eventmate-refund-{refund.pk}",
        )
    except PaymentError as error:
        attempts = refund.attempts + 1
        status = Refund.Status.FAILED if attempts >= REFUND_MAX_ATTEMPTS else refund.status
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            attempts=F("attempts") + 1,
            last_error=str(error)[:2000],
            status=status,
            updated_at=timezone.now(),
        )
        log = logger.error if status == Refund.Status.FAILED else logger.warning
        log(
            "Refund %s of %s failed (attempt %s): %s",
            refund.pk,
            refund.payment_reference,
            attempts,
            error,
        )
    else:
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(
            status=Refund.Status.SUCCEEDED,
            provider_refund_id=provider_refund_id,
            attempts=F("attempts") + 1,
            completed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    refund.refresh_from_db()
    return refund


def refund_record_external(
    *, provider: str, payment_reference: str, amount: Decimal, currency: str, reason: str
) -> Refund:
    """Record a refund made at the provider itself (e.g. in the Stripe dashboard), so that
    EventMate never tries to refund the same payment again."""
    refund, created = Refund.objects.get_or_create(
        provider=provider,
        payment_reference=payment_reference,
        defaults={
            "amount": amount,
            "currency": currency,
            "reason": reason[:200],
            "status": Refund.Status.SUCCEEDED,
            "completed_at": timezone.now(),
        },
    )
    if not created and refund.status != Refund.Status.SUCCEEDED:
        # We had asked for this refund ourselves and the provider reports it done.
        Refund.objects.filter(pk=refund.pk).update(
            status=Refund.Status.SUCCEEDED, completed_at=timezone.now(), updated_at=timezone.now()
        )
        refund.refresh_from_db()
    return refund


def webhook_event_record(*, provider: str, event_id: str, kind: str, reference: str) -> bool:
    """Remember a webhook delivery; False if it was seen before (then do nothing with it).

    Call inside the transaction that applies the delivery: if applying fails, the record
    rolls back with it and the provider's retry is processed normally."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=provider, event_id=event_id, kind=kind, reference=reference[:255]
            )
    except IntegrityError:
        return False
    return True
