"""The access-control matrix: every URL of the project, for each role, GET and POST.

One row per URL (a few URLs have a second row for another kind of object). Each cell is what
the role gets back:

    200          the page
    302          a redirect that is the page's answer (e.g. "already logged in", "done")
    login        a redirect to the site's log-in page, with next= back to the URL
    admin-login  a redirect to the admin's log-in page
    400 403 404 405 409   refused (404 where even the existence of the object is private)

Roles: see conftest.py. The POSTs carry no form data (empty forms), so allowed POSTs show
either the form's errors or, for one-button actions such as cancel and delete, the action's
redirect. Every cell runs in a rolled-back savepoint, so cells cannot affect each other.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from eventmate.accounts.models import User
from eventmate.bookings.tickets import ticket_token

from .conftest import ROLES, World


@dataclass(frozen=True)
class Row:
    route: str  # the URL name (or the pattern, for unnamed ones)
    url: Callable[[World], str]
    get: str
    post: str
    why: str = ""
    variant: str = ""  # tells two rows of the same route apart

    @property
    def id(self) -> str:
        return f"{self.route}[{self.variant}]" if self.variant else self.route

    def expected(self, method: str) -> dict[str, str]:
        cells = (self.get if method == "GET" else self.post).split()
        assert len(cells) == len(ROLES), f"{self.id} {method}: {len(cells)} cells"
        return dict(zip(ROLES, cells, strict=True))


def _url(name: str, **kwargs) -> Callable[[World], str]:
    """reverse(name) with kwargs computed from the world: values may be callables."""

    def build(world: World) -> str:
        values = {key: value(world) if callable(value) else value for key, value in kwargs.items()}
        return reverse(name, kwargs=values)

    return build


def _reset_link(world: World) -> str:
    # From the row as stored now: logging in changes last_login, which voids older tokens.
    user = User.objects.get(pk=world.user.pk)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})


def event(world):
    return world.event.slug


def booking(world):
    return world.booking.reference


def hold(world):
    return world.hold.reference


def _admin_change(name: str, attribute: str) -> Callable[[World], str]:
    return lambda world: reverse(f"admin:{name}_change", args=[getattr(world, attribute).pk])


ALL_200 = "200   200   200   200   200   200"
ALL_405 = "405   405   405   405   405   405"
LOGIN_405 = "login 405   405   405   405   405"

# fmt: off
TABLE = [
    #                                                     anon  user  other host  o.host staff
    # ---- probes: answered first by core.health.ProbeMiddleware, for any method (a load
    # balancer may probe with OPTIONS or HEAD); they change nothing and show no private data.
    Row("core:health", _url("core:health"), get=ALL_200, post=ALL_200),
    Row("core:health-live", _url("core:health-live"), get=ALL_200, post=ALL_200),
    Row("core:health-ready", _url("core:health-ready"), get=ALL_200, post=ALL_200),
    Row("core:metrics", _url("core:metrics"), get=ALL_200, post=ALL_200,
        why="Allowed by client address (METRICS_ALLOWED_IPS): the test client is 127.0.0.1."),

    # ---- discovery: public, read-only
    Row("events:home", _url("events:home"), get=ALL_200, post=ALL_405),
    Row("events:event-search", _url("events:event-search"), get=ALL_200, post=ALL_405),
    Row("events:autocomplete", _url("events:autocomplete"), get=ALL_200, post=ALL_405),
    Row("events:city-detail", _url("events:city-detail", slug="springfield"),
        get=ALL_200, post=ALL_405),
    Row("events:event-detail", _url("events:event-detail", slug=event),
        get=ALL_200, post=ALL_405),
    Row("events:event-detail", _url("events:event-detail", slug="draft"), variant="draft",
        get=  "404   404   404   200   404   200",
        post=  ALL_405,
        why="An unpublished event is visible to its host and staff only."),

    # ---- hosting
    Row("events:event-create", _url("events:event-create"),
        get=  "login 403   403   200   200   200",
        post= "login 403   403   200   200   200",
        why="Hosts and staff; an empty form comes back with its errors."),
    Row("events:event-edit", _url("events:event-edit", slug=event),
        get=  "login 403   403   200   403   200",
        post= "login 403   403   200   403   200"),
    Row("events:event-delete", _url("events:event-delete", slug=event),
        get=  "login 403   403   200   403   200",
        post= "login 403   403   302   403   302",
        why="With bookings the event is unpublished instead, then back to my events."),
    Row("events:my-events", _url("events:my-events"), get="login 200 200 200 200 200",
        post=LOGIN_405),

    # ---- booking
    Row("bookings:booking-create", _url("bookings:booking-create", slug=event),
        get=  "login 200   200   200   200   200",
        post= "login 400   400   400   400   400",
        why="An empty booking form is a 400 (bad quantity)."),
    Row("bookings:booking-create", _url("bookings:booking-create", slug="draft"),
        variant="draft",
        get=  "login 404   404   404   404   404",
        post= "login 404   404   404   404   404",
        why="Unpublished events cannot be booked by anyone, not even their host."),
    Row("bookings:my-bookings", _url("bookings:my-bookings"),
        get="login 200 200 200 200 200", post=LOGIN_405),
    Row("bookings:booking-detail", _url("bookings:booking-detail", reference=booking),
        get=  "login 200   404   404   404   404",
        post=  LOGIN_405,
        why="Only the owner; to anyone else the booking does not exist."),
    Row("bookings:booking-checkout", _url("bookings:booking-checkout", reference=hold),
        get=  "login 200   404   404   404   404",
        post= "login 400   404   404   404   404",
        why="The owner's pending hold; an empty card form is a 400."),
    Row("bookings:booking-payment", _url("bookings:booking-payment", reference=booking),
        get=  "login 200   404   404   404   404",
        post=  LOGIN_405),
    Row("bookings:booking-cancel", _url("bookings:booking-cancel", reference=booking),
        get=  "login 200   404   404   404   404",
        post= "login 302   404   404   404   404"),
    Row("bookings:booking-ticket", _url("bookings:booking-ticket", reference=booking),
        get=  "login 200   404   404   404   404",
        post=  LOGIN_405),
    Row("bookings:booking-ticket-ics", _url("bookings:booking-ticket-ics", reference=booking),
        get=  "login 200   404   404   404   404",
        post=  LOGIN_405),
    Row("bookings:ticket-public",
        _url("bookings:ticket-public", token=lambda w: ticket_token(w.booking)),
        get=ALL_200, post=ALL_405,
        why="The signed token is the credential (it is what the QR code carries)."),
    Row("bookings:ticket-public-ics",
        _url("bookings:ticket-public-ics", token=lambda w: ticket_token(w.booking)),
        get=ALL_200, post=ALL_405),
    Row("bookings:ticket-public", _url("bookings:ticket-public", token=booking),
        variant="unsigned", get="404 404 404 404 404 404", post=ALL_405,
        why="A bare reference is not a ticket link."),

    # ---- the host's side of bookings: the event's own host only (staff use the admin)
    Row("bookings:event-bookings", _url("bookings:event-bookings", slug=event),
        get=  "login 404   404   200   404   404",
        post=  LOGIN_405),
    Row("bookings:event-attendees-csv", _url("bookings:event-attendees-csv", slug=event),
        get=  "login 404   404   200   404   404",
        post=  LOGIN_405),
    Row("bookings:event-check-in", _url("bookings:event-check-in", slug=event),
        get=  "login 404   404   200   404   404",
        post= "login 404   404   200   404   404"),
    Row("bookings:event-cancel", _url("bookings:event-cancel", slug=event),
        get=  "login 404   404   200   404   404",
        post= "login 404   404   302   404   404"),
    Row("bookings:stripe-webhook", _url("bookings:stripe-webhook"),
        get=  ALL_405,
        post= "400   400   400   400   400   400",
        why="Authenticated by Stripe's signature, not by a session: unsigned is a 400."),

    # ---- favourites and reviews
    Row("reviews:favorite-toggle", _url("reviews:favorite-toggle", slug=event),
        get=  ALL_405,
        post= "login 302   302   302   302   302"),
    Row("reviews:favorite-toggle", _url("reviews:favorite-toggle", slug="draft"),
        variant="draft",
        get=  ALL_405,
        post= "login 404   404   302   404   302",
        why="Only who can see an unpublished event can favourite it."),
    Row("reviews:favorite-list", _url("reviews:favorite-list"),
        get="login 200 200 200 200 200", post=LOGIN_405),
    Row("reviews:review-create", _url("reviews:review-create", slug="attended"),
        get=  "login 200   403   403   403   403",
        post= "login 200   403   403   403   403",
        why="Guests with a confirmed booking of a started event; not the host."),
    Row("reviews:review-edit", _url("reviews:review-edit", slug="reviewed"),
        get=  "login 200   404   404   404   404",
        post= "login 200   404   404   404   404",
        why="One's own review only."),
    Row("reviews:review-delete", _url("reviews:review-delete", slug="reviewed"),
        get=  "login 200   404   404   404   404",
        post= "login 302   404   404   404   404"),

    # ---- accounts
    Row("accounts:profile", _url("accounts:profile"),
        get="login 200 200 200 200 200", post=LOGIN_405),
    Row("accounts:settings", _url("accounts:settings"),
        get="login 200 200 200 200 200", post="login 200 200 200 200 200"),
    Row("accounts:account-delete", _url("accounts:account-delete"),
        get="login 200 200 200 200 200", post="login 200 200 200 200 200",
        why="Deleting needs the password; an empty form changes nothing."),
    Row("accounts:signup", _url("accounts:signup"),
        get=  "200   302   302   302   302   302",
        post= "200   302   302   302   302   302",
        why="Signed-in users are sent to their profile."),
    Row("accounts:login", _url("accounts:login"),
        get=  "200   302   302   302   302   302",
        post= "200   302   302   302   302   302"),
    Row("accounts:logout", _url("accounts:logout"),
        get=  ALL_405,
        post= "302   302   302   302   302   302",
        why="POST only, so a link or an image cannot log anyone out."),
    Row("accounts:password-change", _url("accounts:password-change"),
        get="login 200 200 200 200 200", post="login 200 200 200 200 200"),
    Row("accounts:password-change-done", _url("accounts:password-change-done"),
        get="login 200 200 200 200 200", post=LOGIN_405),
    Row("accounts:password-reset", _url("accounts:password-reset"), get=ALL_200, post=ALL_200),
    Row("accounts:password-reset-done", _url("accounts:password-reset-done"),
        get=ALL_200, post=ALL_405),
    Row("accounts:password-reset-confirm", _reset_link,
        get=  "302   302   302   302   302   302",
        post= "302   302   302   302   302   302",
        why="The emailed token is the credential; it is moved into the session first."),
    Row("accounts:password-reset-complete", _url("accounts:password-reset-complete"),
        get=ALL_200, post=ALL_405),

    # ---- the admin: its index, log-in and log-out, and a few representative model pages.
    # Every other admin URL is generated by Django for each registered model and guarded by
    # the same admin_view wrapper (tests/test_admin.py loads every one of them as staff).
    Row("admin:index", lambda w: reverse("admin:index"),
        get=  "admin-login admin-login admin-login admin-login admin-login 200",
        post= "admin-login admin-login admin-login admin-login admin-login 200"),
    Row("admin:login", lambda w: reverse("admin:login"),
        get=  "200   200   200   200   200   302",
        post= "200   200   200   200   200   200",
        why="Signed-in non-staff see the log-in form (with a 'not authorised' notice)."),
    Row("admin:logout", lambda w: reverse("admin:logout"),
        get=  "302   302   302   302   302   405",
        post= "302   302   302   302   302   302",
        why="Non-staff are sent to the admin index; staff are logged out (POST only)."),
    Row("admin:events_event_changelist", lambda w: reverse("admin:events_event_changelist"),
        get=  "admin-login admin-login admin-login admin-login admin-login 200",
        post= "admin-login admin-login admin-login admin-login admin-login 200"),
    Row("admin:events_event_change", _admin_change("events_event", "event"),
        get=  "admin-login admin-login admin-login admin-login admin-login 200",
        post= "admin-login admin-login admin-login admin-login admin-login 200"),
    Row("admin:bookings_booking_change", _admin_change("bookings_booking", "booking"),
        get=  "admin-login admin-login admin-login admin-login admin-login 200",
        post= "admin-login admin-login admin-login admin-login admin-login 403",
        why="Read-only even for staff: bookings change through their services only."),
    Row("admin:accounts_user_change", _admin_change("accounts_user", "user"),
        get=  "admin-login admin-login admin-login admin-login admin-login 200",
        post= "admin-login admin-login admin-login admin-login admin-login 200"),
]
# fmt: on


def route_key(pattern: str, name: str | None) -> str:
    return name or pattern


def is_allowlisted(key: str) -> bool:
    """URLs deliberately without a row of their own (each with the reason)."""
    return (
        # Django's admin: one set of URLs per registered model, all behind admin_view; the
        # rows above cover the index, log-in/out and representative model pages.
        key.startswith(("admin:", "admin/"))
        # Uploaded files served by django.views.static in development (nginx in production):
        # public by design, read-only, and outside the application.
        or key.startswith("^media/")
        # The benchmark's yardstick, routed only when BENCH_CEILING is set.
        or key == "bench-ceiling"
    )
