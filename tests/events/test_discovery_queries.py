"""Every discovery page costs a small, constant number of queries, whatever it shows.

Each page is loaded with 1 and with 50 events, every event with three images and three
reviews; an anonymous visitor's page must stay within 6 queries both times.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    CityFactory,
    EventFactory,
    EventImageFactory,
    HostFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ANONYMOUS_BUDGET = 6
# Signed in: the session and the user, the favourite state, plus what anonymous pages cost.
SIGNED_IN_BUDGET = 9


@pytest.fixture(params=[1, 50], ids=["1-event", "50-events"])
def catalogue(request):
    city = CityFactory(slug="chicago", is_featured=True)
    host = HostFactory()
    now = timezone.now()
    events = []
    for n in range(request.param):
        event = EventFactory(
            host=host,
            city=city,
            title=f"Jazz night {n}",
            starts_at=now + timedelta(days=n + 1),
            is_featured=n % 2 == 0,
            tickets_sold=n,
            rating_count=3,
        )
        for order in range(3):
            EventImageFactory(event=event, order=order, is_primary=order == 0)
        for _ in range(3):
            ReviewFactory(event=event)
        events.append(event)
    return {"city": city, "event": events[0]}


def page_urls(catalogue):
    return [
        "/",
        "/events/",
        "/events/?q=jazz&location=City&date=month&sort=popular",
        "/events/?category=music&min_price=1&max_price=100&page=2",
        "/events/?page=2&partial=1",
        "/city/chicago/",
        "/city/chicago/?date=week&free=1",
        catalogue["event"].get_absolute_url(),
        "/search/autocomplete/?q=jaz",
    ]


@pytest.mark.parametrize("index", range(9))
def test_anonymous_page_query_budget(client, catalogue, django_assert_max_num_queries, index):
    url = page_urls(catalogue)[index]
    with django_assert_max_num_queries(ANONYMOUS_BUDGET):
        response = client.get(url)
    assert response.status_code == 200, url


@pytest.mark.parametrize("index", [0, 1, 5, 7])
def test_signed_in_page_query_budget(client, catalogue, django_assert_max_num_queries, index):
    client.force_login(UserFactory())
    url = page_urls(catalogue)[index]
    with django_assert_max_num_queries(SIGNED_IN_BUDGET):
        response = client.get(url)
    assert response.status_code == 200, url
