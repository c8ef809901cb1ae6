"""Bookings in the admin: read-only.

Every change to a booking moves tickets (the event's stored counters) and often money, so it
must go through bookings.services, which lock the event and queue refunds and emails. The
admin shows bookings for support and accounting; it does not add, edit or delete them.
"""

from django.contrib import admin

from .models import Booking


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "event",
        "user",
        "quantity",
        "total_label",
        "status",
        "created_at",
        "checked_in_at",
    )
    list_select_related = ("event", "user")
    list_filter = ("status", "created_at")
    # Exact matches first: references are what support is usually given.
    search_fields = ("=reference", "=payment_reference", "=user__username", "=user__email")
    autocomplete_fields = ("user", "event")
    ordering = ("-pk",)  # newest first, along the primary key index
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would aggregate over the whole table for every filter choice.
    show_facets = admin.ShowFacets.NEVER
    fieldsets = (
        (None, {"fields": ("reference", "status", "event", "user", "attendance_date")}),
        ("Money", {"fields": (("quantity", "unit_price"), ("total", "currency"))}),
        ("Payment", {"fields": ("payment_provider", "payment_reference", "hold_expires_at")}),
        (
            "History",
            {
                "fields": (
                    "created_at",
                    "confirmed_at",
                    "cancelled_at",
                    "checked_in_at",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(description="Total", ordering="total")
    def total_label(self, booking):
        return f"{booking.total} {booking.currency}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
