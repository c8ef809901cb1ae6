"""Payments in the admin: read-only records. Refunds are carried out by payments.tasks; staff
can re-queue failed ones with an action once the cause is fixed."""

from django.contrib import admin, messages
from django.db import transaction

from .models import Refund, TestPayment, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = (
        "payment_reference",
        "provider",
        "amount",
        "currency",
        "status",
        "attempts",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "provider")
    search_fields = ("=payment_reference", "reason")
    ordering = ("-pk",)
    actions = ["retry_refunds"]

    @admin.action(description="Retry the selected failed refunds")
    def retry_refunds(self, request, queryset):
        from .tasks import refund_process

        refund_ids = list(queryset.filter(status=Refund.Status.FAILED).values_list("pk", flat=True))
        Refund.objects.filter(pk__in=refund_ids).update(status=Refund.Status.PENDING, attempts=0)
        for refund_id in refund_ids:
            transaction.on_commit(lambda refund_id=refund_id: refund_process.delay(refund_id))
        messages.success(request, f"{len(refund_ids)} refund(s) queued again.")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "provider", "kind", "reference", "received_at")
    search_fields = ("=event_id", "=reference")
    ordering = ("-pk",)


@admin.register(TestPayment)
class TestPaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "order_reference",
        "amount",
        "currency",
        "status",
        "card_last4",
        "created_at",
    )
    search_fields = ("=reference", "=order_reference")
    ordering = ("-pk",)
