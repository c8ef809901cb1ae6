"""`manage.py seed_demo`: the demo data keeps every invariant the services keep."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.demo.bulk import drop_for_bulk_load, restore_after_bulk_load
from eventmate.demo.seed import CATEGORY_WEIGHTS, DEMO_PASSWORD, demo_users, flush_demo_data
from eventmate.events.models import Category, City, Event, EventImage
from eventmate.payments.models import TestPayment
from eventmate.payments.providers.base import PaymentKind
from eventmate.payments.providers.testmode import TestProvider
from eventmate.reviews.models import Favorite, Review
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def artwork_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def _shared_artwork(settings, artwork_folder):
    """Drawing the artwork is the slow part of a small seed, and it is the same picture for
    the same name: share one media folder across this module so it is drawn once."""
    settings.MEDIA_ROOT = artwork_folder


SMALL = {
    "events": 80,
    "users": 25,
    "hosts": 4,
    "cities": 6,
    "bookings": 260,
    "reviews": 40,
    "favorites": 60,
    "images": 2,
}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def snapshot() -> dict:
    """What a run produced, independent of primary keys."""
    return {
        "cities": list(City.objects.order_by("slug").values_list("slug", "name", "timezone")),
        "users": list(User.objects.order_by("username").values_list("username", "is_host")),
        "events": list(
            Event.objects.order_by("slug").values_list(
                "slug", "title", "category", "city__slug", "host__username", "price",
                "capacity", "tickets_sold", "tickets_held", "rating_average", "rating_count",
            )
        ),
        "bookings": sorted(
            Booking.objects.values_list("event__slug", "user__username", "quantity", "status")
        ),
        "reviews": sorted(
            Review.objects.values_list("event__slug", "user__username", "rating", "comment")
        ),
        "favorites": sorted(Favorite.objects.values_list("event__slug", "user__username")),
    }  # fmt: skip


def test_ticket_counters_equal_the_booking_sums():
    seed()
    events = Event.objects.annotate(
        confirmed=Sum("bookings__quantity", filter=Q(bookings__status="confirmed"), default=0),
        pending=Sum("bookings__quantity", filter=Q(bookings__status="pending"), default=0),
    )
    assert events.filter(tickets_sold__gt=0).exists()
    assert events.filter(tickets_held__gt=0).exists()
    for event in events:
        assert (event.tickets_sold, event.tickets_held) == (event.confirmed, event.pending)
        assert event.tickets_sold + event.tickets_held <= event.capacity


def test_pending_bookings_hold_until_a_future_expiry():
    seed()
    pending = Booking.objects.filter(status=Booking.Status.PENDING)
    assert pending.exists()
    assert not pending.filter(hold_expires_at__lte=timezone.now()).exists()
    assert not pending.filter(event__starts_at__lte=timezone.now()).exists()


def test_booking_totals_are_unit_price_times_quantity():
    seed()
    for booking in Booking.objects.select_related("event"):
        assert booking.unit_price == booking.event.price
        assert booking.total == booking.unit_price * booking.quantity


def test_paid_bookings_have_matching_test_payments_that_can_be_refunded():
    seed()
    paid = Booking.objects.filter(status=Booking.Status.CONFIRMED, unit_price__gt=0)
    assert paid.exists()
    for booking in paid:
        payment = TestPayment.objects.get(reference=booking.payment_reference)
        assert (payment.order_reference, payment.amount) == (booking.reference, booking.total)
    assert not Booking.objects.filter(
        status__in=[Booking.Status.PENDING, Booking.Status.EXPIRED],
        payment_reference__isnull=False,
    ).exists()
    booking = paid.first()
    provider = TestProvider()
    assert provider.fetch_status(reference=booking.payment_reference).kind == PaymentKind.PAID
    provider.refund(
        reference=booking.payment_reference,
        amount=booking.total,
        currency=booking.currency,
        idempotency_key="demo-test",
    )
    assert TestPayment.objects.get(reference=booking.payment_reference).status == "refunded"


def test_stored_ratings_equal_the_review_aggregates():
    seed()
    events = Event.objects.annotate(reviews_count=Count("reviews"), average=Avg("reviews__rating"))
    assert events.filter(reviews_count__gt=0).exists()
    for event in events:
        assert event.rating_count == event.reviews_count
        expected = Decimal("0.00")
        if event.average is not None:
            expected = Decimal(str(event.average)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert event.rating_average == expected


def test_reviews_come_from_confirmed_attendees_of_past_events():
    seed()
    reviews = Review.objects.select_related("event", "booking")
    assert reviews.exists()
    for review in reviews:
        assert 1 <= review.rating <= 5
        assert review.event.ends_at < timezone.now()
        assert review.booking.status == Booking.Status.CONFIRMED
        assert (review.booking.user_id, review.booking.event_id) == (
            review.user_id,
            review.event_id,
        )


def test_every_event_has_exactly_one_primary_image_and_its_file_exists():
    seed()
    counts = Event.objects.annotate(
        primaries=Count("images", filter=Q(images__is_primary=True)), pictures=Count("images")
    )
    assert set(counts.values_list("primaries", flat=True)) == {1}
    assert counts.filter(pictures__gt=1).exists()
    for name in set(EventImage.objects.values_list("image", flat=True)):
        assert default_storage.exists(name)
    for name in City.objects.values_list("image", flat=True):
        assert default_storage.exists(name)


def test_every_category_is_present():
    assert set(CATEGORY_WEIGHTS) == set(Category.values)
    seed()
    assert set(Event.objects.values_list("category", flat=True)) == set(Category.values)


def test_the_cities_the_project_names_exist_even_when_few_are_asked_for():
    seed(cities=1)
    assert set(City.objects.values_list("slug", flat=True)) >= {
        "new-york", "los-angeles", "chicago", "houston", "phoenix",
    }  # fmt: skip


def test_events_are_past_and_upcoming_free_and_paid_and_some_nearly_sold_out():
    seed()
    now = timezone.now()
    assert Event.objects.filter(ends_at__lt=now).exists()
    assert Event.objects.filter(starts_at__gt=now).count() > Event.objects.count() // 2
    assert Event.objects.filter(price=0).exists()
    assert Event.objects.filter(price__gt=0).exists()
    nearly_sold_out = [
        e
        for e in Event.objects.filter(starts_at__gt=now, tickets_sold__gt=0)
        if e.tickets_left <= 4
    ]
    assert nearly_sold_out
    assert any(e.ends_at - e.starts_at > timedelta(hours=24) for e in Event.objects.all())


def test_events_are_varied():
    seed(events=200, bookings=300)
    events = Event.objects.all()
    assert len({e.title for e in events}) > len(events) // 2
    assert len({e.starts_at.date() for e in events}) > 40
    assert len({e.city_id for e in events}) == SMALL["cities"]
    assert len({e.price for e in events}) > 20


def test_multi_line_text_is_stored_as_written():
    seed()
    event = Event.objects.get(slug="jazz-festival-1")
    assert "\n\n" in event.description
    assert len(event.whats_included.splitlines()) >= 2
    assert "\\" not in event.description


def test_search_demo_titles_exist():
    seed()
    assert Event.objects.filter(title="Jazz Festival").exists()
    assert Event.objects.filter(title__icontains="jazz").count() >= 1


def test_slugs_are_title_based_and_unique():
    seed()
    slugs = list(Event.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    assert Event.objects.get(title="Jazz Festival").slug == "jazz-festival-1"


def test_running_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert "already loaded" in output
    assert snapshot() == before


def test_same_options_give_the_same_data():
    seed()
    first = snapshot()
    flush_demo_data()
    models = (City, User, Event, Booking, Review, Favorite, TestPayment)
    assert not any(m.objects.exists() for m in models)
    seed()
    assert snapshot() == first


def test_a_different_seed_gives_different_titles():
    seed()
    first = snapshot()["events"]
    flush_demo_data()
    seed(seed=7)
    assert snapshot()["events"] != first


def test_if_empty_does_nothing_when_an_event_exists():
    EventFactory()
    output = seed(if_empty=True)
    assert "already has events" in output
    assert Event.objects.count() == 1
    assert not demo_users().exists()


def test_if_empty_seeds_an_empty_database():
    seed(if_empty=True)
    assert Event.objects.count() == SMALL["events"]


def test_flush_removes_demo_data_and_keeps_everything_else():
    own_event = EventFactory()
    stranger = UserFactory()
    seed()
    demo_event = Event.objects.get(slug="jazz-festival-1")
    BookingFactory(user=stranger, event=demo_event)
    BookingFactory(user=demo_users().get(username="demo"), event=own_event)

    call_command("seed_demo", flush=True, stdout=StringIO(), **{**SMALL, "events": 0})

    assert list(Event.objects.all()) == [own_event]
    assert not Booking.objects.exists()
    assert User.objects.filter(pk__in=[stranger.pk, own_event.host_id]).count() == 2


def test_demo_logins_work_and_are_printed():
    output = seed()
    for username in ("admin", "host", "demo"):
        assert f"username: {username}" in output
    assert DEMO_PASSWORD in output
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    host = authenticate(username="host", password=DEMO_PASSWORD)
    demo = authenticate(username="demo", password=DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    assert host.is_host and host.hosted_events.exists()
    assert not demo.is_staff
    assert demo.bookings.filter(status=Booking.Status.CONFIRMED).exists()
    assert demo.favorites.exists()


def test_an_existing_account_with_a_demo_username_is_left_alone():
    admin = UserFactory(username="Admin", email="boss@example.org")
    output = seed()
    admin.refresh_from_db()
    assert admin.email == "boss@example.org"
    assert not admin.check_password(DEMO_PASSWORD)
    assert "'admin' already existed" in output
    assert User.objects.filter(username__iexact="admin").count() == 1


def test_emails_are_unique_ignoring_case():
    seed()
    emails = [e.lower() for e in User.objects.values_list("email", flat=True)]
    assert len(emails) == len(set(emails))


def test_search_vector_is_filled_by_the_trigger_on_postgresql(postgres_only):
    seed()
    assert not Event.objects.filter(search_vector__isnull=True).exists()
    assert connection.vendor == "postgresql"


def test_bulk_load_restores_indexes_and_foreign_keys_exactly(postgres_only):
    def structure():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
                [Booking._meta.db_table],
            )
            indexes = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass ORDER BY conname",
                [Booking._meta.db_table],
            )
            return indexes, cursor.fetchall()

    before = structure()
    statements = drop_for_bulk_load([Booking])
    indexes, constraints = structure()
    assert any("FOREIGN KEY" in s for s in statements)
    assert all("UNIQUE" in d for d in indexes)  # primary key and unique reference stay
    assert not any("FOREIGN KEY" in d for _, d in constraints)
    restore_after_bulk_load(statements)
    assert structure() == before


def test_restoring_a_foreign_key_validates_the_loaded_rows(postgres_only):
    seed()
    statements = drop_for_bulk_load([Booking])
    booking = Booking.objects.first()
    Booking.objects.filter(pk=booking.pk).update(event_id=10**12)  # no such event
    with pytest.raises(IntegrityError), transaction.atomic():
        restore_after_bulk_load(statements)
