"""The booking pages: flows, bad input, access control and query budgets."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from eventmate.bookings import services, tickets
from eventmate.bookings.models import Booking
from eventmate.payments.models import TestPayment
from tests.bookings.inventory import assert_inventory_consistent
from tests.bookings.steps import (
    DECLINED_CARD,
    DELAYED_CARD,
    GOOD_CARD,
    NO_FUNDS_CARD,
    make_overdue,
    pay,
)
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def held(event, buyer):
    return services.booking_hold(user=buyer, event=event, quantity=2)


@pytest.fixture
def confirmed(held):
    pay(held)
    held.refresh_from_db()
    return held


def url(name, booking):
    return reverse(f"bookings:{name}", kwargs={"reference": booking.reference})


def card(number=GOOD_CARD):
    return {"card_number": number, "expiry": "12/40", "cvc": "123"}


# ------------------------------------------------------------------------------------------
# Booking
# ------------------------------------------------------------------------------------------


def test_booking_page_needs_a_log_in(client, event):
    response = client.get(reverse("bookings:booking-create", args=[event.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_booking_page_offers_at_most_what_is_left(signed_in, event):
    services.booking_hold(user=UserFactory(), event=event, quantity=7)
    response = signed_in.get(reverse("bookings:booking-create", args=[event.slug]))
    assert response.status_code == 200
    assert response.context["form"].fields["quantity"].widget.choices[-1] == (3, "3")


def test_posting_a_quantity_holds_tickets_and_leads_to_checkout(signed_in, event, buyer):
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": 2}
    )
    booking = Booking.objects.get(user=buyer)
    assert response.status_code == 302
    assert response["Location"] == url("booking-checkout", booking)
    assert booking.status == Booking.Status.PENDING
    assert assert_inventory_consistent(event.pk).tickets_held == 2


@pytest.mark.parametrize("quantity", ["0", "-3", "11", "999999999999", "two", ""])
def test_tampered_quantities_are_rejected_with_400(signed_in, event, quantity):
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": quantity}
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_sold_out_answer_is_409_with_a_clear_message(signed_in, event):
    services.booking_hold(user=UserFactory(), event=event, quantity=10)
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": 1}
    )
    assert response.status_code == 409
    assert "sold out" in response.content.decode()


def test_too_few_left_answer_says_how_many(signed_in, event):
    services.booking_hold(user=UserFactory(), event=event, quantity=9)
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": 3}
    )
    assert response.status_code == 409
    assert "Only 1 ticket left" in response.content.decode()


def test_free_event_booking_goes_straight_to_the_ticket(signed_in, buyer):
    event = EventFactory(price=0)
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": 1}
    )
    booking = Booking.objects.get(user=buyer)
    assert response["Location"] == url("booking-ticket", booking)
    assert booking.status == Booking.Status.CONFIRMED


def test_unpublished_event_cannot_be_booked(signed_in):
    event = EventFactory(is_published=False)
    response = signed_in.post(
        reverse("bookings:booking-create", args=[event.slug]), {"quantity": 1}
    )
    assert response.status_code == 404


# ------------------------------------------------------------------------------------------
# Checkout and payment
# ------------------------------------------------------------------------------------------


def test_checkout_renders_the_time_left_without_javascript(signed_in, held):
    response = signed_in.get(url("booking-checkout", held))
    html = response.content.decode()
    assert response.status_code == 200
    seconds = response.context["seconds_left"]
    assert 14 * 60 < seconds <= 15 * 60
    assert f'data-seconds-left="{seconds}"' in html
    assert f"{seconds // 60}:{seconds % 60:02d}" in html


def test_paying_with_a_test_card_confirms_and_shows_success(signed_in, held, event):
    response = signed_in.post(url("booking-checkout", held), card(), follow=True)
    held.refresh_from_db()
    assert held.status == Booking.Status.CONFIRMED
    assert "You're going!" in response.content.decode()
    assert assert_inventory_consistent(event.pk).tickets_sold == 2


@pytest.mark.parametrize(
    ("number", "reason"),
    [(DECLINED_CARD, "Your card was declined."), (NO_FUNDS_CARD, "Insufficient funds.")],
)
def test_declined_card_shows_the_reason_and_keeps_the_hold(signed_in, held, number, reason):
    response = signed_in.post(url("booking-checkout", held), card(number))
    assert response.status_code == 402
    assert reason in response.content.decode()
    held.refresh_from_db()
    assert held.status == Booking.Status.PENDING


def test_invalid_card_details_are_form_errors_and_charge_nothing(signed_in, held):
    response = signed_in.post(
        url("booking-checkout", held),
        {"card_number": "4242 4242 4242 4241", "expiry": "01/19", "cvc": "1"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"card_number", "expiry", "cvc"}
    assert not TestPayment.objects.exists()


def test_checkout_of_an_expired_hold_releases_it_and_charges_nothing(signed_in, held, event):
    make_overdue(held)
    response = signed_in.post(url("booking-checkout", held), card())
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Booking.Status.EXPIRED
    assert not TestPayment.objects.exists()
    assert assert_inventory_consistent(event.pk).tickets_held == 0


def test_delayed_payment_page_refreshes_until_the_payment_settles(signed_in, held):
    signed_in.post(url("booking-checkout", held), card(DELAYED_CARD))
    response = signed_in.get(url("booking-payment", held))
    assert response.context["processing"]
    assert '<meta http-equiv="refresh"' in response.content.decode()

    TestPayment.objects.update(settles_at=timezone.now())
    response = signed_in.get(url("booking-payment", held))

    held.refresh_from_db()
    assert held.status == Booking.Status.CONFIRMED
    assert "You're going!" in response.content.decode()


def test_stripe_checkout_sends_the_customer_to_stripe(signed_in, stripe_stub, buyer, event):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    response = signed_in.post(url("booking-checkout", booking))
    booking.refresh_from_db()
    assert response.status_code == 303
    assert response["Location"] == stripe_stub.sessions[booking.payment_reference]["url"]


# ------------------------------------------------------------------------------------------
# My bookings, detail, cancel
# ------------------------------------------------------------------------------------------


def test_my_bookings_lists_upcoming_and_past(signed_in, buyer, confirmed):
    past_start = timezone.now() - timedelta(days=3)
    past_event = EventFactory(starts_at=past_start, ends_at=past_start + timedelta(hours=2))
    Booking.objects.create(
        user=buyer,
        event=past_event,
        quantity=1,
        unit_price=past_event.price,
        total=past_event.price,
        currency="USD",
        status="confirmed",
    )
    response = signed_in.get(reverse("bookings:my-bookings"))
    assert [b.pk for b in response.context["bookings"].upcoming] == [confirmed.pk]
    assert [b.event_id for b in response.context["bookings"].past] == [past_event.pk]


def _book_many(user, count):
    """`count` bookings of upcoming events and `count` of past ones."""
    past_start = timezone.now() - timedelta(days=30)
    for n in range(count):
        for event in (
            EventFactory(),
            EventFactory(starts_at=past_start - timedelta(hours=n), ends_at=past_start),
        ):
            Booking.objects.create(
                user=user,
                event=event,
                quantity=1,
                unit_price=event.price,
                total=event.price,
                currency="USD",
                status="confirmed",
            )


@pytest.mark.parametrize("count", [1, 30])
def test_my_bookings_query_count_does_not_grow_with_bookings(
    signed_in, buyer, count, django_assert_num_queries, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the page alone, without the lazy sweep
    _book_many(buyer, count)
    # The user, the upcoming bookings, the number of past ones and their first page.
    with django_assert_num_queries(4):
        response = signed_in.get(reverse("bookings:my-bookings"))
    assert len(response.context["bookings"].upcoming) == count
    assert len(response.context["bookings"].past) == min(count, 20)


def test_cancel_page_confirms_then_refunds(signed_in, confirmed, event):
    page = signed_in.get(url("booking-cancel", confirmed))
    assert "will be refunded" in page.content.decode()
    response = signed_in.post(url("booking-cancel", confirmed))
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.status == Booking.Status.REFUNDED
    assert assert_inventory_consistent(event.pk).tickets_sold == 0


def test_cancel_after_the_cutoff_explains_why_and_changes_nothing(signed_in, buyer):
    starts = timezone.now() + timedelta(hours=3)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    pay(booking)
    page = signed_in.get(url("booking-detail", booking))
    assert "Free cancellation for this event ended" in page.content.decode()
    response = signed_in.post(url("booking-cancel", booking))
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    "name",
    [
        "booking-detail",
        "booking-checkout",
        "booking-payment",
        "booking-cancel",
        "booking-ticket",
        "booking-ticket-ics",
    ],
)
def test_other_users_bookings_are_not_found(client, confirmed, name):
    client.force_login(UserFactory())
    assert client.get(url(name, confirmed)).status_code == 404


def test_other_user_cannot_cancel_or_pay_a_booking(client, held):
    client.force_login(UserFactory())
    assert client.post(url("booking-cancel", held)).status_code == 404
    assert client.post(url("booking-checkout", held), card()).status_code == 404
    held.refresh_from_db()
    assert held.status == Booking.Status.PENDING
    assert not TestPayment.objects.exists()


def test_unknown_reference_is_not_found(signed_in):
    assert signed_in.get("/booking/NOSUCHREF/").status_code == 404


# ------------------------------------------------------------------------------------------
# Tickets
# ------------------------------------------------------------------------------------------


def test_ticket_page_shows_qr_code_and_calendar_download(signed_in, confirmed):
    response = signed_in.get(url("booking-ticket", confirmed))
    html = response.content.decode()
    assert '<figure class="qr" data-qr><svg' in html
    assert url("booking-ticket-ics", confirmed) in html
    assert response["Referrer-Policy"] == "no-referrer"
    ics = signed_in.get(url("booking-ticket-ics", confirmed))
    assert ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"]


def test_public_ticket_link_works_without_session_or_csrf(client, confirmed):
    response = client.get(tickets.ticket_public_path(confirmed))
    assert response.status_code == 200
    assert confirmed.reference in response.content.decode()
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_forged_public_ticket_link_is_not_found(client, confirmed):
    token = tickets.ticket_token(confirmed)
    assert client.get(f"/ticket/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/ticket/{confirmed.reference}/").status_code == 404


def test_cancelled_booking_ticket_is_void(signed_in, confirmed):
    services.booking_cancel(booking=confirmed, user=confirmed.user)
    response = signed_in.get(url("booking-ticket", confirmed))
    assert "This ticket is not valid" in response.content.decode()
    assert "data-qr" not in response.content.decode()
    assert signed_in.get(url("booking-ticket-ics", confirmed)).status_code == 404


# ------------------------------------------------------------------------------------------
# Host pages
# ------------------------------------------------------------------------------------------


@pytest.fixture
def host_client(client, event):
    client.force_login(event.host)
    return client


@pytest.mark.parametrize(
    "name", ["event-bookings", "event-attendees-csv", "event-check-in", "event-cancel"]
)
def test_host_pages_are_not_found_for_anyone_else(client, event, name):
    client.force_login(EventFactory().host)  # a host, but of another event
    assert client.get(reverse(f"bookings:{name}", args=[event.slug])).status_code == 404


def test_host_sees_the_bookings_of_their_event(host_client, event, confirmed):
    response = host_client.get(reverse("bookings:event-bookings", args=[event.slug]))
    assert [b.pk for b in response.context["page"]] == [confirmed.pk]
    assert response.context["summary"].tickets_sold == 2


def test_attendee_export_lists_confirmed_guests_and_defuses_formulas(host_client, event):
    sneaky = UserFactory(first_name="=HYPERLINK(1)", last_name="x")
    pay(services.booking_hold(user=sneaky, event=event, quantity=3))
    services.booking_hold(user=UserFactory(), event=event, quantity=1)  # pending: not a guest

    response = host_client.get(reverse("bookings:event-attendees-csv", args=[event.slug]))

    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("Reference,Name,Email,Tickets")
    assert len(lines) == 2
    assert "'=HYPERLINK(1) x" in lines[1]
    assert ",3," in lines[1]


def test_check_in_page_admits_once(host_client, event, confirmed):
    check_in = reverse("bookings:event-check-in", args=[event.slug])
    first = host_client.post(check_in, {"code": confirmed.reference})
    second = host_client.post(check_in, {"code": confirmed.reference})
    assert first.context["result"].outcome == "valid"
    assert second.context["result"].outcome == "already_used"
    assert "Already used" in second.content.decode()


def test_host_cancels_the_event_from_its_bookings_page(host_client, event, confirmed):
    response = host_client.post(reverse("bookings:event-cancel", args=[event.slug]))
    assert response.status_code == 302
    confirmed.refresh_from_db()
    event.refresh_from_db()
    assert event.is_cancelled
    assert confirmed.status == Booking.Status.REFUNDED


def test_stripe_unreachable_at_checkout_is_a_503_and_keeps_the_hold(
    signed_in, stripe_stub, buyer, event
):
    booking = services.booking_hold(user=buyer, event=event, quantity=1)
    stripe_stub.failing = True
    response = signed_in.post(url("booking-checkout", booking))
    assert response.status_code == 503
    assert "Payments are unavailable right now" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
