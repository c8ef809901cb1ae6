import pytest

from tests.factories import EventFactory, UserFactory
from tests.payments.stripe_stub import stripe_stub  # noqa: F401  (a fixture)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the services queued for after commit (emails, refunds)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def event(db):
    return EventFactory(capacity=10, price="25.00")


@pytest.fixture
def buyer(db):
    return UserFactory()
