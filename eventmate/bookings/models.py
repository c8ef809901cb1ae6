import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse

from eventmate.events.models import Event

# Public references: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
# 60 bits of entropy, so a ticket link cannot be guessed or enumerated.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bookings")
    reference = models.CharField(max_length=16, unique=True, default=new_reference, editable=False)
    quantity = models.PositiveIntegerField()
    # For multi-day events: the day the tickets are for. Null for single-day events.
    attendance_date = models.DateField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    payment_provider = models.CharField(max_length=32, blank=True)
    # The provider's id for this payment (e.g. a Stripe Checkout Session id). Unique so a
    # webhook can only ever resolve to one booking.
    payment_reference = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bookings_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="bookings_unit_price_gte_0"
            ),
            # Rounded because SQLite stores decimals as floating point: 5 × 24.99 there is
            # 124.94999…, which must still equal a total of 124.95. Exact on PostgreSQL.
            models.CheckConstraint(
                condition=Q(total=Round(F("unit_price") * F("quantity"), 2)),
                name="bookings_total_is_unit_price_times_quantity",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(hold_expires_at__isnull=False),
                name="bookings_pending_has_hold_expiry",
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="confirmed"),
                name="bookings_only_confirmed_checked_in",
            ),
        ]
        indexes = [
            # Availability: active holds of one event; expiry sweep of overdue holds.
            models.Index(
                fields=["event", "hold_expires_at"],
                name="bookings_pending_event_idx",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["hold_expires_at"],
                name="bookings_pending_expiry_idx",
                condition=Q(status="pending"),
            ),
            # "My bookings".
            models.Index(fields=["user", "-created_at"], name="bookings_user_idx"),
            # Host's bookings list per event.
            models.Index(fields=["event", "status"], name="bookings_event_status_idx"),
        ]

    def __str__(self):
        return f"{self.reference} · {self.quantity} × {self.event_id}"

    def get_absolute_url(self):
        return reverse("bookings:booking-detail", kwargs={"reference": self.reference})
