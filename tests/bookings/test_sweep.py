"""The periodic jobs, as the management command and the Celery beat schedule run them."""

import pytest
from django.conf import settings
from django.core.management import call_command

from eventmate.bookings import services
from eventmate.bookings.models import Booking
from tests.bookings.inventory import assert_inventory_consistent
from tests.bookings.steps import make_overdue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sweep_command_expires_overdue_holds(event, capsys):
    booking = make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=2))
    call_command("bookings_sweep")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert assert_inventory_consistent(event.pk).tickets_held == 0
    assert "Expired 1 hold(s)" in capsys.readouterr().out


def test_beat_schedule_runs_expiry_every_minute_and_reconciliation():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["eventmate.bookings.tasks.expire_overdue_holds"] == 60.0
    assert "eventmate.bookings.tasks.payments_reconcile" in schedule
    assert "eventmate.payments.tasks.refunds_retry" in schedule


def test_scheduled_task_names_exist():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith(("eventmate.bookings.", "eventmate.payments.")):
            assert entry["task"] in app.tasks


def test_without_a_worker_booking_pages_sweep_expired_holds_once_a_minute(
    client, event, buyer, settings, mailoutbox
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    first = make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=1))
    client.force_login(buyer)
    client.get("/my-bookings/")
    first.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED

    second = make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=1))
    client.get("/my-bookings/")  # within the minute: no second sweep
    second.refresh_from_db()
    assert second.status == Booking.Status.PENDING


def test_with_a_worker_pages_leave_sweeping_to_beat(client, event, buyer, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    booking = make_overdue(services.booking_hold(user=UserFactory(), event=event, quantity=1))
    client.force_login(buyer)
    client.get("/my-bookings/")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
