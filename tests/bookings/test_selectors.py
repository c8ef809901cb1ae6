"""Reads: availability that never counts an expired hold."""

import pytest
from django.template import Context, Template

from eventmate.bookings import selectors, services
from tests.bookings.steps import make_overdue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_tickets_left_ignores_holds_past_their_expiry_before_any_job_runs(event):
    running = services.booking_hold(user=UserFactory(), event=event, quantity=3)
    overdue = services.booking_hold(user=UserFactory(), event=event, quantity=4)
    make_overdue(overdue)
    event.refresh_from_db()

    assert event.tickets_left == 3  # the stored counter still counts the overdue hold
    assert selectors.event_tickets_left(event=event) == 7
    assert running.status == "pending"


def test_tickets_left_costs_one_query_and_none_when_nothing_is_held(
    event, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert selectors.event_tickets_left(event=event) == 10
    services.booking_hold(user=UserFactory(), event=event, quantity=2)
    event.refresh_from_db()
    with django_assert_num_queries(1):
        assert selectors.event_tickets_left(event=event) == 8


def test_template_tag_gives_the_event_page_the_same_number(event):
    make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=5))
    event.refresh_from_db()
    rendered = Template(
        "{% load bookings_tags %}{% event_tickets_left event as left %}{{ left }}"
    ).render(Context({"event": event}))
    assert rendered == "10"


def test_host_summary_does_not_count_expired_holds_as_held(event):
    services.booking_hold(user=UserFactory(), event=event, quantity=2)
    make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=3))
    event.refresh_from_db()
    assert selectors.event_booking_summary(event=event).tickets_held == 2
