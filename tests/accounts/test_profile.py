from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from eventmate.accounts import selectors
from eventmate.bookings.models import Booking
from eventmate.events.models import Event
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    FavoriteFactory,
    HostFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
# User, four lists, the hosting aggregate, the host's events and revenue (8), with room for a
# session read; what matters most is that the count does not grow with the data.
PROFILE_QUERY_BUDGET = 10


def past_event(**kwargs):
    starts = timezone.now() - timedelta(days=5)
    return EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def populate(user, count):
    """`count` of everything the profile shows, for a user who also hosts."""
    city, other_host, buyer = CityFactory(), HostFactory(), UserFactory()
    for _ in range(count):
        upcoming = EventFactory(host=other_host, city=city)
        BookingFactory(user=user, event=upcoming)
        BookingFactory(user=user, event=past_event(host=other_host, city=city))
        FavoriteFactory(user=user, event=upcoming)
        ReviewFactory(user=user, event=upcoming)
        hosted = EventFactory(host=user, city=city, tickets_sold=2)
        BookingFactory(user=buyer, event=hosted, quantity=2)


def profile_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PROFILE)
    assert response.status_code == 200
    return len(captured)


def test_profile_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    small, large = HostFactory(), HostFactory()
    populate(small, 1)
    populate(large, 50)

    small_count = profile_queries(client, small)
    client.force_login(large)
    with django_assert_max_num_queries(PROFILE_QUERY_BUDGET):
        response = client.get(PROFILE)

    assert response.status_code == 200
    assert profile_queries(client, large) == small_count


def test_profile_needs_login(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_lists_upcoming_and_past_bookings(client):
    user = UserFactory()
    upcoming = BookingFactory(user=user, event=EventFactory(title="Jazz at Dusk"))
    past = BookingFactory(user=user, event=past_event(title="Spring Fair"))
    client.force_login(user)

    overview = client.get(PROFILE).context["overview"]

    assert overview.upcoming_bookings.items == [upcoming]
    assert overview.past_bookings.items == [past]


def test_profile_leaves_out_expired_holds_and_other_users_bookings(client):
    user = UserFactory()
    BookingFactory(
        user=user,
        status=Booking.Status.PENDING,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
        confirmed_at=None,
    )
    BookingFactory()
    client.force_login(user)

    overview = client.get(PROFILE).context["overview"]

    assert overview.upcoming_bookings.items == []
    assert overview.past_bookings.items == []


def test_profile_shows_favourites_and_reviews(client):
    user = UserFactory()
    FavoriteFactory(user=user, event=EventFactory(title="Night Market"))
    ReviewFactory(user=user, event=EventFactory(title="Poetry Slam"), comment="Loved it")
    client.force_login(user)

    response = client.get(PROFILE)

    assert "Night Market" in response.text
    assert "Poetry Slam" in response.text
    assert "Loved it" in response.text


def test_profile_of_a_host_shows_events_tickets_sold_and_revenue(client):
    host = HostFactory()
    event = EventFactory(host=host, price=Decimal("20.00"), tickets_sold=3)
    BookingFactory(event=event, quantity=3)
    BookingFactory(event=event, quantity=1, status=Booking.Status.REFUNDED)
    EventFactory(host=host, currency="EUR", price=Decimal("5.00"))
    client.force_login(host)

    hosting = client.get(PROFILE).context["overview"].host

    assert hosting.events_count == 2
    assert hosting.tickets_sold == 3
    assert hosting.revenue == [("USD", Decimal("60.00"))]


def test_profile_of_a_non_host_has_no_hosting_section(client):
    user = UserFactory()
    client.force_login(user)

    response = client.get(PROFILE)

    assert response.context["overview"].host is None
    assert "Hosting" not in response.text


def test_profile_lists_are_capped_and_say_there_is_more(db):
    user = UserFactory()
    for _ in range(selectors.PROFILE_LIST_SIZE + 1):
        FavoriteFactory(user=user)

    overview = selectors.profile_overview(user=user)

    assert len(overview.favorites.items) == selectors.PROFILE_LIST_SIZE
    assert overview.favorites.has_more is True


def test_deletion_summary_counts_live_bookings_and_published_events(db):
    host = HostFactory()
    BookingFactory(user=host)
    EventFactory(host=host, is_published=True)
    EventFactory(host=host, is_published=False)

    summary = selectors.account_deletion_summary(user=host)

    assert summary.upcoming_bookings == 1
    assert summary.published_events == 1
    assert Event.objects.filter(host=host).count() == 2
