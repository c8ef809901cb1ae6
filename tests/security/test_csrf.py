"""Cross-site request forgery: every endpoint that accepts a POST refuses one without a valid
CSRF token, for a signed-in user of the role allowed to use it, and changes nothing.

The endpoints come from the access matrix (access_table.TABLE, which test_access_matrix keeps
equal to the URL resolver): every row with a POST cell other than 405. The exceptions, each
checked for what protects it instead:

    health probes and metrics   answered before any view, for any method; they write nothing
    Stripe's webhook            exempt from CSRF (Stripe has no token): a bad signature is a 400

A positive control sends the same POSTs with a valid token, which then pass the check and do
their work: so it is the token, not the role or the data, that the 403 refuses.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from eventmate.accounts.models import User
from eventmate.bookings.models import Booking
from eventmate.bookings.tickets import ticket_token
from eventmate.events.models import Event
from eventmate.reviews.models import Favorite, Review
from tests.factories import PASSWORD
from tests.payments.stripe_stub import signed, webhook_event

from .access_table import TABLE, Row
from .conftest import ROLES
from .integrity import db_fingerprint, fingerprint_difference
from .submissions import event_edit_data, event_form_data, profile_data

PROBES = {"core:health", "core:health-live", "core:health-ready", "core:metrics"}
SIGNED_WEBHOOKS = {"bookings:stripe-webhook"}
ALLOWED = {"200", "302", "400", "409"}  # cells where the role gets past access control
# Log out as someone who is logged in (the first allowed role would be the anonymous one).
ROLE_OVERRIDES = {"accounts:logout": "user", "admin:logout": "staff"}
CSRF_REFUSAL = b"CSRF verification failed"


def _new_password_data(password="a new and long passphrase 42"):
    return {"new_password1": password, "new_password2": password}


# What each endpoint would act on with a valid token: the refusal must stop real work.
# fmt: off
DATA = {
    "events:event-create": lambda w: event_form_data(w.city, title="Forged event"),
    "events:event-edit": lambda w: event_edit_data(w.event, title="Forged title"),
    "bookings:booking-create": lambda w: {"quantity": "1"},
    "bookings:booking-checkout": lambda w: {"card_number": "4242424242424242",
                                            "expiry": "12 / 40", "cvc": "123"},
    "bookings:event-check-in": lambda w: {"code": ticket_token(w.booking)},
    "reviews:favorite-toggle": lambda w: {"action": "add"},
    "reviews:review-create": lambda w: {"rating": "5", "comment": "Forged praise"},
    "reviews:review-edit": lambda w: {"rating": "1", "comment": "Forged complaint"},
    "accounts:settings": lambda w: profile_data(w.user, bio="Forged bio"),
    "accounts:account-delete": lambda w: {"password": PASSWORD},
    "accounts:signup": lambda w: {"username": "forged", "email": "forged@example.com",
                                  "password1": PASSWORD, "password2": PASSWORD},
    "accounts:login": lambda w: {"username": "user", "password": PASSWORD},
    "accounts:password-change": lambda w: {"old_password": PASSWORD, **_new_password_data()},
    "accounts:password-reset": lambda w: {"email": w.user.email},
    "admin:login": lambda w: {"username": "staff", "password": PASSWORD},
    "admin:events_event_changelist": lambda w: {"action": "delete_selected",
                                                "_selected_action": [str(w.event.pk)],
                                                "post": "yes"},
    "admin:events_event_change": lambda w: {"title": "Forged by admin"},
    "admin:accounts_user_change": lambda w: {"username": "forged", "is_superuser": "on"},
}
# fmt: on


def role_for(row: Row) -> str:
    if row.route in ROLE_OVERRIDES:
        return ROLE_OVERRIDES[row.route]
    cells = row.expected("POST")
    return next(role for role in ROLES if cells[role] in ALLOWED)


def accepts_post(row: Row) -> bool:
    """Some role gets past access control with a POST (not 405, not refused for everyone)."""
    return any(cell in ALLOWED for cell in row.expected("POST").values())


STATE_CHANGING = [
    row
    for row in TABLE
    if accepts_post(row)
    and row.route not in PROBES | SIGNED_WEBHOOKS
    # A signed reset link is moved into the session first; its form has a test of its own.
    and row.route != "accounts:password-reset-confirm"
]


def test_every_post_endpoint_is_covered_or_exempt_for_a_reason():
    """Guard: a new POST endpoint in the table lands in STATE_CHANGING unless named here."""
    posting = {row.route for row in TABLE if accepts_post(row)}
    covered = {row.route for row in STATE_CHANGING}
    exempt = PROBES | SIGNED_WEBHOOKS | {"accounts:password-reset-confirm"}

    assert posting == covered | exempt
    assert len(covered) >= 25
    for row in STATE_CHANGING:  # each is tried by a role that gets past access control
        assert row.expected("POST")[role_for(row)] in ALLOWED, row.id


@pytest.fixture
def csrf_world(world, settings):
    settings.RATELIMIT_ENABLED = False
    settings.STRIPE_SECRET_KEY = "sk_test_csrf"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_csrf"
    cache.clear()
    mail.outbox.clear()
    return world


def strict_client(world, role: str) -> Client:
    return world.client_for(role, enforce_csrf_checks=True)


def valid_token(client: Client, role: str) -> str:
    """A token as a page hands it out (and the cookie it belongs to, now in the client)."""
    page = reverse("accounts:login") if role == "anonymous" else reverse("accounts:settings")
    body = client.get(page).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def is_signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("row", STATE_CHANGING, ids=lambda row: row.id)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_post_without_a_valid_token_is_refused_and_changes_nothing(csrf_world, row, token):
    world, role = csrf_world, role_for(row)
    client = strict_client(world, role)
    data = DATA.get(row.route, lambda w: {})(world)
    if token == "wrong":
        valid_token(client, role)  # the cookie is there; the form's token is not its own
        data = {**data, "csrfmiddlewaretoken": "x" * 64}
    before = db_fingerprint()

    response = client.post(row.url(world), data)

    assert response.status_code == 403, f"{row.id} as {role}"
    assert CSRF_REFUSAL in response.content  # Django's CSRF refusal, not an access rule
    assert fingerprint_difference(before, db_fingerprint()) == []
    assert mail.outbox == []
    assert is_signed_in(client) == (role != "anonymous")  # a forged logout or login fails


# fmt: off
POSITIVE_CONTROLS = {
    # route: (role, what the DB says afterwards)
    "reviews:favorite-toggle": ("user", lambda w: Favorite.objects.filter(
        user=w.user, event=w.event).exists()),
    "bookings:booking-cancel": ("user", lambda w: Booking.objects.get(
        pk=w.booking.pk).status == Booking.Status.CANCELLED),
    "reviews:review-delete": ("user", lambda w: not Review.objects.filter(
        pk=w.review.pk).exists()),
    "accounts:settings": ("user", lambda w: User.objects.get(
        pk=w.user.pk).bio == "Forged bio"),
    "events:event-edit": ("host", lambda w: Event.objects.get(
        pk=w.event.pk).title == "Forged title"),
}
# fmt: on


@pytest.mark.parametrize("route", sorted(POSITIVE_CONTROLS))
def test_the_same_post_with_a_valid_token_does_its_work(csrf_world, route):
    world = csrf_world
    role, done = POSITIVE_CONTROLS[route]
    (row,) = [row for row in STATE_CHANGING if row.id == route]
    client = strict_client(world, role)
    data = {
        **DATA.get(route, lambda w: {})(world),
        "csrfmiddlewaretoken": valid_token(client, role),
    }

    response = client.post(row.url(world), data)

    assert response.status_code in (200, 302), response.status_code
    assert done(world), f"{route}: the POST with a valid token did not do its work"


def test_login_and_logout_with_a_valid_token_work(csrf_world):
    client = strict_client(csrf_world, "anonymous")
    response = client.post(
        reverse("accounts:login"),
        {
            "username": "user",
            "password": PASSWORD,
            "csrfmiddlewaretoken": valid_token(client, "anonymous"),
        },
    )
    assert response.status_code == 302 and is_signed_in(client)

    # Logging in rotates the token: a new page hands out the new one.
    token = valid_token(client, "user")
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and not is_signed_in(client)


def test_the_set_password_form_of_a_reset_link_needs_a_token(csrf_world):
    world = csrf_world
    client = strict_client(world, "anonymous")
    uid = urlsafe_base64_encode(force_bytes(world.user.pk))
    token = default_token_generator.make_token(world.user)
    link = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    form_url = client.get(link)["Location"]  # the token moves into the session
    assert client.get(form_url).status_code == 200
    before = db_fingerprint()

    response = client.post(form_url, _new_password_data())

    assert response.status_code == 403 and CSRF_REFUSAL in response.content
    assert fingerprint_difference(before, db_fingerprint()) == []

    response = client.post(
        form_url, {**_new_password_data(), "csrfmiddlewaretoken": valid_token(client, "anonymous")}
    )
    assert response.status_code == 302
    world.user.refresh_from_db()
    assert world.user.check_password(_new_password_data()["new_password1"])


@pytest.mark.parametrize("role", ROLES)
def test_the_stripe_webhook_needs_stripe_signature_not_a_token(csrf_world, role):
    world = csrf_world
    client = strict_client(world, role)
    url = reverse("bookings:stripe-webhook")
    event = webhook_event(
        "checkout.session.completed",
        {"id": "cs_forged", "object": "checkout.session", "client_reference_id": "x"},
    )
    body, _ = signed(event, secret="whsec_someone_else")
    before = db_fingerprint()

    for header in ("", "t=1,v1=" + "0" * 64, signed(event, secret="whsec_someone_else")[1]):
        response = client.post(
            url, body, content_type="application/json", headers={"Stripe-Signature": header}
        )
        assert response.status_code == 400, header
    assert fingerprint_difference(before, db_fingerprint()) == []

    body, header = signed(event, secret=django_settings.STRIPE_WEBHOOK_SECRET)
    response = client.post(
        url, body, content_type="application/json", headers={"Stripe-Signature": header}
    )
    assert response.status_code == 200  # signed by Stripe's secret: accepted without a token
