"""The admin: every page loads, staff only, constant queries per changelist, safe writes."""

from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.core import cache_versions
from eventmate.events.models import City, Event, EventImage
from eventmate.reviews.models import Favorite, Review
from tests.factories import (
    BookingFactory,
    CityFactory,
    EventFactory,
    EventImageFactory,
    FavoriteFactory,
    HostFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Bookings move tickets and money, and reviews need an attendee's booking: both are written by
# their services only, so the admin deliberately has no add page for them.
NOT_ADDABLE_IN_ADMIN = {Booking, Review}
CHANGELIST_QUERY_BUDGET = 12


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_everything(db):
    host = HostFactory()
    event = EventFactory(host=host, tickets_sold=1)
    EventImageFactory(event=event, is_primary=True)
    booking = BookingFactory(event=event)
    ReviewFactory(user=booking.user, event=event, booking=booking)
    FavoriteFactory(user=booking.user, event=event)
    return event


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_changelist_loads_for_a_superuser(staff_client, one_of_everything, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_changelist_search_loads_for_a_superuser(staff_client, one_of_everything, model):
    if not admin.site._registry[model].search_fields:
        pytest.skip("no search on this changelist")

    response = staff_client.get(admin_url(model, "changelist"), {"q": "event"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_add_page_loads_for_a_superuser(staff_client, admin_user, rf, model):
    request = rf.get("/")
    request.user = admin_user
    addable = admin.site._registry[model].has_add_permission(request)

    response = staff_client.get(admin_url(model, "add"))

    # Read-only admins (bookings, reviews, payment records) refuse cleanly instead.
    assert response.status_code == (200 if addable else 403)


def test_only_service_managed_models_lack_an_add_page(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    for model in (User, City, Event, EventImage, Favorite):
        assert admin.site._registry[model].has_add_permission(request), model
    for model in NOT_ADDABLE_IN_ADMIN:
        assert not admin.site._registry[model].has_add_permission(request), model


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_change_page_loads_for_a_superuser(staff_client, one_of_everything, model):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip("no row of this model in the fixture")

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_every_model_of_the_issue_is_registered():
    for model in (User, City, Event, EventImage, Booking, Review, Favorite):
        assert model in admin.site._registry, model


def test_non_staff_user_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get(admin_url(Event, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_site_header(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert "EventMate administration" in response.text


# ---------------------------------------------------------------------------------------------
# Query counts: a changelist costs the same with 1 row as with 50
# ---------------------------------------------------------------------------------------------


def make_rows(model, count):
    city, host, user = CityFactory(), HostFactory(), UserFactory()
    for _ in range(count):
        event = EventFactory(city=city, host=host)
        if model is EventImage:
            EventImageFactory(event=event)
        elif model is Booking:
            BookingFactory(event=event, user=user)
        elif model is Review:
            ReviewFactory(event=event, user=user)
        elif model is Favorite:
            FavoriteFactory(event=event, user=user)


def changelist_queries(client, model):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "model", [Event, EventImage, Booking, Review, Favorite], ids=lambda model: model.__name__
)
def test_changelist_query_count_is_the_same_for_1_and_50_rows(
    staff_client, model, django_assert_max_num_queries
):
    make_rows(model, 1)
    with_one = changelist_queries(staff_client, model)
    make_rows(model, 49)

    with django_assert_max_num_queries(CHANGELIST_QUERY_BUDGET):
        response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    assert changelist_queries(staff_client, model) == with_one


def test_event_search_matches_title_words_in_any_case_or_the_exact_slug(staff_client):
    jazz = EventFactory(title="Harbour JAZZ Night", slug="harbour-jazz-night")
    quiz = EventFactory(title="Pub Quiz", slug="pub-quiz")
    EventFactory(title="Morning Yoga", slug="morning-yoga")

    def found(term):
        response = staff_client.get(admin_url(Event, "changelist"), {"q": term})
        return set(response.context["cl"].result_list)

    assert found("jazz night") == {jazz}
    assert found("pub-quiz") == {quiz}
    assert found("opera") == set()


def test_event_changelist_has_no_filter_that_lists_hosts_or_cities_from_events():
    event_admin = admin.site._registry[Event]

    assert "host" not in event_admin.list_filter
    assert "host" in event_admin.autocomplete_fields
    assert event_admin.show_full_result_count is False


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


def run_action(client, action, events):
    return client.post(
        admin_url(Event, "changelist"),
        {"action": action, "_selected_action": [event.pk for event in events]},
        follow=True,
    )


def test_publish_and_unpublish_actions(staff_client):
    drafts = EventFactory.create_batch(2, is_published=False)

    run_action(staff_client, "publish_events", drafts)
    assert Event.objects.filter(is_published=True).count() == 2

    response = run_action(staff_client, "unpublish_events", drafts)
    assert Event.objects.filter(is_published=True).count() == 0
    assert "2 events unpublished." in response.text


def test_feature_and_unfeature_actions(staff_client):
    events = EventFactory.create_batch(2)

    run_action(staff_client, "feature_events", events)
    assert Event.objects.filter(is_featured=True).count() == 2

    run_action(staff_client, "unfeature_events", events[:1])
    assert list(Event.objects.filter(is_featured=True)) == [events[1]]


def test_publish_action_invalidates_the_event_page_cache(
    staff_client, django_capture_on_commit_callbacks
):
    event = EventFactory(is_published=False)
    before = cache_versions.get_version(cache_versions.event_scope(event.pk))

    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, "publish_events", [event])

    assert cache_versions.get_version(cache_versions.event_scope(event.pk)) != before


# ---------------------------------------------------------------------------------------------
# Editing events and images
# ---------------------------------------------------------------------------------------------


def post_data(response):
    """What the browser would send back from a loaded admin change form, unchanged."""
    data = {}

    def add_form(form):
        for bound in form:
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, forms.MultiWidget):
                for index, part in enumerate(widget.decompress(value)):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is None or isinstance(bound.field, forms.FileField):
                data[bound.html_name] = ""
            else:
                data[bound.html_name] = value

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add_form(inline.formset.management_form)
        for form in inline.formset.forms:
            add_form(form)
    return {key: value for key, value in data.items() if key}


def test_editing_an_event_does_not_overwrite_ticket_counters(staff_client):
    event = EventFactory(capacity=10, tickets_sold=2)
    page = staff_client.get(admin_url(Event, "change", event.pk))
    data = post_data(page) | {"title": "Renamed night"}
    # A booking is confirmed while the admin form is open.
    Event.objects.filter(pk=event.pk).update(tickets_sold=5)

    response = staff_client.post(admin_url(Event, "change", event.pk), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed night"
    assert event.tickets_sold == 5
    assert event.slug.startswith("event-number-")


def test_capacity_below_tickets_taken_is_a_form_error(staff_client):
    event = EventFactory(capacity=10, tickets_sold=6)
    page = staff_client.get(admin_url(Event, "change", event.pk))

    response = staff_client.post(
        admin_url(Event, "change", event.pk), post_data(page) | {"capacity": "5"}
    )

    assert response.status_code == 200
    assert "6 tickets are sold or held" in response.text
    event.refresh_from_db()
    assert event.capacity == 10


def test_two_primary_images_are_a_form_error(staff_client):
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=True)
    EventImageFactory(event=event, is_primary=False)
    page = staff_client.get(admin_url(Event, "change", event.pk))
    data = post_data(page)
    data["images-1-is_primary"] = "on"

    response = staff_client.post(admin_url(Event, "change", event.pk), data)

    assert response.status_code == 200
    assert "at most one image as the primary" in response.text
    assert list(event.images.filter(is_primary=True)) == [first]


def test_moving_the_primary_image_to_another_one_works(staff_client):
    event = EventFactory()
    first = EventImageFactory(event=event, is_primary=False, order=0)
    second = EventImageFactory(event=event, is_primary=True, order=1)
    page = staff_client.get(admin_url(Event, "change", event.pk))
    data = post_data(page)
    data["images-0-is_primary"] = "on"
    data.pop("images-1-is_primary")

    response = staff_client.post(admin_url(Event, "change", event.pk), data)

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_primary and not second.is_primary


def test_adding_an_event_without_a_slug_derives_one(staff_client):
    host, city = HostFactory(), CityFactory()
    EventFactory(slug="harbour-jazz")
    data = {
        "title": "Harbour Jazz",
        "slug": "",
        "host": host.pk,
        "category": "music",
        "description": "Jazz by the water.",
        "city": city.pk,
        "venue": "Pier 4",
        "starts_at_0": "2031-06-12",
        "starts_at_1": "19:30:00",
        "ends_at_0": "2031-06-12",
        "ends_at_1": "22:30:00",
        "price": "12.50",
        "currency": "USD",
        "capacity": "80",
        "free_cancellation_hours": "48",
        "minimum_age": "0",
        "is_published": "on",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }

    response = staff_client.post(admin_url(Event, "add"), data)

    assert response.status_code == 302
    created = Event.objects.get(title="Harbour Jazz")
    assert created.slug == "harbour-jazz-2"
    assert created.price == Decimal("12.50")


# ---------------------------------------------------------------------------------------------
# Bookings and reviews go through their services
# ---------------------------------------------------------------------------------------------


def test_booking_change_page_is_read_only(staff_client):
    booking = BookingFactory()

    page = staff_client.get(admin_url(Booking, "change", booking.pk))
    response = staff_client.post(admin_url(Booking, "change", booking.pk), {"status": "cancelled"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_deleting_a_review_in_the_admin_updates_the_event_rating(staff_client):
    event = EventFactory()
    five = ReviewFactory(event=event, rating=5)
    ReviewFactory(event=event, rating=3)
    Event.objects.filter(pk=event.pk).update(rating_average=Decimal("4.00"), rating_count=2)

    response = staff_client.post(admin_url(Review, "delete", five.pk), {"post": "yes"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.rating_count, event.rating_average) == (1, Decimal("3.00"))


def test_bulk_deleting_reviews_in_the_admin_updates_the_event_rating(staff_client):
    event = EventFactory()
    reviews = [ReviewFactory(event=event, rating=rating) for rating in (5, 4, 1)]
    Event.objects.filter(pk=event.pk).update(rating_average=Decimal("3.33"), rating_count=3)

    staff_client.post(
        admin_url(Review, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [review.pk for review in reviews[:2]],
            "post": "yes",
        },
    )

    event.refresh_from_db()
    assert (event.rating_count, event.rating_average) == (1, Decimal("1.00"))
