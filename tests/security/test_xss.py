"""Stored and reflected markup is shown as text everywhere it appears.

Every text field a host, a guest or a visitor controls holds two payloads, each naming its
field. A page passes when neither payload appears as markup anywhere in it and the escaped
form of the fields it is expected to show does appear (so the page did render them). The
stored values bypass the forms on purpose (e.g. a username with markup, which the sign-up form
refuses): escaping must not depend on validation.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from eventmate.bookings import emails
from eventmate.bookings.tickets import ticket_token
from eventmate.reviews.models import Favorite

from .conftest import World

EVENT_FIELDS = ("title", "description", "venue", "address", "whats_included", "things_to_know",
                "cancellation_policy")  # fmt: skip
USER_FIELDS = ("username", "first_name", "last_name", "bio")
HOST_FIELDS = ("first_name", "last_name", "bio")

# What must never appear in a page, whichever field it came from (compared in lower case).
MARKUP = ("<script>alert", "<img src=x")


def hostile(label: str) -> str:
    """Both payloads, each naming the field they were stored in."""
    return f'<script>alert("{label}")</script> "><img src=x onerror=alert("{label}")>'


@dataclass
class Hostile:
    world: World
    values: dict[str, str]  # label ("event.title") -> the stored value

    def __getitem__(self, label: str) -> str:
        return self.values[label]


@pytest.fixture
def hostile_world(world, settings) -> Hostile:
    settings.RATELIMIT_ENABLED = False
    cache.clear()
    values = {}

    def fill(instance, prefix, names):
        for name in names:
            values[f"{prefix}.{name}"] = hostile(f"{prefix}.{name}")
            setattr(instance, name, values[f"{prefix}.{name}"])
        instance.save()

    fill(world.event, "event", EVENT_FIELDS)
    fill(world.reviewed, "reviewed", ("title",))
    fill(world.review, "review", ("comment",))
    fill(world.user, "user", USER_FIELDS)
    fill(world.host, "host", HOST_FIELDS)
    Favorite.objects.create(user=world.user, event=world.event)
    return Hostile(world=world, values=values)


def assert_no_markup(body: str, where: str) -> None:
    lowered = body.lower()
    found = [snippet for snippet in MARKUP if snippet in lowered]
    assert not found, f"{where}: unescaped markup {found}"


def assert_shown_escaped(body: str, hostile: Hostile, labels, where: str) -> None:
    assert_no_markup(body, where)
    missing = [label for label in labels if escape(hostile[label]) not in body]
    assert not missing, f"{where}: escaped text of {missing} not found (is it shown at all?)"


def _reference(attribute):
    return lambda w: {"reference": getattr(w, attribute).reference}


def _slug(attribute):
    return lambda w: {"slug": getattr(w, attribute).slug}


@dataclass(frozen=True)
class Page:
    id: str
    role: str
    url_name: str
    kwargs: object  # World -> reverse() kwargs, or None
    shows: tuple[str, ...]
    args: object = None  # World -> reverse() args (admin pages)

    def url(self, world: World) -> str:
        if self.args is not None:
            return reverse(self.url_name, args=self.args(world))
        return reverse(self.url_name, kwargs=self.kwargs(world) if self.kwargs else None)


ALL_EVENT = tuple(f"event.{name}" for name in EVENT_FIELDS)
HOST_NAME = ("host.first_name", "host.last_name")
USER_NAME = ("user.first_name", "user.last_name")

# fmt: off
PAGES = [
    # discovery
    Page("home", "anonymous", "events:home", None, ("event.title", "event.venue")),
    Page("search", "anonymous", "events:event-search", None, ("event.title", "event.venue")),
    Page("city", "anonymous", "events:city-detail", lambda w: {"slug": w.city.slug},
         ("event.title", "event.venue")),
    Page("event", "anonymous", "events:event-detail", _slug("event"), ALL_EVENT + HOST_NAME),
    Page("event-with-reviews", "anonymous", "events:event-detail", _slug("reviewed"),
         ("reviewed.title", "review.comment", *USER_NAME, *HOST_NAME)),
    # the guest's pages
    Page("booking-create", "user", "bookings:booking-create", _slug("event"),
         ("event.title", "event.venue", "event.address", "user.username")),
    Page("my-bookings", "user", "bookings:my-bookings", None,
         ("event.title", "event.venue", "reviewed.title")),
    Page("booking-detail", "user", "bookings:booking-detail", _reference("booking"),
         ("event.title", "event.venue", "event.address")),
    Page("booking-checkout", "user", "bookings:booking-checkout", _reference("hold"),
         ("event.title", "event.venue")),
    Page("booking-payment", "user", "bookings:booking-payment", _reference("booking"),
         ("event.title",)),
    Page("booking-cancel", "user", "bookings:booking-cancel", _reference("booking"),
         ("event.title",)),
    Page("ticket", "user", "bookings:booking-ticket", _reference("booking"),
         ("event.title", "event.venue", "event.address", *USER_NAME)),
    Page("ticket-public", "anonymous", "bookings:ticket-public",
         lambda w: {"token": ticket_token(w.booking)}, ("event.title", *USER_NAME)),
    Page("favourites", "user", "reviews:favorite-list", None, ("event.title", "event.venue")),
    Page("profile", "user", "accounts:profile", None,
         ("user.username", *USER_NAME, "user.bio", "reviewed.title", "review.comment")),
    Page("settings", "user", "accounts:settings", None, (*USER_NAME, "user.bio")),
    Page("review-edit", "user", "reviews:review-edit", _slug("reviewed"),
         ("reviewed.title", "review.comment")),
    Page("review-delete", "user", "reviews:review-delete", _slug("reviewed"),
         ("reviewed.title",)),
    # the host's pages
    Page("my-events", "host", "events:my-events", None, ("event.title", "reviewed.title")),
    Page("event-bookings", "host", "bookings:event-bookings", _slug("event"),
         ("event.title", *USER_NAME)),
    Page("event-check-in", "host", "bookings:event-check-in", _slug("event"), ("event.title",)),
    Page("event-cancel", "host", "bookings:event-cancel", _slug("event"), ("event.title",)),
    Page("event-edit", "host", "events:event-edit", _slug("event"), ALL_EVENT),
    Page("event-delete", "host", "events:event-delete", _slug("event"), ("event.title",)),
    # the admin
    Page("admin-event-list", "staff", "admin:events_event_changelist", None,
         ("event.title", "reviewed.title")),
    Page("admin-event-change", "staff", "admin:events_event_change", None, ALL_EVENT,
         args=lambda w: [w.event.pk]),
    Page("admin-review-list", "staff", "admin:reviews_review_changelist", None,
         ("reviewed.title", "user.username")),
    Page("admin-review-change", "staff", "admin:reviews_review_change", None,
         ("reviewed.title", "review.comment", "user.username"), args=lambda w: [w.review.pk]),
    Page("admin-user-list", "staff", "admin:accounts_user_changelist", None,
         ("user.username", *USER_NAME, *HOST_NAME)),
    Page("admin-user-change", "staff", "admin:accounts_user_change", None,
         ("user.username", *USER_NAME, "user.bio"), args=lambda w: [w.user.pk]),
    Page("admin-booking-list", "staff", "admin:bookings_booking_changelist", None,
         ("event.title", "user.username")),
    Page("admin-booking-change", "staff", "admin:bookings_booking_change", None,
         ("event.title", "user.username"), args=lambda w: [w.booking.pk]),
]
# fmt: on


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.id)
def test_stored_markup_is_escaped(hostile_world, page):
    world = hostile_world.world
    response = world.client_for(page.role).get(page.url(world))

    assert response.status_code == 200, page.id
    assert response["Content-Type"].startswith("text/html")
    assert_shown_escaped(response.content.decode(), hostile_world, page.shows, page.id)


def test_admin_review_list_shows_the_comment_excerpt_escaped(hostile_world):
    """The changelist shortens the comment, so only its start is looked for."""
    world = hostile_world.world
    body = world.client_for("staff").get(reverse("admin:reviews_review_changelist"))
    body = body.content.decode()

    assert_no_markup(body, "admin review list")
    assert escape('<script>alert("review.comment")</script>') in body


def _json_ld(body: str) -> str:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(blocks) == 1, "expected one JSON-LD block"
    return blocks[0]


def test_json_ld_and_open_graph_cannot_be_broken_out_of(hostile_world):
    world = hostile_world.world
    event = world.event
    body = world.client_for("anonymous").get(event.get_absolute_url()).content.decode()

    block = _json_ld(body)
    # Nothing inside the block can end it (or open a comment or CDATA section): no "<" at all.
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    # ...and the data still says what the host wrote, character for character.
    assert data["name"] == hostile_world["event.title"]
    assert data["description"] == hostile_world["event.description"]
    assert data["location"]["name"] == hostile_world["event.venue"]
    assert data["location"]["address"]["streetAddress"] == hostile_world["event.address"]
    assert data["organizer"]["name"] == world.host.display_name
    # Open Graph: attribute values, escaped (the quote cannot end the attribute).
    assert f'<meta property="og:title" content="{escape(event.title)}">' in body
    assert f'<meta property="og:description" content="{escape(event.description)}">' in body
    assert f"<title>{escape(event.title)} · " in body


def test_a_title_that_closes_the_script_element_stays_inside_json_ld(world):
    world.event.title = "</script><script>alert(1)</script><!--"
    world.event.save()
    body = world.client_for("anonymous").get(world.event.get_absolute_url()).content.decode()

    block = _json_ld(body)
    assert "</script" not in block.lower() and "<!--" not in block
    assert json.loads(block)["name"] == world.event.title
    assert "<script>alert(1)" not in body


REFLECTED = '<script>alert("q")</script>"><img src=x onerror=alert("q")>'


@pytest.mark.parametrize(
    "url_name, kwargs, params",
    [
        ("events:event-search", None, {"q": REFLECTED}),
        ("events:event-search", None, {"location": REFLECTED}),
        ("events:event-search", None,
         {"min_price": REFLECTED, "max_price": REFLECTED, "date": REFLECTED,
          "sort": REFLECTED, "category": REFLECTED, "page": REFLECTED}),
        ("events:city-detail", {"slug": "springfield"}, {"q": REFLECTED}),
        ("accounts:login", None, {"next": "/" + REFLECTED}),
        ("accounts:signup", None, {"next": "/" + REFLECTED}),
    ],
    ids=["search-q", "search-location", "search-filters", "city-q", "login-next",
         "signup-next"],
)  # fmt: skip
def test_reflected_query_parameters_are_escaped(world, settings, url_name, kwargs, params):
    settings.RATELIMIT_ENABLED = False
    response = world.client_for("anonymous").get(
        reverse(url_name, kwargs=kwargs) + "?" + urlencode(params)
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert_no_markup(body, url_name)
    if "q" in params or "next" in params:
        assert escape(REFLECTED) in body  # shown back (search text, log-in's next), as text


def test_flash_messages_escape_the_event_title(hostile_world):
    world = hostile_world.world
    response = world.client_for("user").post(
        reverse("reviews:favorite-toggle", kwargs={"slug": world.event.slug}),
        {"action": "remove", "next": reverse("reviews:favorite-list")},
        follow=True,
    )

    body = response.content.decode()
    assert "removed from your favourites" in body
    assert_shown_escaped(body, hostile_world, ("event.title",), "favourite message")


def test_autocomplete_is_json_with_the_title_as_a_string(hostile_world):
    world = hostile_world.world
    response = world.client_for("anonymous").get(
        reverse("events:autocomplete"), {"q": "<script>alert"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # A browser must not sniff it into HTML when the URL is opened directly.
    assert response["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.content)
    titles = [event["title"] for event in data["events"]]
    assert titles == [hostile_world["event.title"]]
    assert all(isinstance(event["title"], str) for event in data["events"])


SCRIPTS = ["js/site.js", "js/bookings.js"]
HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
              "new Function", ".html(")  # fmt: skip


@pytest.mark.parametrize("name", SCRIPTS)
def test_the_scripts_never_parse_strings_as_markup(name):
    """The autocomplete list is built with textContent; no script writes strings as HTML
    (the only parser use is "load more", which parses the site's own escaped page)."""
    path = finders.find(name)
    assert path, f"static file {name} not found"
    with open(path, encoding="utf-8") as source:
        code = source.read()

    assert [sink for sink in HTML_SINKS if sink in code] == []
    if name == "js/site.js":
        assert "strong.textContent = title" in code
        assert "small.textContent = detail" in code


@pytest.mark.parametrize("kind", sorted(emails.SUBJECTS))
def test_booking_emails_escape_html_and_keep_plain_text_plain(hostile_world, kind):
    world = hostile_world.world
    mail.outbox.clear()

    assert emails.booking_email_send(booking_id=world.booking.pk, kind=kind)

    (message,) = mail.outbox
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert_shown_escaped(html, hostile_world, ("event.title", "event.venue", *USER_NAME), kind)
    # The plain-text part is not HTML: it shows the text as written, not as entities.
    assert hostile_world["event.title"] in message.body
    assert "&lt;" not in message.body and "&quot;" not in message.body
    assert hostile_world["event.title"] in message.subject
