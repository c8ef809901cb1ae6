"""Booking emails: sent only after commit, in plain text and HTML."""

import pytest
from kombu.exceptions import OperationalError

from eventmate.bookings import services, tasks
from eventmate.core.redis_client import breaker
from tests.bookings.steps import make_overdue, pay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_no_email_leaves_before_the_transaction_commits(
    event, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pay(booking)
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_rolled_back_change_sends_no_email(
    event, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                pay(booking)
                raise RuntimeError("crash after confirming")
        except RuntimeError:
            pass
    assert mailoutbox == []


def test_confirmation_has_text_html_ticket_link_and_calendar_file(
    event, buyer, commit, mailoutbox, settings
):
    booking = services.booking_hold(user=buyer, event=event, quantity=2)
    with commit():
        pay(booking)
    [message] = mailoutbox
    assert message.to == [buyer.email]
    assert f"{settings.SITE_URL}/ticket/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Open your ticket" in html
    [(filename, content, attachment_type)] = message.attachments
    assert filename == f"{booking.reference}.ics"
    assert attachment_type == "text/calendar"
    assert "BEGIN:VEVENT" in (content.decode() if isinstance(content, bytes) else content)


def test_hold_expired_email_says_no_charge(event, buyer, commit, mailoutbox):
    make_overdue(services.booking_hold(user=buyer, event=event, quantity=1))
    with commit():
        services.expire_overdue_holds()
    [message] = mailoutbox
    assert "have not been charged" in message.body
    assert "have not been charged" in message.alternatives[0][0]


def test_event_cancelled_email_reaches_every_attendee_with_refund_details(
    event, commit, mailoutbox
):
    buyers = UserFactory.create_batch(3)
    for user in buyers:
        pay(services.booking_hold(user=user, event=event, quantity=1))
    mailoutbox.clear()
    with commit():
        services.event_cancel(event=event, by=event.host)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in buyers)
    assert all("refunded 25.00 USD" in m.body for m in mailoutbox)


def test_user_without_an_email_address_gets_no_email(event, commit, mailoutbox):
    silent = UserFactory(email="")
    with commit():
        pay(services.booking_hold(user=silent, event=event, quantity=1))
    assert mailoutbox == []


def test_deleted_account_address_gets_no_email(event, commit, mailoutbox):
    deleted = UserFactory(email="deleted-7@invalid")
    with commit():
        pay(services.booking_hold(user=deleted, event=event, quantity=1))
    assert mailoutbox == []


def test_confirmation_is_sent_from_the_request_when_the_broker_is_down(
    event, buyer, commit, mailoutbox, monkeypatch
):
    # Found by `make chaos`: with Redis (the broker) stopped, confirmations were dropped.
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.booking_email_send, "apply_async", broker_down)
    booking = services.booking_hold(user=buyer, event=event, quantity=1)

    with commit():
        pay(booking)

    assert len(mailoutbox) == 1
    assert booking.reference in mailoutbox[0].body
    assert mailoutbox[0].to == [buyer.email]


def test_a_mail_server_failure_after_a_broker_failure_is_logged_not_raised(
    event, buyer, commit, mailoutbox, monkeypatch, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused.")

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP connection refused")

    monkeypatch.setattr(tasks.booking_email_send, "apply_async", broker_down)
    monkeypatch.setattr(tasks.emails, "booking_email_send", smtp_down)
    booking = services.booking_hold(user=buyer, event=event, quantity=1)

    with commit():
        pay(booking)

    booking.refresh_from_db()
    assert booking.status == booking.Status.CONFIRMED
    assert mailoutbox == []
    assert "Could not send" in caplog.text


def test_while_the_broker_is_known_down_no_publish_is_attempted(
    event, buyer, commit, mailoutbox, monkeypatch, settings
):
    # Each refused publish costs the request about half a second; the circuit breaker that
    # already knows Redis is down (from the cache) lets the email go out at once.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/8"
    attempts = []
    monkeypatch.setattr(tasks.booking_email_send, "apply_async", lambda *a, **k: attempts.append(a))
    breaker.record_failure("127.0.0.1:6399", ConnectionRefusedError("refused"))
    try:
        booking = services.booking_hold(user=buyer, event=event, quantity=1)
        with commit():
            pay(booking)
    finally:
        breaker.reset()

    assert attempts == []
    assert len(mailoutbox) == 1
