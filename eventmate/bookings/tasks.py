"""Celery tasks of the bookings app: thin, idempotent wrappers around services."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from eventmate.events import services as events_services

from . import emails, services

logger = logging.getLogger(__name__)
_LAZY_SWEEP_KEY = "bookings:lazy-sweep"


@shared_task(
    name="eventmate.bookings.tasks.booking_email_send",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def booking_email_send(booking_id: int, kind: str) -> bool:
    return emails.booking_email_send(booking_id=booking_id, kind=kind)


@shared_task(name="eventmate.bookings.tasks.expire_overdue_holds")
def expire_overdue_holds() -> int:
    return services.expire_overdue_holds()


@shared_task(name="eventmate.bookings.tasks.payments_reconcile")
def payments_reconcile() -> int:
    return services.payments_reconcile()


def periodic_jobs_run_if_due() -> bool:
    """Without a Celery worker and beat (the embedded default runs tasks in-process and has no
    scheduler), run the periodic booking jobs from a booking page at most once a minute, so
    expired holds still get swept and their owners emailed, and ended events get flagged.
    Availability never depends on it.
    A no-op when a real broker is configured: beat does the work there."""
    if not settings.CELERY_TASK_ALWAYS_EAGER or not cache.add(_LAZY_SWEEP_KEY, 1, timeout=60):
        return False
    try:
        services.expire_overdue_holds()
        services.payments_reconcile()
        events_services.events_mark_ended()
    except Exception:  # a failed sweep must not break the page that happened to trigger it
        logger.exception("Periodic booking jobs failed")
    return True
