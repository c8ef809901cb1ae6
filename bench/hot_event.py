"""The hot event: many signed-in buyers try to hold a ticket of one small event at the same
instant (threads released by a barrier, each with its own connection, session and address),
then every winner pays with the test card. The database must then show exactly `capacity`
tickets sold — no more, whatever the interleaving — and the losers must get an answer that is
not a server error."""

import http.client
import threading
import time
from collections import Counter
from datetime import date
from urllib.parse import urlencode, urlsplit

from bench.forms import card_form_values, find_form, with_value
from bench.procs import HarnessError
from bench.stats import summarise


class _Buyer:
    def __init__(self, port: int, user: dict, cookies: dict, address: str):
        self.port = port
        self.cookie_header = (
            f"{cookies['session']}={user['session']}; {cookies['csrf']}={user['csrf']}"
        )
        self.csrf = user["csrf"]
        self.address = address

    def request(self, method: str, path: str, body: list | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Cookie": self.cookie_header,
            "X-Forwarded-For": self.address,
            "User-Agent": "EventMate-bench (hot event)",
        }
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return (
                response.status,
                response.getheader("Location"),
                text,
                (time.perf_counter() - started) * 1000,
            )
        except OSError as error:
            return 0, None, str(error), (time.perf_counter() - started) * 1000
        finally:
            connection.close()


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def run_hot_event(*, port: int, hot: dict, cookies: dict) -> dict:
    """`hot` is bench.prepare hot-event output. Returns the figures and what the buyers saw;
    the caller checks the database (bench.prepare hot-check)."""
    slug = hot["slug"]
    users = hot["users"]
    if not users:
        raise HarnessError("no buyers for the hot event")
    buyers = [
        _Buyer(port, user, cookies, f"10.240.{i // 256}.{i % 256}") for i, user in enumerate(users)
    ]
    status, _location, page, _ms = buyers[0].request("GET", f"/event/{slug}/")
    form = find_form(page, action_contains="/book/") if status == 200 else None
    if form is None:
        return {
            "skipped": f"no booking form on the event page (status {status})",
            "buyers": len(buyers),
        }
    # The masked token in the form belongs to buyer 0; every buyer sends its own secret.
    template = [(n, v) for n, v in with_value(form.values(), "quantity", "1") if "csrf" not in n]

    released: list[float] = []
    barrier = threading.Barrier(len(buyers), action=lambda: released.append(time.perf_counter()))
    holds: list = [None] * len(buyers)

    def hold(index: int):
        buyer = buyers[index]
        body = [*template, ("csrfmiddlewaretoken", buyer.csrf)]
        barrier.wait()
        holds[index] = (*buyer.request("POST", _path(form.action), body), time.perf_counter())

    threads = [threading.Thread(target=hold, args=(i,), daemon=True) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    started = released[0] if released else time.perf_counter()
    finished = max((h[4] for h in holds if h), default=started)
    won = [i for i, h in enumerate(holds) if h and h[0] in (302, 303) and h[1]]
    hold_window = max(finished - started, 1e-6)

    paid: list = [None] * len(buyers)

    def pay(index: int):
        buyer = buyers[index]
        checkout = _path(holds[index][1])
        status, _loc, page, ms = buyer.request("GET", checkout)
        card = find_form(page, field_like=("card", "number")) if status == 200 else None
        if card is None:
            paid[index] = ("no card form", status, ms)
            return
        values = [
            (n, buyer.csrf if "csrf" in n else v)
            for n, v in card_form_values(card, year=date.today().year)
        ]
        status, _loc, _text, pay_ms = buyer.request("POST", _path(card.action or checkout), values)
        paid[index] = ("paid" if status in (302, 303) else "refused", status, ms + pay_ms)

    pay_threads = [threading.Thread(target=pay, args=(i,), daemon=True) for i in won]
    for thread in pay_threads:
        thread.start()
    for thread in pay_threads:
        thread.join(timeout=120)

    hold_statuses = Counter(str(h[0]) if h else "no answer" for h in holds)
    return {
        "event": slug,
        "capacity": hot["capacity"],
        "buyers": len(buyers),
        "holds_won": len(won),
        "hold_statuses": dict(hold_statuses),
        "hold_server_errors": sum(n for s, n in hold_statuses.items() if s.startswith("5")),
        "hold_window_s": round(hold_window, 3),
        "holds_per_s": round(len(won) / hold_window, 1),
        "hold_attempts_per_s": round(len(buyers) / hold_window, 1),
        "hold_latency_ms": summarise([h[3] for h in holds if h]),
        "payments": dict(Counter(p[0] for p in paid if p)),
        "payment_statuses": dict(Counter(str(p[1]) for p in paid if p)),
        "payment_latency_ms": summarise([p[2] for p in paid if p]),
    }
