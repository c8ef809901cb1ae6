import pytest

from tests.factories import UserFactory


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the services queued for after commit (emails, refunds)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def member(db):
    return UserFactory(username="ann", email="Ann@Example.com")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
