"""Payment configuration mistakes are reported by Django's system checks."""

from eventmate.payments import checks


def _ids(messages):
    return [message.id for message in messages]


def test_unknown_provider_is_an_error(settings):
    settings.PAYMENT_PROVIDER = "paypal"
    assert _ids(checks.payment_provider_check(None)) == ["payments.E001"]


def test_stripe_without_keys_is_an_error(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert _ids(checks.payment_provider_check(None)) == ["payments.E002"]


def test_configured_stripe_passes(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    assert checks.payment_provider_check(None) == []
    assert checks.test_provider_in_production_check(None) == []


def test_test_provider_is_a_deploy_warning(settings):
    settings.PAYMENT_PROVIDER = "test"
    assert _ids(checks.test_provider_in_production_check(None)) == ["payments.W001"]
