from django.db import models
from django.db.models import Q


class Refund(models.Model):
    """A refund owed to a customer: an outbox row written in the same transaction as the
    booking change that owes it, then carried out by a Celery task (payments.tasks) that
    calls the provider with an idempotency key. Money is never sent while a database lock is
    held, and a crash between commit and the provider call only delays the refund."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Refunded"
        FAILED = "failed", "Failed (needs staff attention)"

    provider = models.CharField(max_length=32)
    payment_reference = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Only full refunds exist, so a payment is refunded at most once.
            models.UniqueConstraint(
                fields=["provider", "payment_reference"], name="payments_one_refund_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payments_refund_amount_gte_0"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="payments_refund_pending_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"Refund of {self.payment_reference} ({self.status})"


class WebhookEvent(models.Model):
    """A webhook delivery already processed: the same delivery twice changes nothing."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=32)
    reference = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payments_webhookevent_once"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


class TestPayment(models.Model):
    """A payment taken by the built-in test provider. The card number is never stored: only
    its last four digits, to show on receipts."""

    __test__ = False  # not a pytest test class despite the name

    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        SUCCEEDED = "succeeded", "Succeeded"
        REFUNDED = "refunded", "Refunded"

    reference = models.CharField(max_length=64, unique=True)
    order_reference = models.CharField(max_length=64, db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices)
    card_last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)
    # A "delayed confirmation" payment settles at this time; the provider reports it paid
    # only from then on.
    settles_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # TestProvider.payments_taken: reconciliation lists the last minutes' payments.
            models.Index(fields=["created_at"], name="testpayment_created_idx"),
        ]

    def __str__(self):
        return f"{self.reference} ({self.status})"
