"""Payment providers, chosen by name (settings.PAYMENT_PROVIDER for new payments; a booking
remembers the provider that took its payment, so refunds go back the same way)."""

from django.conf import settings

from .base import (
    Checkout,
    PaymentError,
    PaymentEvent,
    PaymentKind,
    PaymentProvider,
    WebhookSignatureError,
)

__all__ = [
    "Checkout",
    "PaymentError",
    "PaymentEvent",
    "PaymentKind",
    "PaymentProvider",
    "WebhookSignatureError",
    "get_provider",
]


def get_provider(name: str | None = None) -> PaymentProvider:
    name = name or settings.PAYMENT_PROVIDER
    if name == "test":
        from .testmode import TestProvider

        return TestProvider()
    if name == "stripe":
        from .stripe_checkout import StripeProvider

        return StripeProvider()
    raise ValueError(f"Unknown payment provider {name!r} (expected 'test' or 'stripe').")
