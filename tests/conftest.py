import pytest
from django.core.cache import cache
from django.db import connection

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    """Every test starts with an empty cache and writes uploads to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
