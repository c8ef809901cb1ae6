"""Fragment caching for signed-in visitors: the "similar events" section of the event page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eventmate.core import cache_versions
from eventmate.events.models import Category
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def concert():
    EventFactory(title="Another gig", category=Category.MUSIC)
    return EventFactory(title="Main gig", slug="main-gig", category=Category.MUSIC)


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


def test_cached_fragment_saves_its_queries_for_signed_in_visitors(signed_in, concert):
    first_count, first = _queries(signed_in, "/event/main-gig/")
    second_count, second = _queries(signed_in, "/event/main-gig/")
    assert b"Another gig" in first.content
    assert b"Another gig" in second.content
    assert second_count <= first_count - 2  # similar events + their images


def test_listing_change_refreshes_the_fragment(signed_in, concert):
    signed_in.get("/event/main-gig/")
    EventFactory(title="Fresh gig", category=Category.MUSIC)
    assert b"Fresh gig" not in signed_in.get("/event/main-gig/").content
    cache_versions.listings_changed()
    assert b"Fresh gig" in signed_in.get("/event/main-gig/").content
