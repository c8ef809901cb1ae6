from tests.payments.stripe_stub import stripe_stub  # noqa: F401  (a fixture)
