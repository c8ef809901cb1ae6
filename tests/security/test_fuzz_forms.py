"""Property-based fuzzing of every form and query string, through the test client.

Each target sends generated input (hypothesis) and asserts: no server error (the test client
re-raises any exception a view lets escape, and a 500 fails the status check), the answer is
one of the statuses the page documents, and nothing invalid was stored: after every POST the
stored counters still equal the bookings and reviews, and every new or changed row passes its
model's full validation (integrity.assert_consistent). Every example runs in a savepoint that
is rolled back, so each starts from the same database (conftest.world).

Rate limiting is off here (no_rate_limits): it is tested with limiting on in
tests/core/test_ratelimit.py.
How many inputs were tried is printed at the end of the run; FUZZ_EXAMPLES sets it.
"""

import json
from datetime import timedelta
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from eventmate.bookings.tickets import ticket_public_path, ticket_token
from eventmate.events.models import Category
from eventmate.events.search import DATE_PRESETS, SORT_CHOICES
from eventmate.payments.providers.testmode import TEST_CARDS
from tests.factories import PASSWORD, EventFactory

from .fuzzing import (
    HOSTILE_NUMBERS,
    date_values,
    either,
    fuzz_settings,
    number_values,
    rolled_back,
    text_values,
)
from .integrity import assert_consistent, db_fingerprint

pytestmark = pytest.mark.django_db

PAGE_LIKE = st.one_of(st.sampled_from(["1", "2", "0", "-1", "9" * 30]), number_values())


@pytest.fixture
def fuzz_client(no_rate_limits, world):
    """Created after the limits are switched off: the middleware reads them when loaded."""
    world.start_sessions()
    return Client()


@pytest.fixture
def baseline(world):
    return db_fingerprint()


def signed_in(client, world, role):
    return world.use_session(client, role)


def anonymous(client):
    """A sign-up or log-in in an earlier example must not carry over through the cookie."""
    client.cookies.clear()
    return client


# --------------------------------------------------------------------------------------------
# Query strings
# --------------------------------------------------------------------------------------------
def search_params():
    return st.fixed_dictionaries(
        {},
        optional={
            "q": text_values(),
            "location": text_values(),
            "city": either(st.just("springfield"), text_values()),
            "category": either(st.sampled_from(Category.values), text_values()),
            "date": either(st.sampled_from([key for key, _ in DATE_PRESETS]), text_values()),
            "from": date_values(),
            "to": date_values(),
            "min_price": number_values(),
            "max_price": number_values(),
            "free": st.sampled_from(["1", "0", "true", "on", "maybe", ""]),
            "sort": either(st.sampled_from([key for key, _ in SORT_CHOICES]), text_values()),
            "page": PAGE_LIKE,
            "partial": st.sampled_from(["1", "0", "x"]),
            # Parameters no page reads, and repeated ones.
            "utm_source": text_values(),
            text_values(): text_values(),
        },
    )


@fuzz_settings()
@given(params=search_params())
def test_search_filters_never_fail(world, fuzz_client, params):
    with rolled_back("GET /events/ filters"):
        response = fuzz_client.get(reverse("events:event-search"), params)
        assert response.status_code == 200


@fuzz_settings()
@given(params=search_params())
def test_city_page_filters_never_fail(world, fuzz_client, params):
    with rolled_back("GET /city/<slug>/ filters"):
        response = fuzz_client.get(reverse("events:city-detail", args=["springfield"]), params)
        assert response.status_code == 200


@fuzz_settings()
@given(q=st.one_of(text_values(), st.sampled_from(["Ev", "Spring", "even", "%", "_", "\\"])))
def test_autocomplete_answers_json_for_any_text(world, fuzz_client, q):
    with rolled_back("GET /search/autocomplete/ q"):
        response = fuzz_client.get(reverse("events:autocomplete"), {"q": q})
        assert response.status_code == 200
        body = json.loads(response.content)
        assert set(body) == {"events", "cities"}


RAW_QUERY_PAGES = [
    ("anonymous", lambda world: reverse("events:event-search")),
    ("anonymous", lambda world: reverse("events:city-detail", args=["springfield"])),
    ("anonymous", lambda world: reverse("events:autocomplete")),
    ("anonymous", lambda world: reverse("events:event-detail", args=[world.event.slug])),
    ("user", lambda world: reverse("bookings:my-bookings")),
    ("user", lambda world: reverse("reviews:favorite-list")),
    ("host", lambda world: reverse("events:my-events")),
    ("host", lambda world: reverse("bookings:event-bookings", args=[world.event.slug])),
]


@fuzz_settings()
@given(
    page=st.sampled_from(RAW_QUERY_PAGES),
    raw=st.one_of(
        # Arbitrary bytes, percent-encoded: broken UTF-8 and control bytes reach the parser.
        st.binary(max_size=80).map(lambda data: "q=" + quote_from_bytes(data)),
        st.lists(
            st.tuples(
                st.sampled_from(["q", "page", "reviews", "status", "from", "to", "x"]),
                st.one_of(PAGE_LIKE, text_values()),
            ),
            max_size=4,
        ).map(lambda pairs: "&".join(f"{key}={quote_from_bytes(v.encode())}" for key, v in pairs)),
        st.sampled_from(["%", "%%", "%zz", "&&&", "=", "a=%ff%fe", ";", "?", "#"]),
    ),
)
def test_any_query_string_on_listing_pages_is_answered(world, fuzz_client, page, raw):
    role, url = page
    with rolled_back("GET raw query strings (8 pages)"):
        signed_in(fuzz_client, world, role)
        response = fuzz_client.get(url(world), QUERY_STRING=raw)
        assert response.status_code == 200


@fuzz_settings()
@given(
    params=st.fixed_dictionaries(
        {"status": either(st.sampled_from(["pending", "confirmed", "cancelled"]), text_values())},
        optional={"page": PAGE_LIKE},
    )
)
def test_host_bookings_list_filters_never_fail(world, fuzz_client, params):
    with rolled_back("GET /event/<slug>/bookings/ filters"):
        signed_in(fuzz_client, world, "host")
        url = reverse("bookings:event-bookings", args=[world.event.slug])
        response = fuzz_client.get(url, params)
        assert response.status_code == 200


# --------------------------------------------------------------------------------------------
# Booking: quantity and day
# --------------------------------------------------------------------------------------------
@pytest.fixture
def multi_day_event(world):
    starts = timezone.now() + timedelta(days=20)
    return EventFactory(
        host=world.host, city=world.city, slug="festival", capacity=12,
        starts_at=starts, ends_at=starts + timedelta(days=2, hours=5),
    )  # fmt: skip


def booking_attempts(days: list[str]):
    quantity = either(st.integers(min_value=1, max_value=12).map(str), number_values())
    day = st.one_of(st.sampled_from(days), date_values())
    attempt = st.fixed_dictionaries({"quantity": quantity}, optional={"attendance_date": day})
    return st.lists(attempt, min_size=1, max_size=3)


@fuzz_settings()
@given(data=st.data())
def test_booking_quantity_and_day_never_break_the_inventory(
    world, fuzz_client, baseline, multi_day_event, data
):
    from eventmate.bookings.services import attendance_dates

    days = [day.isoformat() for day in attendance_dates(multi_day_event)]
    event = data.draw(st.sampled_from([world.event, multi_day_event]), label="event")
    attempts = data.draw(booking_attempts(days), label="attempts")
    with rolled_back("POST /event/<slug>/book/ quantity, day"):
        signed_in(fuzz_client, world, "other_user")
        for form in attempts:
            response = fuzz_client.post(reverse("bookings:booking-create", args=[event.slug]), form)
            assert response.status_code in (302, 400, 409)
        assert_consistent(baseline)


# --------------------------------------------------------------------------------------------
# Hosting: create and edit an event
# --------------------------------------------------------------------------------------------
def event_form(world):
    starts = timezone.localtime(timezone.now() + timedelta(days=30))
    start_text = starts.strftime("%Y-%m-%dT%H:%M")
    end_text = (starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    return st.fixed_dictionaries(
        {
            "title": either(st.just("Jazz night"), text_values()),
            "description": either(st.just("Live music."), text_values()),
            "category": either(st.sampled_from(Category.values), text_values()),
            "city": either(st.just(str(world.city.pk)), number_values()),
            "venue": either(st.just("The Hall"), text_values()),
            "starts_at": either(st.just(start_text), date_values()),
            "ends_at": either(st.just(end_text), date_values()),
            "price": either(st.sampled_from(["0", "25", "19.99"]), number_values()),
            "currency": either(st.sampled_from(["USD", "EUR", "JPY"]), text_values()),
            "capacity": either(st.sampled_from(["1", "2", "100"]), number_values()),
            "free_cancellation_hours": either(st.just("48"), number_values()),
            "minimum_age": either(st.just("0"), number_values()),
        },
        optional={
            "address": text_values(),
            "latitude": either(st.just("40.712776"), number_values()),
            "longitude": either(st.just("-74.005974"), number_values()),
            "whats_included": text_values(),
            "things_to_know": text_values(),
            "cancellation_policy": text_values(),
            "is_published": st.sampled_from(["on", "", "false", "0"]),
            "uploads_alt_text": text_values(),
            "primary": number_values(),
        },
    )


@fuzz_settings()
@given(data=st.data())
def test_event_create_stores_only_valid_events(world, fuzz_client, baseline, data):
    form = data.draw(event_form(world), label="form")
    with rolled_back("POST /create/ (host)"):
        signed_in(fuzz_client, world, "host")
        response = fuzz_client.post(reverse("events:event-create"), form)
        assert response.status_code in (200, 302)
        assert_consistent(baseline)


@fuzz_settings()
@given(data=st.data())
def test_event_edit_stores_only_valid_events(world, fuzz_client, baseline, data):
    form = data.draw(event_form(world), label="form")
    with rolled_back("POST /event/<slug>/edit/ (host)"):
        signed_in(fuzz_client, world, "host")
        response = fuzz_client.post(reverse("events:event-edit", args=[world.event.slug]), form)
        assert response.status_code in (200, 302)
        assert_consistent(baseline)


# --------------------------------------------------------------------------------------------
# Accounts: sign-up, log-in, settings
# --------------------------------------------------------------------------------------------
@fuzz_settings()
@given(
    form=st.fixed_dictionaries(
        {
            "username": either(st.from_regex(r"\A[a-z][a-z0-9_.+@-]{2,20}\Z"), text_values()),
            "email": either(st.emails().map(str), text_values()),
            "password1": either(st.just(PASSWORD), text_values()),
        },
        optional={"password2": either(st.just(PASSWORD), text_values()), "next": text_values()},
    )
)
def test_signup_stores_only_valid_accounts(world, fuzz_client, baseline, form):
    form.setdefault("password2", form["password1"])
    with rolled_back("POST /accounts/signup/"):
        response = anonymous(fuzz_client).post(reverse("accounts:signup"), form)
        assert response.status_code in (200, 302)
        assert_consistent(baseline)


LOGIN_NAMES = ["user", "USER", " user ", "user@example.com", "USER@EXAMPLE.COM"]


@fuzz_settings()
@given(
    form=st.fixed_dictionaries(
        {
            "username": either(st.sampled_from(LOGIN_NAMES), text_values()),
            "password": either(st.just(PASSWORD), text_values()),
        },
        optional={"next": text_values()},
    )
)
def test_login_form_answers_any_input(world, fuzz_client, form):
    with rolled_back("POST /accounts/login/"):
        response = anonymous(fuzz_client).post(reverse("accounts:login"), form)
        assert response.status_code in (200, 302)


@fuzz_settings()
@given(
    form=st.fixed_dictionaries(
        {
            "first_name": text_values(),
            "last_name": text_values(),
            "email": either(st.emails().map(str), text_values()),
        },
        optional={
            "phone": either(st.sampled_from(["+1 555 0100", "(020) 7946 0000"]), text_values()),
            "bio": text_values(),
            "remove_avatar": st.sampled_from(["on", ""]),
        },
    )
)
def test_settings_store_only_valid_profiles(world, fuzz_client, baseline, form):
    with rolled_back("POST /settings/ profile"):
        signed_in(fuzz_client, world, "user")
        response = fuzz_client.post(reverse("accounts:settings"), form)
        assert response.status_code in (200, 302)
        assert_consistent(baseline)


# --------------------------------------------------------------------------------------------
# Reviews, checkout, check-in
# --------------------------------------------------------------------------------------------
@fuzz_settings()
@given(
    form=st.fixed_dictionaries(
        {"rating": either(st.sampled_from(["1", "3", "5"]), number_values())},
        optional={"comment": text_values()},
    )
)
def test_review_stores_only_valid_reviews(world, fuzz_client, baseline, form):
    with rolled_back("POST /event/<slug>/review/ (attendee)"):
        signed_in(fuzz_client, world, "user")
        response = fuzz_client.post(reverse("reviews:review-create", args=["attended"]), form)
        assert response.status_code in (200, 302)
        assert_consistent(baseline)


CARD_NUMBERS = st.one_of(
    st.sampled_from(list(TEST_CARDS)),
    st.sampled_from(["4242 4242 4242 4242", "4242-4242-4242-4242", "4111111111111111"]),
    # Characters str.isdigit() accepts: digits of other scripts, but also superscripts and
    # circled digits, which int() refuses.
    st.text(
        alphabet=st.characters(categories=["Nd", "No"]).filter(str.isdigit),
        min_size=12,
        max_size=19,
    ),
    number_values(),
)


@fuzz_settings()
@given(
    form=st.fixed_dictionaries(
        {
            "card_number": CARD_NUMBERS,
            "expiry": either(st.sampled_from(["12/40", "1/2035", "12 / 39"]), date_values()),
            "cvc": either(st.sampled_from(["123", "1234"]), number_values()),
        }
    )
)
def test_checkout_card_fields_never_break_the_inventory(world, fuzz_client, baseline, form):
    with rolled_back("POST /booking/<ref>/checkout/ card"):
        signed_in(fuzz_client, world, "user")
        url = reverse("bookings:booking-checkout", args=[world.hold.reference])
        response = fuzz_client.post(url, form)
        assert response.status_code in (200, 302, 400, 402)
        assert_consistent(baseline)


@fuzz_settings()
@given(data=st.data())
def test_check_in_code_never_fails(world, fuzz_client, baseline, data):
    genuine = [
        world.booking.reference,
        world.booking.reference.lower(),
        ticket_token(world.booking),
        "https://example.com" + ticket_public_path(world.booking),
        ticket_token(world.attended_booking),
        ticket_token(world.booking)[:-1] + "x",
    ]
    code = data.draw(
        st.one_of(st.sampled_from(genuine), text_values(), st.sampled_from(HOSTILE_NUMBERS)),
        label="code",
    )
    with rolled_back("POST /event/<slug>/check-in/ code"):
        signed_in(fuzz_client, world, "host")
        url = reverse("bookings:event-check-in", args=[world.event.slug])
        response = fuzz_client.post(url, {"code": code})
        assert response.status_code == 200
        assert_consistent(baseline)
