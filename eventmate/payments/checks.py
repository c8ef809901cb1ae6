"""System checks: a payment configuration mistake is reported at start-up, not at checkout."""

from django.conf import settings
from django.core import checks

PROVIDERS = ("test", "stripe")


@checks.register()
def payment_provider_check(app_configs, **kwargs):
    if settings.PAYMENT_PROVIDER not in PROVIDERS:
        return [
            checks.Error(
                f"PAYMENT_PROVIDER is {settings.PAYMENT_PROVIDER!r}.",
                hint="Set it to 'test' (built-in test cards) or 'stripe'.",
                id="payments.E001",
            )
        ]
    if settings.PAYMENT_PROVIDER == "stripe" and not (
        settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET
    ):
        return [
            checks.Error(
                "PAYMENT_PROVIDER is 'stripe' but STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET "
                "is empty.",
                hint="Set both (the webhook secret comes from the Stripe dashboard).",
                id="payments.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def test_provider_in_production_check(app_configs, **kwargs):
    if settings.PAYMENT_PROVIDER == "test":
        return [
            checks.Warning(
                "PAYMENT_PROVIDER is 'test': anyone can book paid tickets with the documented "
                "test card numbers and no money is taken.",
                hint="Set PAYMENT_PROVIDER=stripe with real keys before selling tickets.",
                id="payments.W001",
            )
        ]
    return []
