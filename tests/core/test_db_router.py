"""Read replicas (eventmate.core.db_router): with DATABASE_READ_REPLICA set, the listing selectors
(home, search, city, autocomplete) read the `replica` alias; everything else, reads inside a
transaction included, uses the primary.

config/test_settings.py defines `replica` as a test mirror of `default` (the same database, a
second connection), so queries show which alias ran them. Tests that run queries through the
router are transactional: inside a test-case transaction every read would go to the primary
(a transaction must see its own writes), and the mirror's own connection would not see rows
the test had not committed.
"""

import asyncio
import threading

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from eventmate.bookings import selectors as booking_selectors
from eventmate.bookings import services as booking_services
from eventmate.bookings.models import Booking
from eventmate.core.db_router import ReplicaRouter, replica_alias, use_replica
from eventmate.events import selectors
from eventmate.events.models import Event
from eventmate.events.search import SearchFilters
from tests.factories import PASSWORD, CityFactory, EventFactory, UserFactory

with_replica_db = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_READ_REPLICA = "replica"


@pytest.fixture
def catalogue():
    city = CityFactory(name="Lisbon", slug="lisbon", is_featured=True)
    event = EventFactory(title="Fado evening", slug="fado-evening", city=city, is_featured=True)
    EventFactory(title="Fado matinee", slug="fado-matinee", city=city)
    return event


class Queries:
    """The SQL each alias ran inside the block."""

    def __init__(self):
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections["replica"])

    def __enter__(self):
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.replica.__exit__(*exc_info)
        self.primary.__exit__(*exc_info)

    def sql(self, alias) -> list[str]:
        captured = self.primary if alias == "default" else self.replica
        return [query["sql"] for query in captured.captured_queries]


# ---------------------------------------------------------------------------------------------
# The router's answers (no query needed)
# ---------------------------------------------------------------------------------------------
def test_without_a_replica_every_read_goes_to_the_primary(settings):
    settings.DATABASE_READ_REPLICA = ""
    router = ReplicaRouter()
    with use_replica():
        assert replica_alias() is None
        assert router.db_for_read(Event) == "default"


def test_an_unknown_replica_alias_falls_back_to_the_primary(settings):
    settings.DATABASE_READ_REPLICA = "no-such-alias"
    with use_replica():
        assert ReplicaRouter().db_for_read(Event) == "default"


@pytest.mark.usefixtures("replica_on")
def test_reads_go_to_the_replica_only_inside_use_replica():
    router = ReplicaRouter()
    assert router.db_for_read(Event) == "default"
    with use_replica():
        assert router.db_for_read(Event) == "replica"
        assert router.db_for_write(Event) == "default"  # writes never go to the replica
    assert router.db_for_read(Event) == "default"


def test_the_replica_is_never_migrated_and_relations_are_allowed():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "events") is False
    assert router.allow_migrate("default", "events") is True
    assert router.allow_relation(Event(), Booking()) is True


@pytest.mark.usefixtures("replica_on")
def test_nested_use_restores_the_outer_state():
    with use_replica():
        with use_replica():
            assert replica_alias() == "replica"
        assert replica_alias() == "replica"  # the inner exit did not switch the outer off
    assert replica_alias() is None


@pytest.mark.usefixtures("replica_on")
def test_an_exception_inside_still_switches_it_off():
    with pytest.raises(ZeroDivisionError), use_replica():
        raise ZeroDivisionError
    assert replica_alias() is None

    @use_replica()
    def fails():
        raise KeyError("x")

    with pytest.raises(KeyError):
        fails()
    assert replica_alias() is None


@pytest.mark.usefixtures("replica_on")
def test_a_decorated_function_can_be_reentered_and_called_again():
    seen = []

    @use_replica()
    def listing(depth):
        seen.append(replica_alias())
        if depth:
            listing(depth - 1)  # the same decorator instance, entered again before it exits
        seen.append(replica_alias())

    listing(2)
    listing(0)
    assert seen == ["replica"] * 8
    assert replica_alias() is None


def _run_in_two_threads_at_once(function):
    """Calls `function` in two threads whose calls overlap, and collects what they saw."""
    both_inside = threading.Barrier(2, timeout=5)
    first_left = threading.Event()
    seen, errors = {}, []

    def worker(name):
        try:
            function(name, both_inside, first_left, seen)
        except Exception as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return seen, errors


@pytest.mark.usefixtures("replica_on")
def test_one_decorator_serves_threads_calling_it_at_the_same_time():
    """Thread a leaves while thread b is still inside: b must still read the replica, and each
    thread must be back on the primary after its own call."""

    @use_replica()
    def listing(name, both_inside, first_left, seen):
        seen[f"{name}-inside"] = replica_alias()
        both_inside.wait()
        if name == "b":
            first_left.wait(timeout=5)
            seen["b-after-a-left"] = replica_alias()

    def call(name, both_inside, first_left, seen):
        seen[f"{name}-before"] = replica_alias()
        listing(name, both_inside, first_left, seen)
        seen[f"{name}-after"] = replica_alias()
        if name == "a":
            first_left.set()

    seen, errors = _run_in_two_threads_at_once(call)
    assert errors == []
    assert seen == {
        "a-before": None,
        "b-before": None,
        "a-inside": "replica",
        "b-inside": "replica",
        "b-after-a-left": "replica",
        "a-after": None,
        "b-after": None,
    }
    assert replica_alias() is None  # and this thread never saw any of it


@pytest.mark.usefixtures("replica_on")
def test_sharing_one_instance_across_threads_would_break_negative_control():
    """Why use_replica recreates itself per call: a single shared instance keeps one token,
    and the second thread's entry overwrites the first's."""

    class SharedInstance(use_replica):
        def _recreate_cm(self):
            return self

    @SharedInstance()
    def listing(name, both_inside, first_left, seen):
        both_inside.wait()

    _, errors = _run_in_two_threads_at_once(
        lambda name, both_inside, first_left, seen: listing(name, both_inside, first_left, seen)
    )
    # One thread resets the other's token: "created in a different Context" or "already used".
    assert errors and all(isinstance(error, ValueError | RuntimeError) for error in errors)


@pytest.mark.usefixtures("replica_on")
def test_asyncio_tasks_do_not_see_each_others_state():
    async def inside(started, release):
        with use_replica():
            started.set()
            await release.wait()
            return replica_alias()

    async def outside(started):
        await started.wait()
        return replica_alias()

    async def main():
        started, release = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(inside(started, release))
        seen_outside = await outside(started)
        release.set()
        return seen_outside, await task

    assert asyncio.run(main()) == (None, "replica")


# ---------------------------------------------------------------------------------------------
# Where the queries really go
# ---------------------------------------------------------------------------------------------
@with_replica_db
@pytest.mark.usefixtures("replica_on")
@pytest.mark.parametrize(
    "read",
    [
        lambda: selectors.home_page(),
        lambda: selectors.event_search(filters=SearchFilters(q="fado")),
        lambda: selectors.city_by_slug(slug="lisbon"),
        lambda: selectors.autocomplete(text="fad"),
    ],
    ids=["home_page", "event_search", "city_by_slug", "autocomplete"],
)
def test_listing_selectors_read_the_replica(catalogue, read):
    with Queries() as queries:
        result = read()
    assert result
    assert queries.sql("replica"), "nothing was read from the replica"
    assert queries.sql("default") == []


@with_replica_db
@pytest.mark.usefixtures("replica_on")
def test_listing_results_are_what_the_primary_holds(catalogue):
    with Queries() as queries:
        results = selectors.event_search(filters=SearchFilters(q="fado"))
        suggestions = selectors.autocomplete(text="fad")
    assert {event.slug for event in results.events} == {"fado-evening", "fado-matinee"}
    assert {item["title"] for item in suggestions["events"]} == {"Fado evening", "Fado matinee"}
    assert queries.sql("default") == []


@with_replica_db
@pytest.mark.usefixtures("replica_on")
def test_the_event_page_and_availability_read_the_primary(catalogue):
    user = UserFactory()
    with Queries() as queries:
        event = selectors.event_detail(slug=catalogue.slug)
        selectors.event_for_visitor(slug=catalogue.slug)  # a signed-in visitor's parts
        selectors.booking_options(event=event)
        selectors.event_reviews(event=event)
        selectors.similar_events(event=event)
        selectors.is_favorite(event=event, user=user)
        booking_selectors.event_tickets_left(event=event)
        booking_selectors.event_overdue_held(event=event)
    assert queries.sql("default")
    assert queries.sql("replica") == []


@with_replica_db
@pytest.mark.usefixtures("replica_on")
def test_booking_and_paying_use_only_the_primary(catalogue):
    user = UserFactory()
    with Queries() as queries:
        booking = booking_services.booking_hold(user=user, event=catalogue, quantity=2)
        booking_services.booking_pay_by_card(booking=booking, card_number="4242424242424242")
        booking_selectors.booking_for_user(user=user, reference=booking.reference)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert queries.sql("default")
    assert queries.sql("replica") == []


@with_replica_db
@pytest.mark.usefixtures("replica_on")
def test_reads_inside_a_transaction_use_the_primary_and_see_its_writes(catalogue):
    with transaction.atomic():
        Event.objects.filter(pk=catalogue.pk).update(title="Fado night")
        with Queries() as inside:
            with use_replica():
                assert replica_alias() is None
            home = selectors.home_page()
            found = selectors.event_search(filters=SearchFilters(q="fado"))
            suggestions = selectors.autocomplete(text="fado n")
    with Queries() as after_commit:
        again = selectors.autocomplete(text="fado n")
    assert "Fado night" in [event.title for event in home.featured]  # its own, uncommitted write
    assert "Fado night" in [event.title for event in found.events]
    assert [item["title"] for item in suggestions["events"]] == ["Fado night"]
    assert inside.sql("default") and inside.sql("replica") == []
    # Once committed, listings read the replica again.
    assert [item["title"] for item in again["events"]] == ["Fado night"]
    assert after_commit.sql("replica") and after_commit.sql("default") == []


@with_replica_db
@pytest.mark.usefixtures("replica_on")
def test_listing_pages_read_the_replica_and_the_rest_of_the_site_the_primary(catalogue):
    anonymous = Client()
    for path in ["/", "/events/?q=fado", "/city/lisbon/", "/search/autocomplete/?q=fad"]:
        with Queries() as queries:
            assert anonymous.get(path).status_code == 200, path
        assert queries.sql("replica"), path
        assert queries.sql("default") == [], path

    UserFactory(username="ana")
    signed_in = Client()
    with Queries() as queries:
        response = signed_in.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
        assert response.status_code == 302
        for path in [f"/event/{catalogue.slug}/", "/profile/", "/my-bookings/"]:
            assert signed_in.get(path).status_code == 200, path
        booked = signed_in.post(f"/event/{catalogue.slug}/book/", {"quantity": 1})
        assert booked.status_code == 302
    assert queries.sql("replica") == []  # sessions, log-in, the event page, booking
    assert any("django_session" in sql for sql in queries.sql("default"))
    assert Booking.objects.filter(user__username="ana").count() == 1
