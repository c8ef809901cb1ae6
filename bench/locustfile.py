"""The user scenario: Locust, headless, FastHttpUser (cheap on the generator's CPU).

Visitors think 1–3 s between actions. The mix (weights within each kind of visitor):
  anonymous   home 10, search with keyword + location 8, event page 6, category filter 3,
              city page 2, autocomplete 4, "load more" (page 2, partial) 2; a small share
              (BENCH_MISS_RATE) of event pages and searches are misses: unknown slugs (404)
              and words that match nothing;
  signed-in   returning visitors with a session (a share log in through the form first):
              my bookings, favourite toggles (POST with the CSRF token), profile, event pages,
              home, search, and at a low rate a full booking: hold, pay with the test card
              4242 4242 4242 4242, open the ticket;
  hosts       my events, the edit form of one of their events, its bookings list;
  probes      /health/ and /health/ready/ once a second (fixed count, like a load balancer).
Every simulated visitor has its own client address (X-Forwarded-For, honoured because the
stack trusts 127.0.0.1 as a proxy), so the per-IP rate limit stays in force.

Reads its data from BENCH_DATA (bench.prepare sample) and writes exact per-endpoint figures
(status counts, p50/p95/p99 computed from every response time) to BENCH_LOCUST_OUT when it
quits. A page that answers 501 (not built yet) is counted as a failure named "missing page".
"""

import itertools
import json
import os
import random
import time
from collections import Counter, defaultdict
from datetime import date
from http.cookiejar import Cookie, DefaultCookiePolicy
from urllib.parse import quote, urlencode, urlsplit

from locust import FastHttpUser, between, constant, events, task

from bench.forms import card_form_values, find_form, find_link, with_value
from bench.stats import summarise

DATA = json.loads(open(os.environ["BENCH_DATA"]).read())  # noqa: SIM115
OUT = os.environ.get("BENCH_LOCUST_OUT", "")
MISS_RATE = float(os.environ.get("BENCH_MISS_RATE", "0.03"))
SIGNED_IN_SHARE = float(os.environ.get("BENCH_SIGNED_IN_SHARE", "0.30"))
HOST_SHARE = float(os.environ.get("BENCH_HOST_SHARE", "0.05"))
BOOKING_WEIGHT = int(os.environ.get("BENCH_BOOKING_WEIGHT", "1"))
PROBES = int(os.environ.get("BENCH_PROBES", "1"))
SESSION_COOKIE = DATA["cookies"]["session"]
CSRF_COOKIE = DATA["cookies"]["csrf"]
FLOW = "FLOW"
MISSING = "missing page (501)"

_addresses = itertools.count(1)
_accounts = itertools.count()
_hosts = itertools.count()


def _next_address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _pick(values, default=""):
    return random.choice(values) if values else default


# ------------------------------------------------------------------------------------------
# Exact figures: every response time by entry, every status by entry.
# ------------------------------------------------------------------------------------------
class Recorder:
    def __init__(self):
        self.times = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.failures = defaultdict(Counter)
        self.started = None
        self.finished = None

    def add(self, request_type, name, response_time, response, exception):
        now = time.time()
        self.started = self.started or now
        self.finished = now
        key = name
        self.times[key].append(response_time)
        if request_type == FLOW:
            status = "failed" if exception else "completed"
        else:
            code = getattr(response, "status_code", 0) if response is not None else 0
            status = str(code) if code else f"error {type(exception).__name__}"
        self.statuses[key][status] += 1
        if exception:
            self.failures[key][str(exception)[:200]] += 1

    def summary(self) -> dict:
        groups = defaultdict(list)
        entries = {}
        for name, times in self.times.items():
            entries[name] = {
                **summarise(times),
                "statuses": dict(self.statuses[name]),
                "failures": sum(self.failures[name].values()),
                "failure_reasons": dict(self.failures[name].most_common(5)),
            }
            kind = name.split(":", 1)[0]
            groups[kind] += times
            if kind != "flow":
                groups["all"] += times
        elapsed = (self.finished - self.started) if self.started else 0
        all_statuses = Counter()
        failures = 0
        for name in self.times:
            if not name.startswith("flow:"):
                all_statuses.update(self.statuses[name])
                failures += sum(self.failures[name].values())
        missing = sorted(name for name in self.times if self.statuses[name].get("501"))
        return {
            "elapsed_s": round(elapsed, 1),
            "requests": len(groups["all"]),
            "failures": failures,
            "requests_per_s": round(len(groups["all"]) / elapsed, 1) if elapsed else 0,
            "statuses": dict(all_statuses),
            "missing_pages": missing,
            "groups": {name: summarise(times) for name, times in groups.items()},
            "entries": dict(sorted(entries.items())),
        }


RECORDER = Recorder()


@events.request.add_listener
def _record(
    request_type, name, response_time, response_length, response=None, exception=None, **_kwargs
):
    RECORDER.add(request_type, name, response_time, response, exception)


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    if OUT:
        summary = RECORDER.summary()
        summary["users"] = {
            "anonymous_weight": Anonymous.weight,
            "signed_in_weight": SignedIn.weight,
            "host_weight": Host.weight,
            "probes": PROBES,
        }
        with open(OUT, "w") as out:
            json.dump(summary, out, indent=1)


# ------------------------------------------------------------------------------------------
# Visitors
# ------------------------------------------------------------------------------------------
class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        # The app marks its cookies Secure. Browsers send those to http://127.0.0.1 (a secure
        # context); Python's cookie jar would not, so it is told to do as browsers do.
        self.client.cookiejar.set_policy(
            DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        self.headers = {
            "X-Forwarded-For": _next_address(),
            "Accept-Encoding": "gzip, br",
            "User-Agent": "EventMate-bench (locust)",
        }

    def fetch(
        self, path, name, *, method="GET", expect=(200,), data=None, headers=None, redirects=False
    ):
        """One request, judged by its own status; returns (response, milliseconds). Redirects
        are not followed: a signed-in page that sends the visitor to the log-in page is a
        failure, not a success that timed the log-in page."""
        all_headers = {**self.headers, **(headers or {})}
        body = None
        if data is not None:
            body = urlencode(data)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=all_headers,
            catch_response=True,
            allow_redirects=redirects,
        ) as response:
            status = response.status_code
            if status in expect:
                response.success()
            elif status == 501:
                response.failure(MISSING)
            elif status == 0:
                response.failure("no response (connection error or timeout)")
            else:
                response.failure(f"status {status} (expected {'/'.join(map(str, expect))})")
        return response, (time.perf_counter() - started) * 1000

    # Shared page visits ------------------------------------------------------------------
    def home(self, prefix):
        self.fetch("/", f"{prefix}: home")

    def search(self, prefix):
        if random.random() < MISS_RATE:
            word = _pick(DATA["no_result_keywords"], "zqxvw")
            self.fetch(f"/events/?q={quote(word)}", f"{prefix}: search (no results)")
            return
        city = _pick(DATA["cities"], {"name": ""})
        query = urlencode({"q": _pick(DATA["keywords"], "music"), "location": city["name"]})
        self.fetch(f"/events/?{query}", f"{prefix}: search (keyword + location)")

    def event_page(self, prefix):
        if random.random() < MISS_RATE:
            slug = _pick(DATA["missing_events"], "no-such-event")
            self.fetch(f"/event/{slug}/", f"{prefix}: event (404 miss)", expect=(404,))
            return
        self.fetch(f"/event/{_pick(DATA['events'], 'none')}/", f"{prefix}: event")


class Anonymous(Visitor):
    weight = max(round(100 * (1 - SIGNED_IN_SHARE - HOST_SHARE)), 1)

    @task(10)
    def visit_home(self):
        self.home("anon")

    @task(8)
    def visit_search(self):
        self.search("anon")

    @task(6)
    def visit_event(self):
        self.event_page("anon")

    @task(3)
    def visit_category(self):
        category = _pick(DATA["categories"], "music")
        self.fetch(f"/events/?category={category}", "anon: category filter")

    @task(2)
    def visit_city(self):
        city = _pick(DATA["cities"], {"slug": "new-york"})
        self.fetch(f"/city/{city['slug']}/", "anon: city")

    @task(4)
    def visit_autocomplete(self):
        prefix = _pick(DATA["prefixes"], "mus")
        self.fetch(f"/search/autocomplete/?q={quote(prefix)}", "anon: autocomplete")

    @task(2)
    def visit_load_more(self):
        if random.random() < 0.5:
            city = _pick(DATA["cities"], {"slug": "new-york"})
            path = f"/city/{city['slug']}/?page=2&partial=1"
        else:
            path = f"/events/?category={_pick(DATA['categories'], 'music')}&page=2&partial=1"
        self.fetch(path, "anon: load more")


class SignedInVisitor(Visitor):
    """A visitor with an account: cookies set from a prepared session, or a real log-in."""

    abstract = True
    pool_key = "users"
    counter = _accounts

    def on_start(self):
        super().on_start()
        pool = DATA[self.pool_key]
        self.csrf = ""
        if not pool:
            self.account = None
            return
        self.account = pool[next(self.counter) % len(pool)]
        self.csrf = self.account["csrf"]
        self.set_cookie(CSRF_COOKIE, self.csrf)
        if self.account.get("login"):
            self.log_in()
        else:
            self.set_cookie(SESSION_COOKIE, self.account["session"])

    def set_cookie(self, name, value):
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(
            Cookie(
                0,
                name,
                value,
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def cookie(self, name):
        for cookie in self.client.cookiejar:
            if cookie.name == name:
                return cookie.value
        return None

    def log_in(self):
        response, _ms = self.fetch("/accounts/login/", "user: login form")
        form = find_form(response.text or "", field_like=("password",))
        if form is None:
            # No form to fill: fall back to the prepared session so the visit goes on.
            self.set_cookie(SESSION_COOKIE, self.account["session"])
            return
        values = with_value(form.values(), "username", self.account["username"])
        values = with_value(values, "password", DATA["password"])
        self.fetch(
            form.action or "/accounts/login/",
            "user: log in",
            method="POST",
            data=values,
            expect=(302, 303),
            redirects=False,
        )
        self.csrf = self.cookie(CSRF_COOKIE) or self.csrf

    def post_with_token(self, path, name, *, expect=(200, 302, 303)):
        token = self.cookie(CSRF_COOKIE) or self.csrf
        return self.fetch(
            path,
            name,
            method="POST",
            data={"csrfmiddlewaretoken": token},
            headers={
                "X-CSRFToken": token,
                "Accept": "application/json",
                "X-Requested-With": "XMLHttpRequest",
            },
            expect=expect,
            redirects=False,
        )


class SignedIn(SignedInVisitor):
    weight = max(round(100 * SIGNED_IN_SHARE), 1)

    @task(3)
    def my_bookings(self):
        self.fetch("/my-bookings/", "user: my bookings")

    @task(2)
    def toggle_favourite(self):
        slug = _pick(DATA["events"], "none")
        self.post_with_token(f"/event/{slug}/favorite/", "user: favourite toggle")

    @task(2)
    def profile(self):
        self.fetch("/profile/", "user: profile")

    @task(4)
    def event(self):
        self.event_page("user")

    @task(3)
    def visit_home(self):
        self.home("user")

    @task(2)
    def visit_search(self):
        self.search("user")

    @task(BOOKING_WEIGHT)
    def book(self):
        """Hold one ticket, pay with the test card, open the ticket; reported step by step
        ("booking: …") and as a whole ("flow: booking", the sum of its requests' times)."""
        slug = _pick(DATA["bookable_events"] or DATA["events"], "none")
        total = 0.0
        try:
            response, ms = self.fetch(f"/event/{slug}/", "booking: event page")
            total += ms
            form = find_form(response.text or "", action_contains="/book/")
            if form is None:
                raise FlowStopped("no booking form on the event page", response.status_code)
            values = with_value(form.values(), "quantity", "1")
            response, ms = self.fetch(
                form.action,
                "booking: hold",
                method="POST",
                data=values,
                expect=(302, 303),
                redirects=False,
            )
            total += ms
            checkout = _location(response)
            if not checkout:
                raise FlowStopped("the hold did not lead to checkout", response.status_code)
            response, ms = self.fetch(checkout, "booking: checkout")
            total += ms
            pay = find_form(response.text or "", field_like=("card", "number"))
            if pay is None:
                raise FlowStopped("no card form on the checkout page", response.status_code)
            response, ms = self.fetch(
                pay.action or checkout,
                "booking: pay",
                method="POST",
                data=card_form_values(pay, year=date.today().year),
                expect=(302, 303),
                redirects=False,
            )
            total += ms
            after = _location(response)
            if not after:
                raise FlowStopped("payment did not redirect", response.status_code)
            response, ms = self.fetch(after, "booking: confirmation")
            total += ms
            ticket = None if "ticket" in after else find_link(response.text or "", "ticket")
            if ticket:
                response, ms = self.fetch(ticket, "booking: ticket")
                total += ms
        except FlowStopped as stopped:
            self.environment.events.request.fire(
                request_type=FLOW,
                name="flow: booking",
                response_time=total,
                response_length=0,
                response=None,
                exception=stopped,
                context={},
            )
            return
        self.environment.events.request.fire(
            request_type=FLOW,
            name="flow: booking",
            response_time=total,
            response_length=0,
            response=None,
            exception=None,
            context={},
        )


def _location(response):
    if response.status_code in (301, 302, 303) and response.headers:
        return response.headers.get("Location")
    return None


class FlowStopped(Exception):
    def __init__(self, reason, status):
        super().__init__(f"{reason} (last status {status})")


class Host(SignedInVisitor):
    weight = max(round(100 * HOST_SHARE), 1)
    pool_key = "hosts"
    counter = _hosts

    def host_event(self):
        events_of_host = (self.account or {}).get("events") or DATA["events"]
        return _pick(events_of_host, "none")

    @task(3)
    def my_events(self):
        self.fetch("/my-events/", "host: my events")

    @task(2)
    def edit_form(self):
        self.fetch(f"/event/{self.host_event()}/edit/", "host: edit form")

    @task(2)
    def bookings_list(self):
        self.fetch(f"/event/{self.host_event()}/bookings/", "host: bookings list")


class Probe(Visitor):
    fixed_count = PROBES
    wait_time = constant(1)

    @task
    def health(self):
        self.fetch("/health/", "probe: health")

    @task
    def ready(self):
        self.fetch("/health/ready/", "probe: ready")
