"""Hosting services: create/update/delete events and manage their images, with permissions,
exact counters left alone, and the one-primary-image rule never violated."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from eventmate.core import cache_versions
from eventmate.events import services
from eventmate.events.exceptions import (
    CapacityBelowTicketsTaken,
    CurrencyLocked,
    NotAHost,
    NotAllowed,
    TooManyImages,
)
from eventmate.events.models import Event, EventImage
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    EventImageFactory,
    HostFactory,
    ReviewFactory,
    UserFactory,
    uploaded_image,
)

pytestmark = pytest.mark.django_db


def event_fields(**overrides):
    starts_at = timezone.now() + timedelta(days=20)
    fields = {
        "title": "Harbour Jazz",
        "description": "Live jazz by the water.",
        "category": "music",
        "city": CityFactory(),
        "venue": "Pier 4",
        "address": "",
        "latitude": None,
        "longitude": None,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "price": Decimal("20.00"),
        "currency": "USD",
        "capacity": 50,
        "whats_included": "",
        "things_to_know": "",
        "cancellation_policy": "",
        "free_cancellation_hours": 48,
        "minimum_age": 0,
        "is_published": True,
    }
    fields.update(overrides)
    return fields


def images_of(event):
    return list(EventImage.objects.filter(event=event).order_by("order", "pk"))


def primary_ids(event):
    return list(
        EventImage.objects.filter(event=event, is_primary=True).values_list("pk", flat=True)
    )


# --- create --------------------------------------------------------------------------------


def test_host_creates_event_with_images_first_is_primary():
    host = HostFactory()
    event = services.event_create(
        actor=host,
        fields=event_fields(),
        uploads=[uploaded_image("a.png"), uploaded_image("b.png")],
    )
    images = images_of(event)
    assert event.host == host
    assert [image.is_primary for image in images] == [True, False]
    assert [image.order for image in images] == [0, 1]
    assert all(image.alt_text == "Harbour Jazz" for image in images)


def test_uploaded_files_get_random_names_with_the_detected_extension():
    upload = uploaded_image("holiday.html", image_format="PNG")
    event = services.event_create(actor=HostFactory(), fields=event_fields(), uploads=[upload])
    name = images_of(event)[0].image.name
    assert name.endswith(".png")
    assert "holiday" not in name


def test_regular_user_cannot_create_event():
    with pytest.raises(NotAHost):
        services.event_create(actor=UserFactory(), fields=event_fields())
    assert Event.objects.count() == 0


def test_staff_can_create_event():
    staff = UserFactory(is_staff=True)
    event = services.event_create(actor=staff, fields=event_fields())
    assert event.host == staff


def test_create_refuses_fields_hosts_do_not_set():
    with pytest.raises(ValueError, match="tickets_sold"):
        services.event_create(actor=HostFactory(), fields=event_fields(tickets_sold=5))


def test_create_refuses_a_file_that_is_not_an_image_and_keeps_nothing(settings):
    bad = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError):
        services.event_create(
            actor=HostFactory(), fields=event_fields(), uploads=[uploaded_image(), bad]
        )
    assert Event.objects.count() == 0
    stored = list((settings.MEDIA_ROOT).rglob("*.*")) if settings.MEDIA_ROOT.exists() else []
    assert stored == []


def test_create_invalidates_caches_only_on_commit(monkeypatch, django_capture_on_commit_callbacks):
    changed = []
    monkeypatch.setattr(cache_versions, "event_changed", changed.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = services.event_create(actor=HostFactory(), fields=event_fields())
    assert changed == []
    for callback in callbacks:
        callback()
    assert changed == [event.pk]


# --- update --------------------------------------------------------------------------------


def test_update_writes_only_changed_fields_and_never_touches_counters():
    event = EventFactory(capacity=10)
    host = event.host
    stale = Event.objects.get(pk=event.pk)
    # The booking services change the counters after the edit form was loaded.
    Event.objects.filter(pk=event.pk).update(tickets_sold=4, tickets_held=2)
    services.event_update(actor=host, event=stale, fields={"price": Decimal("30.00")})
    event.refresh_from_db()
    assert event.price == Decimal("30.00")
    assert (event.tickets_sold, event.tickets_held) == (4, 2)


def test_update_refuses_capacity_below_sold_plus_held_from_the_locked_row():
    event = EventFactory(capacity=10)
    Event.objects.filter(pk=event.pk).update(tickets_sold=5, tickets_held=3)
    stale = Event.objects.get(pk=event.pk)
    stale.tickets_sold = stale.tickets_held = 0  # what an old form instance believed
    with pytest.raises(CapacityBelowTicketsTaken) as error:
        services.event_update(actor=event.host, event=stale, fields={"capacity": 7})
    assert error.value.taken == 8
    event.refresh_from_db()
    assert event.capacity == 10


def test_update_allows_capacity_equal_to_sold_plus_held():
    event = EventFactory(capacity=10)
    Event.objects.filter(pk=event.pk).update(tickets_sold=5, tickets_held=3)
    services.event_update(actor=event.host, event=event, fields={"capacity": 8})
    event.refresh_from_db()
    assert event.capacity == 8


def test_update_refuses_currency_change_once_booked():
    event = EventFactory(currency="USD")
    BookingFactory(event=event)
    with pytest.raises(CurrencyLocked):
        services.event_update(actor=event.host, event=event, fields={"currency": "EUR"})
    event.refresh_from_db()
    assert event.currency == "USD"


def test_other_host_cannot_update_and_nothing_changes():
    event = EventFactory(title="Original")
    with pytest.raises(NotAllowed):
        services.event_update(actor=HostFactory(), event=event, fields={"title": "Hijacked"})
    event.refresh_from_db()
    assert event.title == "Original"


def test_staff_can_update_any_event():
    event = EventFactory(title="Original")
    services.event_update(actor=UserFactory(is_staff=True), event=event, fields={"title": "New"})
    event.refresh_from_db()
    assert event.title == "New"


# --- images --------------------------------------------------------------------------------


def test_switching_primary_unsets_the_old_one_first():
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=True)
    second = EventImageFactory(event=event, is_primary=False)
    services.event_image_set_primary(actor=event.host, event=event, image_id=second.pk)
    assert primary_ids(event) == [second.pk]
    services.event_image_set_primary(actor=event.host, event=event, image_id=first.pk)
    assert primary_ids(event) == [first.pk]


def test_setting_primary_to_another_events_image_is_refused():
    event = EventFactory()
    mine = EventImageFactory(event=event, is_primary=True)
    foreign = EventImageFactory(is_primary=True)
    with pytest.raises(services.ImageNotFound):
        services.event_image_set_primary(actor=event.host, event=event, image_id=foreign.pk)
    assert primary_ids(event) == [mine.pk]
    assert primary_ids(foreign.event) == [foreign.pk]


def test_update_switches_primary_and_relabels_in_one_go():
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=True, order=0)
    second = EventImageFactory(event=event, is_primary=False, order=1)
    services.event_update(
        actor=event.host,
        event=event,
        fields={},
        image_changes=services.ImageChanges(
            alt_texts={first.pk: "Stage", second.pk: "Crowd"}, primary=second.pk
        ),
    )
    assert primary_ids(event) == [second.pk]
    assert [image.alt_text for image in images_of(event)] == ["Stage", "Crowd"]


def test_removing_the_primary_promotes_the_first_remaining_image():
    event = EventFactory()
    primary = EventImageFactory(event=event, is_primary=True, order=0)
    later = EventImageFactory(event=event, order=2)
    sooner = EventImageFactory(event=event, order=1)
    services.event_image_remove(actor=event.host, event=event, image_id=primary.pk)
    assert not EventImage.objects.filter(pk=primary.pk).exists()
    assert primary_ids(event) == [sooner.pk]
    assert later.pk != sooner.pk


def test_removing_an_image_deletes_its_file_after_commit(django_capture_on_commit_callbacks):
    event = EventFactory()
    image = EventImageFactory(event=event, is_primary=True)
    storage, name = image.image.storage, image.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_image_remove(actor=event.host, event=event, image_id=image.pk)
    assert not storage.exists(name)


def test_removing_primary_and_choosing_it_again_still_leaves_one_primary():
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=True, order=0)
    second = EventImageFactory(event=event, order=1)
    services.event_update(
        actor=event.host,
        event=event,
        fields={},
        image_changes=services.ImageChanges(remove=frozenset({first.pk}), primary=first.pk),
    )
    assert primary_ids(event) == [second.pk]


def test_reorder_puts_moved_image_before_the_one_it_ties_with():
    event = EventFactory()
    a = EventImageFactory(event=event, order=0, is_primary=True)
    b = EventImageFactory(event=event, order=1)
    c = EventImageFactory(event=event, order=2)
    services.event_images_reorder(
        actor=event.host, event=event, positions={a.pk: 1, b.pk: 2, c.pk: 1}
    )
    assert [image.pk for image in images_of(event)] == [c.pk, a.pk, b.pk]
    assert [image.order for image in images_of(event)] == [0, 1, 2]


def test_added_image_goes_last_and_is_primary_only_if_none_is():
    event = EventFactory()
    existing = EventImageFactory(event=event, order=5, is_primary=True)
    added = services.event_image_add(actor=event.host, event=event, upload=uploaded_image())
    assert added.order == 6
    assert primary_ids(event) == [existing.pk]


def test_first_image_added_to_an_event_without_images_becomes_primary():
    event = EventFactory()
    added = services.event_image_add(actor=event.host, event=event, upload=uploaded_image())
    assert primary_ids(event) == [added.pk]


def test_too_many_images_are_refused():
    event = EventFactory()
    for _ in range(services.MAX_IMAGES_PER_EVENT):
        EventImageFactory(event=event)
    with pytest.raises(TooManyImages):
        services.event_image_add(actor=event.host, event=event, upload=uploaded_image())
    assert EventImage.objects.filter(event=event).count() == services.MAX_IMAGES_PER_EVENT


def test_other_host_cannot_touch_images():
    event = EventFactory()
    image = EventImageFactory(event=event, is_primary=True)
    intruder = HostFactory()
    with pytest.raises(NotAllowed):
        services.event_image_remove(actor=intruder, event=event, image_id=image.pk)
    with pytest.raises(NotAllowed):
        services.event_image_add(actor=intruder, event=event, upload=uploaded_image())
    assert images_of(event) == [image]


# --- delete or unpublish -------------------------------------------------------------------


def test_event_without_bookings_is_deleted_with_its_images(django_capture_on_commit_callbacks):
    event = EventFactory()
    image = EventImageFactory(event=event, is_primary=True)
    storage, name = image.image.storage, image.image.name
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.event_delete_or_unpublish(actor=event.host, event=event)
    assert outcome == services.DeleteOutcome.DELETED
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not storage.exists(name)


@pytest.mark.parametrize("status", ["confirmed", "cancelled", "refunded"])
def test_event_with_any_booking_is_unpublished_not_deleted(status):
    event = EventFactory(is_published=True)
    BookingFactory(event=event, status=status)
    outcome = services.event_delete_or_unpublish(actor=event.host, event=event)
    assert outcome == services.DeleteOutcome.UNPUBLISHED
    event.refresh_from_db()
    assert event.is_published is False
    assert event.bookings.count() == 1


def test_deleting_an_event_removes_its_favourites_and_reviews_rows():
    event = EventFactory()
    ReviewFactory(event=event)
    services.event_delete_or_unpublish(actor=event.host, event=event)
    assert not Event.objects.filter(pk=event.pk).exists()


def test_other_host_cannot_delete_and_nothing_changes():
    event = EventFactory(is_published=True)
    with pytest.raises(NotAllowed):
        services.event_delete_or_unpublish(actor=HostFactory(), event=event)
    event.refresh_from_db()
    assert event.is_published is True


def test_staff_can_delete_any_event():
    event = EventFactory()
    services.event_delete_or_unpublish(actor=UserFactory(is_staff=True), event=event)
    assert not Event.objects.filter(pk=event.pk).exists()
