"""Steps the booking tests share: letting a hold run out, paying with a test card."""

from datetime import timedelta

from django.utils import timezone

from eventmate.bookings import services
from eventmate.bookings.models import Booking

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
NO_FUNDS_CARD = "4000000000009995"
DELAYED_CARD = "4000000000003220"


def make_overdue(booking: Booking) -> Booking:
    """Let a hold run out without waiting: move its expiry into the past."""
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    booking.refresh_from_db()
    return booking


def pay(booking: Booking, card: str = GOOD_CARD):
    """Pay through the built-in test provider, as the checkout page does."""
    return services.booking_pay_by_card(booking=booking, card_number=card)
