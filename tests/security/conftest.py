"""The cast of the security tests: six roles and the objects they own.

    user        has a confirmed booking and a pending hold for `event`, a confirmed booking
                for `attended` (over, not yet reviewed) and a review of `reviewed`
    other_user  has a confirmed booking for `other_event`
    host        hosts `event`, `attended`, `reviewed` and the unpublished `draft`
    other_host  hosts `other_event`
    staff       a superuser (the operator)

Every stored counter matches the bookings and reviews, so integrity.assert_consistent() holds
from the start.
"""

import os
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.events.models import City, Event
from eventmate.reviews.models import Review
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    HostFactory,
    ReviewFactory,
    UserFactory,
)

from . import fuzzing

ROLES = ("anonymous", "user", "other_user", "host", "other_host", "staff")


@dataclass(repr=False)
class World:
    city: City
    user: User
    other_user: User
    host: User
    other_host: User
    staff: User
    event: Event
    attended: Event
    reviewed: Event
    draft: Event
    other_event: Event
    booking: Booking
    hold: Booking
    attended_booking: Booking
    review: Review
    session_keys: dict[str, str] = field(default_factory=dict)

    def __repr__(self):  # hypothesis prints the fixtures of a failing example
        return f"<World: events {self.event.slug}, {self.attended.slug}, {self.reviewed.slug}>"

    def account(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def client_for(self, role: str, **client_kwargs) -> Client:
        return self.sign_in(Client(**client_kwargs), role)

    def use_session(self, client: Client, role: str) -> Client:
        """`client` as `role` with the session made by start_sessions(): no database write,
        so it can be used inside a savepoint that is rolled back."""
        client.cookies.clear()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[role]
        return client

    def sign_in(self, client: Client, role: str) -> Client:
        """`client` as `role`, forgetting any earlier session. Reusing one client is much
        faster than a new one per request (each new client loads the middleware again)."""
        client.cookies.clear()
        account = self.account(role)
        if account is not None:
            client.force_login(account)
        return client

    def start_sessions(self) -> None:
        """Log every role in once and keep the session keys (see test_access_matrix)."""
        client = Client()
        for role in ROLES[1:]:
            self.sign_in(client, role)
            self.session_keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _past(days: int) -> dict:
    starts = timezone.now() - timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=3)}


@pytest.fixture
def world(db) -> World:
    city = CityFactory(slug="springfield", name="Springfield")
    user = UserFactory(username="user")
    other_user = UserFactory(username="other")
    host = HostFactory(username="host")
    other_host = HostFactory(username="otherhost")
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)

    event = EventFactory(host=host, city=city, slug="host-event", capacity=20,
                         tickets_sold=1, tickets_held=1)  # fmt: skip
    booking = BookingFactory(user=user, event=event)
    hold = BookingFactory(
        user=user,
        event=event,
        status=Booking.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now() + timedelta(minutes=15),
        payment_provider="test",
    )
    attended = EventFactory(host=host, city=city, slug="attended", tickets_sold=1, **_past(2))
    attended_booking = BookingFactory(user=user, event=attended)
    reviewed = EventFactory(host=host, city=city, slug="reviewed", tickets_sold=1,
                            rating_count=1, rating_average="4.00", **_past(3))  # fmt: skip
    reviewed_booking = BookingFactory(user=user, event=reviewed)
    review = ReviewFactory(user=user, event=reviewed, booking=reviewed_booking, rating=4)
    draft = EventFactory(host=host, city=city, slug="draft", is_published=False)
    other_event = EventFactory(host=other_host, city=city, slug="other-event", tickets_sold=1)
    BookingFactory(user=other_user, event=other_event)
    return World(
        city=city, user=user, other_user=other_user, host=host, other_host=other_host,
        staff=staff, event=event, attended=attended, reviewed=reviewed, draft=draft,
        other_event=other_event, booking=booking, hold=hold, attended_booking=attended_booking,
        review=review,
    )  # fmt: skip


@pytest.fixture
def no_rate_limits(settings):
    """Fuzzing sends hundreds of requests from one address; the limits have their own tests
    (tests/core/test_ratelimit.py), with limiting on."""
    settings.RATELIMIT_ENABLED = False


def pytest_terminal_summary(terminalreporter):
    if not fuzzing.TRIED:
        return
    terminalreporter.section("hostile input: generated inputs tried")
    for target, count in sorted(fuzzing.TRIED.items()):
        terminalreporter.write_line(f"{target:<40} {count:>6}")
    terminalreporter.write_line(
        f"{'total':<40} {sum(fuzzing.TRIED.values()):>6}"
        f"   (FUZZ_EXAMPLES={os.environ.get('FUZZ_EXAMPLES', fuzzing.DEFAULT_EXAMPLES)})"
    )
