"""EventForm and EventImagesForm: local times, limits a host can hit, and upload checks."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from eventmate.events.forms import EventForm, EventImagesForm
from eventmate.events.models import Event
from eventmate.events.services import MAX_IMAGES_PER_EVENT
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    EventImageFactory,
    uploaded_image,
)

pytestmark = pytest.mark.django_db

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def next_year_local(month, day, hour, minute=0):
    return datetime(timezone.now().year + 1, month, day, hour, minute)


def form_data(for_city, **overrides):
    starts = next_year_local(6, 12, 19, 30)
    data = {
        "title": "Harbour Jazz",
        "description": "Live jazz by the water.",
        "category": "music",
        "city": str(for_city.pk),
        "venue": "Pier 4",
        "address": "",
        "latitude": "",
        "longitude": "",
        "starts_at": starts.strftime(LOCAL_FORMAT),
        "ends_at": (starts + timedelta(hours=3)).strftime(LOCAL_FORMAT),
        "price": "20.00",
        "currency": "USD",
        "capacity": "50",
        "whats_included": "",
        "things_to_know": "",
        "cancellation_policy": "",
        "free_cancellation_hours": "48",
        "minimum_age": "0",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_times_are_read_in_the_selected_citys_time_zone():
    tokyo = CityFactory(timezone="Asia/Tokyo")
    form = EventForm(
        form_data(tokyo, starts_at=next_year_local(6, 12, 19, 30).strftime(LOCAL_FORMAT))
    )
    assert form.is_valid(), form.errors
    starts_at = form.cleaned_data["starts_at"]
    assert starts_at == next_year_local(6, 12, 19, 30).replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    assert starts_at.astimezone(ZoneInfo("UTC")).hour == 10


def test_edit_form_shows_stored_times_in_the_citys_time_zone():
    city = CityFactory(timezone="America/New_York")
    starts = datetime(timezone.now().year + 1, 1, 15, 0, 0, tzinfo=ZoneInfo("UTC"))
    event = EventFactory(city=city, starts_at=starts, ends_at=starts + timedelta(hours=2))
    rendered = str(EventForm(instance=event)["starts_at"])
    assert f'value="{starts.year}-01-14T19:00"' in rendered


def test_a_time_skipped_by_daylight_saving_is_refused():
    city = CityFactory(timezone="America/New_York")
    year = timezone.now().year + 1
    # The second Sunday of March: clocks jump from 02:00 to 03:00.
    march = [datetime(year, 3, day) for day in range(8, 15)]
    gap_day = next(day for day in march if day.weekday() == 6)
    gap = gap_day.replace(hour=2, minute=30)
    form = EventForm(
        form_data(
            city,
            starts_at=gap.strftime(LOCAL_FORMAT),
            ends_at=(gap + timedelta(hours=3)).strftime(LOCAL_FORMAT),
        )
    )
    assert not form.is_valid()
    assert "daylight-saving" in form.errors["starts_at"][0]


@pytest.mark.parametrize("value", ["not a date", "99999-01-01T10:00", "2024-13-45T10:00"])
def test_unparsable_times_are_form_errors(value):
    form = EventForm(form_data(CityFactory(), starts_at=value))
    assert not form.is_valid()
    assert "starts_at" in form.errors


def test_end_must_be_after_start():
    data = form_data(CityFactory())
    data["ends_at"] = data["starts_at"]
    form = EventForm(data)
    assert not form.is_valid()
    assert form.errors["ends_at"] == ["The end must be after the start."]


def test_new_event_must_start_in_the_future():
    past = (timezone.now() - timedelta(days=1)).strftime(LOCAL_FORMAT)
    form = EventForm(form_data(CityFactory(timezone="UTC"), starts_at=past))
    assert not form.is_valid()
    assert "future" in form.errors["starts_at"][0]


def test_editing_other_fields_of_a_started_event_is_allowed():
    city = CityFactory(timezone="UTC")
    starts = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    event = EventFactory(city=city, starts_at=starts, ends_at=starts + timedelta(hours=5))
    data = form_data(
        city,
        starts_at=starts.astimezone(ZoneInfo("UTC")).strftime(LOCAL_FORMAT),
        ends_at=(starts + timedelta(hours=5)).astimezone(ZoneInfo("UTC")).strftime(LOCAL_FORMAT),
        title="Renamed while on",
    )
    form = EventForm(data, instance=event)
    assert form.is_valid(), form.errors


def test_capacity_below_tickets_sold_and_held_is_a_form_error():
    event = EventFactory(capacity=20)
    Event.objects.filter(pk=event.pk).update(tickets_sold=6, tickets_held=4)
    event.refresh_from_db()
    form = EventForm(form_data(event.city, capacity="9"), instance=event)
    assert not form.is_valid()
    assert "10 tickets are already sold or held" in form.errors["capacity"][0]


def test_currency_cannot_change_once_booked():
    event = EventFactory(currency="USD")
    BookingFactory(event=event)
    form = EventForm(form_data(event.city, currency="EUR"), instance=event)
    assert not form.is_valid()
    assert "currency" in form.errors


def test_coordinates_are_rounded_to_six_decimals():
    form = EventForm(form_data(CityFactory(), latitude="40.71277539", longitude="-74.00597381"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["latitude"] == Decimal("40.712775")
    assert form.cleaned_data["longitude"] == Decimal("-74.005974")


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("91", "10"), ("10", "-181"), ("NaN", "1"), ("Infinity", "1"), ("1e999999", "1"), ("10", "")],
)
def test_bad_coordinates_are_form_errors(latitude, longitude):
    form = EventForm(form_data(CityFactory(), latitude=latitude, longitude=longitude))
    assert not form.is_valid()


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "-1"), ("price", "1e20"), ("capacity", "0"), ("capacity", "99999999999"),
     ("minimum_age", "150"), ("free_cancellation_hours", "-5"), ("currency", "XXX"),
     ("category", "unknown"), ("city", "999999"),
     ("city", "99999999999999999999"), ("capacity", "1e3"), ("title", "   ")],
)  # fmt: skip
def test_out_of_range_values_are_form_errors(field, value):
    form = EventForm(form_data(CityFactory(), **{field: value}))
    assert not form.is_valid()
    assert field in form.errors


# --- images --------------------------------------------------------------------------------


def images_form(files, data=None, images=()):
    return EventImagesForm(data or {}, MultiValueDict({"uploads": files}), images=images)


def test_several_uploads_are_accepted():
    form = images_form([uploaded_image("a.png"), uploaded_image("b.jpg", image_format="JPEG")])
    assert form.is_valid(), form.errors
    assert len(form.uploads_cleaned) == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("doc.png", b"%PDF-1.4 not an image"), "not an image"),
        (
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "not an image",
        ),
        (uploaded_image("huge.png", size=(7000, 10)), "at most"),
        (uploaded_image("pic.bmp", image_format="BMP"), "JPEG, PNG, GIF or WebP"),
    ],
)
def test_bad_uploads_are_refused_with_the_file_name(upload, message):
    form = images_form([uploaded_image("fine.png"), upload])
    assert not form.is_valid()
    errors = form.errors["uploads"]
    assert len(errors) == 1
    assert errors[0].startswith(f"{upload.name}: ")
    assert message in errors[0]


def test_upload_over_the_size_limit_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    form = images_form([uploaded_image("big.png", size=(400, 400), image_format="BMP")])
    assert not form.is_valid()


def test_too_many_images_in_total_is_a_form_error():
    event = EventFactory()
    images = [EventImageFactory(event=event) for _ in range(MAX_IMAGES_PER_EVENT - 1)]
    data = {}
    for position, image in enumerate(images, start=1):
        data[f"position_{image.pk}"] = str(position)
    form = images_form([uploaded_image("a.png"), uploaded_image("b.png")], data, images)
    assert not form.is_valid()
    assert "at most" in form.errors["uploads"][0]


def test_image_changes_are_read_per_image_id():
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=True)
    second = EventImageFactory(event=event)
    data = {
        f"alt_{first.pk}": " Stage ",
        f"position_{first.pk}": "2",
        f"alt_{second.pk}": "Crowd",
        f"position_{second.pk}": "1",
        f"remove_{first.pk}": "on",
        "primary": str(second.pk),
    }
    form = images_form([], data, [first, second])
    assert form.is_valid(), form.errors
    changes = form.changes()
    assert changes.alt_texts == {first.pk: "Stage", second.pk: "Crowd"}
    assert changes.positions == {first.pk: 2, second.pk: 1}
    assert changes.remove == {first.pk}
    assert changes.primary == second.pk


def test_primary_must_be_one_of_this_events_images():
    event = EventFactory()
    mine = EventImageFactory(event=event, is_primary=True)
    foreign = EventImageFactory()
    data = {f"position_{mine.pk}": "1", "primary": str(foreign.pk)}
    form = images_form([], data, [mine])
    assert not form.is_valid()
    assert "primary" in form.errors
