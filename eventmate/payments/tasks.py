"""Celery tasks of the payments app: thin, idempotent wrappers around payments.services."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Refund


@shared_task(name="eventmate.payments.tasks.refund_process")
def refund_process(refund_id: int) -> str:
    return services.refund_process(refund_id=refund_id).status


@shared_task(name="eventmate.payments.tasks.refunds_retry")
def refunds_retry() -> int:
    """Retry refunds still pending a minute after they were requested (broker down, provider
    unreachable, worker crash). Returns how many were attempted."""
    cutoff = timezone.now() - timedelta(minutes=1)
    refund_ids = list(
        Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )
    for refund_id in refund_ids:
        services.refund_process(refund_id=refund_id)
    return len(refund_ids)
