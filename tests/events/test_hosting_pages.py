"""Hosting pages: who may create, edit and delete; what my-events shows; query budgets."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from eventmate.bookings.models import Booking
from eventmate.events.hosting_selectors import CONFIRMED_BOOKING_STATUS
from eventmate.events.models import Event, EventImage
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    EventImageFactory,
    HostFactory,
    UserFactory,
    uploaded_image,
)

pytestmark = pytest.mark.django_db

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def form_data(for_city, **overrides):
    starts = datetime(timezone.now().year + 1, 6, 12, 19, 30)
    data = {
        "title": "Harbour Jazz",
        "description": "Live jazz by the water.",
        "category": "music",
        "city": str(for_city.pk),
        "venue": "Pier 4",
        "starts_at": starts.strftime(LOCAL_FORMAT),
        "ends_at": (starts + timedelta(hours=3)).strftime(LOCAL_FORMAT),
        "price": "20.00",
        "currency": "USD",
        "capacity": "50",
        "free_cancellation_hours": "48",
        "minimum_age": "0",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def edit_data(event, **overrides):
    local = ZoneInfo(event.city.timezone)
    data = form_data(
        event.city,
        title=event.title,
        starts_at=event.starts_at.astimezone(local).strftime(LOCAL_FORMAT),
        ends_at=event.ends_at.astimezone(local).strftime(LOCAL_FORMAT),
        price=str(event.price),
        capacity=str(event.capacity),
    )
    for position, image in enumerate(event.images.all(), start=1):
        data[f"alt_{image.pk}"] = image.alt_text
        data[f"position_{image.pk}"] = str(position)
        if image.is_primary:
            data["primary"] = str(image.pk)
    data.update(overrides)
    return data


@pytest.fixture
def host_client(client):
    host = HostFactory()
    client.force_login(host)
    client.host = host
    return client


# --- create --------------------------------------------------------------------------------


def test_anonymous_create_redirects_to_login():
    response = Client().get(reverse("events:event-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/create/" in response["Location"]


def test_non_host_gets_403_explaining_how_to_become_a_host(client):
    client.force_login(UserFactory())
    response = client.get(reverse("events:event-create"))
    assert response.status_code == 403
    assert "Hosting isn't turned on for your account" in response.content.decode()


def test_non_host_post_creates_nothing(client):
    client.force_login(UserFactory())
    response = client.post(reverse("events:event-create"), form_data(CityFactory()))
    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_host_sees_the_create_form(host_client):
    response = host_client.get(reverse("events:event-create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="datetime-local"' in content
    assert 'type="file" name="uploads"' in content and "multiple" in content
    assert 'enctype="multipart/form-data"' in content


def test_host_creates_event_with_two_images(host_client):
    city = CityFactory()
    data = form_data(city, uploads=[uploaded_image("one.png"), uploaded_image("two.png")])
    response = host_client.post(reverse("events:event-create"), data)
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert event.host == host_client.host
    assert event.slug == "harbour-jazz"
    images = list(event.images.order_by("order"))
    assert len(images) == 2
    assert [image.is_primary for image in images] == [True, False]


def test_staff_can_create(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("events:event-create"), form_data(CityFactory()))
    assert response.status_code == 302
    assert Event.objects.count() == 1


def test_invalid_upload_shows_an_error_and_creates_nothing(host_client):
    bad = SimpleUploadedFile("notes.png", b"plain text", content_type="image/png")
    response = host_client.post(
        reverse("events:event-create"), form_data(CityFactory(), uploads=[bad])
    )
    assert response.status_code == 200
    assert "notes.png: Upload a valid image" in response.content.decode()
    assert Event.objects.count() == 0


def test_draft_goes_to_its_edit_page(host_client):
    data = form_data(CityFactory())
    del data["is_published"]
    response = host_client.post(reverse("events:event-create"), data)
    event = Event.objects.get()
    assert event.is_published is False
    assert response["Location"] == reverse("events:event-edit", args=[event.slug])


def test_create_page_rejects_other_methods(host_client):
    assert host_client.put(reverse("events:event-create")).status_code == 405


# --- edit ----------------------------------------------------------------------------------


def test_host_edits_price(host_client):
    event = EventFactory(host=host_client.host, price=Decimal("20.00"))
    response = host_client.post(
        reverse("events:event-edit", args=[event.slug]), edit_data(event, price="35.50")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.price == Decimal("35.50")


def test_edit_form_shows_the_events_current_values(host_client):
    event = EventFactory(host=host_client.host, title="Quiet Piano")
    response = host_client.get(reverse("events:event-edit", args=[event.slug]))
    assert response.status_code == 200
    assert 'value="Quiet Piano"' in response.content.decode()


def test_other_host_cannot_open_or_post_edit_and_nothing_changes(host_client):
    event = EventFactory(title="Not yours", price=Decimal("20.00"))
    url = reverse("events:event-edit", args=[event.slug])
    assert host_client.get(url).status_code == 403
    response = host_client.post(url, edit_data(event, title="Mine now", price="0"))
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.title, event.price) == ("Not yours", Decimal("20.00"))


def test_regular_user_cannot_edit(client):
    event = EventFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("events:event-edit", args=[event.slug])).status_code == 403


def test_staff_can_edit_any_event(client):
    event = EventFactory(price=Decimal("20.00"))
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("events:event-edit", args=[event.slug]), edit_data(event, price="25.00")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.price == Decimal("25.00")


def test_edit_unknown_event_is_404(host_client):
    assert host_client.get(reverse("events:event-edit", args=["no-such-event"])).status_code == 404


def test_capacity_below_sold_plus_held_is_a_form_error_on_the_page(host_client):
    event = EventFactory(host=host_client.host, capacity=20)
    Event.objects.filter(pk=event.pk).update(tickets_sold=7, tickets_held=3)
    event.refresh_from_db()
    response = host_client.post(
        reverse("events:event-edit", args=[event.slug]), edit_data(event, capacity="5")
    )
    assert response.status_code == 200
    assert "10 tickets are already sold or held" in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 20


def test_edit_reorders_picks_primary_and_removes_images(host_client):
    event = EventFactory(host=host_client.host)
    a = EventImageFactory(event=event, order=0, is_primary=True)
    b = EventImageFactory(event=event, order=1)
    c = EventImageFactory(event=event, order=2)
    data = edit_data(event)
    data.update(
        {
            f"position_{a.pk}": "3",
            f"position_{b.pk}": "1",
            f"position_{c.pk}": "2",
            f"remove_{c.pk}": "on",
            "primary": str(b.pk),
        }
    )
    response = host_client.post(reverse("events:event-edit", args=[event.slug]), data)
    assert response.status_code == 302
    remaining = list(EventImage.objects.filter(event=event).order_by("order"))
    assert [image.pk for image in remaining] == [b.pk, a.pk]
    assert [image.order for image in remaining] == [0, 1]
    assert [image.is_primary for image in remaining] == [True, False]


def test_edit_adds_uploaded_images_after_existing_ones(host_client):
    event = EventFactory(host=host_client.host)
    existing = EventImageFactory(event=event, order=0, is_primary=True)
    data = edit_data(event, uploads=[uploaded_image("new.png")], uploads_alt_text="The bar")
    response = host_client.post(reverse("events:event-edit", args=[event.slug]), data)
    assert response.status_code == 302
    images = list(EventImage.objects.filter(event=event).order_by("order"))
    assert images[0] == existing
    assert images[1].alt_text == "The bar"
    assert not images[1].is_primary


def test_edit_page_renders_image_controls(host_client):
    event = EventFactory(host=host_client.host)
    image = EventImageFactory(event=event, is_primary=True)
    content = host_client.get(reverse("events:event-edit", args=[event.slug])).content.decode()
    assert f'name="position_{image.pk}"' in content
    assert f'name="primary" value="{image.pk}" checked' in content
    assert f'name="remove_{image.pk}"' in content


# --- delete --------------------------------------------------------------------------------


def test_delete_get_asks_for_confirmation_and_changes_nothing(host_client):
    event = EventFactory(host=host_client.host)
    response = host_client.get(reverse("events:event-delete", args=[event.slug]))
    assert response.status_code == 200
    assert "Delete event" in response.content.decode()
    assert Event.objects.filter(pk=event.pk).exists()


def test_delete_confirmation_warns_that_a_booked_event_is_unpublished(host_client):
    event = EventFactory(host=host_client.host)
    BookingFactory(event=event)
    response = host_client.get(reverse("events:event-delete", args=[event.slug]))
    assert "Unpublish event" in response.content.decode()


def test_delete_post_deletes_an_unbooked_event(host_client):
    event = EventFactory(host=host_client.host)
    response = host_client.post(reverse("events:event-delete", args=[event.slug]), follow=True)
    assert not Event.objects.filter(pk=event.pk).exists()
    assert "is deleted" in response.content.decode()


def test_delete_post_unpublishes_a_booked_event_and_says_so(host_client):
    event = EventFactory(host=host_client.host, is_published=True)
    BookingFactory(event=event)
    response = host_client.post(reverse("events:event-delete", args=[event.slug]), follow=True)
    event.refresh_from_db()
    assert event.is_published is False
    assert "unpublished instead of deleted" in response.content.decode()


def test_other_host_cannot_delete(host_client):
    event = EventFactory()
    response = host_client.post(reverse("events:event-delete", args=[event.slug]))
    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk, is_published=True).exists()


def test_staff_can_delete(client):
    event = EventFactory()
    client.force_login(UserFactory(is_staff=True))
    client.post(reverse("events:event-delete", args=[event.slug]))
    assert not Event.objects.filter(pk=event.pk).exists()


# --- my events -----------------------------------------------------------------------------


def test_confirmed_status_constant_matches_the_booking_model():
    assert CONFIRMED_BOOKING_STATUS == Booking.Status.CONFIRMED


def test_my_events_lists_only_own_events_with_sold_capacity_and_revenue(host_client):
    event = EventFactory(host=host_client.host, title="Mine", capacity=80)
    Event.objects.filter(pk=event.pk).update(tickets_sold=3)
    BookingFactory(event=event, quantity=2, unit_price=Decimal("12.50"))
    BookingFactory(event=event, quantity=1, unit_price=Decimal("10.00"))
    BookingFactory(event=event, quantity=4, unit_price=Decimal("10.00"), status="cancelled")
    EventFactory(title="Someone else's")
    response = host_client.get(reverse("events:my-events"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in content and "Someone else" not in content
    assert "3 / 80" in content
    assert "35.00 USD" in content
    assert reverse("bookings:event-bookings", args=[event.slug]) in content
    assert reverse("events:event-edit", args=[event.slug]) in content
    assert response.context["page"][0].revenue == Decimal("35.00")


def test_my_events_shows_status(host_client):
    EventFactory(host=host_client.host, title="Draft one", is_published=False)
    content = host_client.get(reverse("events:my-events")).content.decode()
    assert "Unpublished" in content


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1000000000"])
def test_my_events_bad_page_numbers_are_clamped(host_client, page):
    EventFactory(host=host_client.host)
    assert host_client.get(reverse("events:my-events"), {"page": page}).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_my_events_query_count_does_not_grow(host_client, django_assert_max_num_queries, count):
    city = CityFactory()
    for _ in range(count):
        event = EventFactory(host=host_client.host, city=city)
        EventImageFactory(event=event, is_primary=True)
        EventImageFactory(event=event)
        BookingFactory(event=event)
    # session, user, count, page, card images, revenue
    with django_assert_max_num_queries(6):
        response = host_client.get(reverse("events:my-events"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 20)
