"""Run the periodic booking jobs once: for cron, or where no Celery beat runs (the embedded
default). Safe to run at any time and as often as wanted; every step is idempotent."""

from django.core.management.base import BaseCommand

from eventmate.bookings import services
from eventmate.payments import tasks as payment_tasks


class Command(BaseCommand):
    help = "Expire overdue holds, reconcile pending payments and retry pending refunds."

    def handle(self, *args, **options):
        expired = services.expire_overdue_holds()
        checked = services.payments_reconcile()
        retried = payment_tasks.refunds_retry()
        self.stdout.write(
            f"Expired {expired} hold(s); checked {checked} payment(s); retried {retried} refund(s)."
        )
