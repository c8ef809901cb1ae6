"""Booking pages. Each view parses input, calls one service or selector and renders; booking
errors become messages on the page with a 4xx status, never a 500."""

import csv
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from eventmate.events.models import Event
from eventmate.payments.forms import TestCardForm
from eventmate.payments.providers import (
    PaymentError,
    PaymentKind,
    WebhookSignatureError,
    get_provider,
)
from eventmate.payments.providers.testmode import TEST_CARDS

from . import selectors, services, tasks
from .exceptions import (
    BookingError,
    CancellationNotAllowed,
    InvalidAttendanceDate,
    InvalidQuantity,
    NotAllowed,
)
from .forms import BookingForm, CheckInForm
from .models import Booking
from .tickets import ticket_ics, ticket_public_path, ticket_qr_svg, ticket_token

logger = logging.getLogger(__name__)


def _error_status(error: BookingError) -> int:
    # Bad input is 400; a rule of the inventory (sold out, closed, limit) is a conflict.
    return 400 if isinstance(error, InvalidQuantity | InvalidAttendanceDate) else 409


def _seconds_left(booking: Booking) -> int:
    if booking.status != Booking.Status.PENDING:
        return 0
    return max(int((booking.hold_expires_at - timezone.now()).total_seconds()), 0)


# --------------------------------------------------------------------------------------------
# Booking and paying
# --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request, slug):
    event = get_object_or_404(Event.objects.select_related("city"), slug=slug, is_published=True)
    tasks.periodic_jobs_run_if_due()
    tickets_left = selectors.event_tickets_left(event=event)
    data = request.POST if request.method == "POST" else None
    form = BookingForm(data, event=event, tickets_left=tickets_left)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            try:
                booking = services.booking_hold(user=request.user, event=event, **form.cleaned_data)
            except BookingError as error:
                form.add_error(None, error.message)
                status = _error_status(error)
                event.refresh_from_db()
                tickets_left = selectors.event_tickets_left(event=event)
            else:
                if booking.status == Booking.Status.CONFIRMED:
                    messages.success(request, "You're going! Your tickets are confirmed.")
                    return redirect("bookings:booking-ticket", reference=booking.reference)
                return redirect("bookings:booking-checkout", reference=booking.reference)
    context = {
        "event": event,
        "form": form,
        "tickets_left": tickets_left,
        "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    }
    return render(request, "bookings/booking_form.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def booking_checkout(request, reference):
    booking = selectors.booking_for_user(user=request.user, reference=reference)
    if booking.status != Booking.Status.PENDING:
        return redirect(booking)
    if booking.hold_expires_at <= timezone.now():
        services.booking_expire(booking=booking)
        messages.warning(request, "Your hold on these tickets expired before payment.")
        return redirect(booking)
    try:
        provider = get_provider(booking.payment_provider)
    except PaymentError:
        logger.exception("Payment provider %r unavailable", booking.payment_provider)
        return _render_checkout(request, booking, None, 503, unavailable=True)
    form, status = None, 200
    if provider.has_card_form:
        form = TestCardForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            return _pay_by_card(request, booking, form)
        status = 400 if form.is_bound else 200
    elif request.method == "POST":
        return _start_hosted_checkout(request, booking)
    return _render_checkout(request, booking, form, status)


def _render_checkout(request, booking, form, status, *, unavailable=False):
    context = {
        "unavailable": unavailable,
        "booking": booking,
        "event": booking.event,
        "form": form,
        "seconds_left": _seconds_left(booking),
        "test_cards": TEST_CARDS.values() if form is not None else (),
    }
    return render(request, "bookings/checkout.html", context, status=status)


def _pay_by_card(request, booking, form):
    try:
        result = services.booking_pay_by_card(
            booking=booking, card_number=form.cleaned_data["card_number"]
        )
    except BookingError as error:
        messages.error(request, error.message)
        return redirect(booking)
    if result.kind == PaymentKind.FAILED:
        form.add_error(None, result.message)
        return _render_checkout(request, booking, form, 402)
    return redirect("bookings:booking-payment", reference=booking.reference)


def _start_hosted_checkout(request, booking):
    result_url = request.build_absolute_uri(
        reverse("bookings:booking-payment", kwargs={"reference": booking.reference})
    )
    cancel_url = request.build_absolute_uri(
        reverse("bookings:booking-checkout", kwargs={"reference": booking.reference})
    )
    try:
        url = services.booking_checkout_start(
            booking=booking, success_url=result_url, cancel_url=cancel_url
        )
    except BookingError as error:
        messages.error(request, error.message)
        return redirect(booking)
    except PaymentError:
        logger.exception("Checkout for %s failed", booking.reference)
        return _render_checkout(request, booking, None, 503, unavailable=True)
    return HttpResponseRedirect(url, status=303)


@login_required
@never_cache
@require_safe
def booking_payment(request, reference):
    """The page a payment returns to: its outcome, asking the provider when still unknown."""
    booking = selectors.booking_for_user(user=request.user, reference=reference)
    if booking.payment_reference and booking.status in (
        Booking.Status.PENDING,
        Booking.Status.EXPIRED,
    ):
        services.booking_payment_sync(booking=booking)
        booking = selectors.booking_for_user(user=request.user, reference=reference)
    processing = booking.status == Booking.Status.PENDING and bool(booking.payment_reference)
    context = {
        "booking": booking,
        "event": booking.event,
        "processing": processing,
        "seconds_left": _seconds_left(booking),
    }
    return render(request, "bookings/payment_result.html", context)


# --------------------------------------------------------------------------------------------
# The customer's bookings
# --------------------------------------------------------------------------------------------


@login_required
@require_safe
def my_bookings(request):
    tasks.periodic_jobs_run_if_due()
    bookings = selectors.bookings_for_user(user=request.user, past_page=request.GET.get("page", 1))
    return render(request, "bookings/my_bookings.html", {"bookings": bookings})


@login_required
@require_safe
def booking_detail(request, reference):
    booking = selectors.booking_for_user(user=request.user, reference=reference)
    context = {
        "booking": booking,
        "event": booking.event,
        "seconds_left": _seconds_left(booking),
        "cancel_refusal": services.booking_cancellation_refusal(booking),
        "cancellation_deadline": services.cancellation_deadline(booking.event),
    }
    return render(request, "bookings/booking_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, reference):
    booking = selectors.booking_for_user(user=request.user, reference=reference)
    refusal, status = services.booking_cancellation_refusal(booking), 200
    if request.method == "POST":
        try:
            booking = services.booking_cancel(booking=booking, user=request.user)
        except CancellationNotAllowed as error:
            refusal, status = error.message, 409
        else:
            messages.success(request, _cancelled_message(booking))
            return redirect("bookings:my-bookings")
    context = {
        "booking": booking,
        "event": booking.event,
        "refusal": refusal,
        "cancellation_deadline": services.cancellation_deadline(booking.event),
    }
    return render(request, "bookings/booking_cancel.html", context, status=status)


def _cancelled_message(booking: Booking) -> str:
    if booking.status == Booking.Status.REFUNDED:
        return (
            f"Booking {booking.reference} is cancelled. {booking.total} {booking.currency} "
            "will be refunded to your card."
        )
    return f"Booking {booking.reference} is cancelled."


# --------------------------------------------------------------------------------------------
# Tickets
# --------------------------------------------------------------------------------------------


def _render_ticket(request, booking, *, public: bool):
    is_valid = booking.status == Booking.Status.CONFIRMED
    context = {
        "booking": booking,
        "event": booking.event,
        "public": public,
        "is_valid": is_valid,
        "qr_svg": ticket_qr_svg(booking) if is_valid else "",
        "token": ticket_token(booking) if is_valid else "",
        "public_path": ticket_public_path(booking) if is_valid else "",
    }
    response = render(request, "bookings/ticket.html", context)
    # The page URL is a bearer credential: never leak it to other sites or shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _ics_response(booking):
    if booking.status != Booking.Status.CONFIRMED:
        return HttpResponse(
            "This booking has no valid ticket.", status=404, content_type="text/plain"
        )
    response = HttpResponse(ticket_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{booking.reference}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def booking_ticket(request, reference):
    booking = selectors.booking_for_user(user=request.user, reference=reference)
    return _render_ticket(request, booking, public=False)


@login_required
@require_safe
def booking_ticket_ics(request, reference):
    return _ics_response(selectors.booking_for_user(user=request.user, reference=reference))


@require_safe
def ticket_public(request, token):
    return _render_ticket(request, selectors.booking_for_ticket_token(token=token), public=True)


@require_safe
def ticket_public_ics(request, token):
    return _ics_response(selectors.booking_for_ticket_token(token=token))


# --------------------------------------------------------------------------------------------
# Hosts
# --------------------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def event_check_in(request, slug):
    event = selectors.event_for_host(user=request.user, slug=slug)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        result = services.ticket_check_in(
            event=event, code=form.cleaned_data["code"], by=request.user
        )
        form = CheckInForm()  # ready for the next guest
    context = {
        "event": event,
        "form": form,
        "result": result,
        "summary": selectors.event_booking_summary(event=event),
    }
    return render(request, "bookings/check_in.html", context)


@login_required
@require_safe
def event_bookings(request, slug):
    event = selectors.event_for_host(user=request.user, slug=slug)
    status = request.GET.get("status", "")
    page = selectors.event_bookings(event=event, status=status, page=request.GET.get("page", 1))
    context = {
        "event": event,
        "page": page,
        "status": status,
        "statuses": Booking.Status.choices,
        "summary": selectors.event_booking_summary(event=event),
    }
    return render(request, "bookings/event_bookings.html", context)


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value) -> str:
    # A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheet programs;
    # attendees choose their own names, so such cells are prefixed to stay plain text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_safe
def event_attendees_csv(request, slug):
    event = selectors.event_for_host(user=request.user, slug=slug)
    writer = csv.writer(_Echo())
    header = ["Reference", "Name", "Email", "Tickets", "Day", "Booked at", "Checked in at"]

    def rows():
        yield writer.writerow(header)
        for booking in selectors.event_attendees(event=event).iterator(chunk_size=1000):
            yield writer.writerow(
                _csv_cell(value)
                for value in (
                    booking.reference,
                    booking.user.get_full_name() or booking.user.username,
                    booking.user.email,
                    booking.quantity,
                    booking.attendance_date.isoformat() if booking.attendance_date else "",
                    booking.confirmed_at.isoformat() if booking.confirmed_at else "",
                    booking.checked_in_at.isoformat() if booking.checked_in_at else "",
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request, slug):
    event = selectors.event_for_host(user=request.user, slug=slug)
    error, status = None, 200
    if request.method == "POST":
        try:
            cancelled = services.event_cancel(event=event, by=request.user)
        except NotAllowed as refused:
            error, status = refused.message, 409
        else:
            messages.success(
                request,
                f"The event is cancelled; {cancelled} booking(s) were cancelled, paid "
                "ones refunded, and every attendee emailed.",
            )
            return redirect("bookings:event-bookings", slug=event.slug)
    context = {
        "event": event,
        "error": error,
        "summary": selectors.event_booking_summary(event=event),
    }
    return render(request, "bookings/event_cancel.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Payment provider webhooks
# --------------------------------------------------------------------------------------------


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's webhook: verified by signature, applied idempotently (payment_event_apply).
    A 4xx tells Stripe not to retry (forged or malformed); a 5xx makes it retry later."""
    if not settings.STRIPE_WEBHOOK_SECRET or not settings.STRIPE_SECRET_KEY:
        return HttpResponse("Stripe is not configured.", status=404, content_type="text/plain")
    provider = get_provider("stripe")
    try:
        payment_event = provider.parse_webhook(payload=request.body, headers=request.headers)
    except WebhookSignatureError:
        return HttpResponseBadRequest("Invalid signature.", content_type="text/plain")
    except PaymentError:
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    if payment_event is not None:
        services.payment_event_apply(provider=provider.name, payment_event=payment_event)
    return JsonResponse({"received": True})
