"""A stand-in for Stripe's HTTP API, plugged into the official library as its HTTP client:
the library builds and parses real requests and responses, and nothing reaches the network."""

import itertools
import json
import time
from urllib.parse import parse_qsl, urlparse

import pytest
import stripe

from eventmate.payments.providers import stripe_checkout

WEBHOOK_SECRET = "whsec_test_secret"


class StripeStub(stripe.HTTPClient):
    name = "stub"

    def __init__(self):
        super().__init__()
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.sessions: dict[str, dict] = {}
        self.refunded_intents: set[str] = set()
        # Set to make every request fail with Stripe's error for a bad request.
        self.failing = False
        self._ids = itertools.count(1)

    # --- what a test does at "Stripe" ---------------------------------------------------
    def pay(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_{session_id}")
        return session

    def expire(self, session_id: str) -> dict:
        self.sessions[session_id].update(status="expired")
        return self.sessions[session_id]

    def calls(self, method: str, path: str) -> list[dict]:
        return [params for m, p, params, _ in self.requests if (m, p) == (method, path)]

    # --- the HTTP client interface --------------------------------------------------------
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parsed = urlparse(url)
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or parsed.query
        params = dict(parse_qsl(body or ""))
        self.requests.append((method, parsed.path, params, dict(headers or {})))
        status, payload = self._route(method, parsed.path, params)
        return json.dumps(payload), status, {"request-id": f"req_{next(self._ids)}"}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass

    def _route(self, method, path, params):
        if self.failing:
            return 400, _error("Something went wrong at Stripe.", "api_error")
        if (method, path) == ("post", "/v1/checkout/sessions"):
            session_id = f"cs_test_{next(self._ids)}"
            self.sessions[session_id] = {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/pay/{session_id}",
                "status": "open",
                "payment_status": "unpaid",
                "payment_intent": None,
                "amount_total": int(params["line_items[0][price_data][unit_amount]"]),
                "currency": params["line_items[0][price_data][currency]"],
                "client_reference_id": params.get("client_reference_id"),
                "expires_at": int(params["expires_at"]),
            }
            return 200, self.sessions[session_id]
        if method == "get" and path == "/v1/checkout/sessions":
            found = [
                s
                for s in self.sessions.values()
                if s["payment_intent"] == params.get("payment_intent")
            ]
            return 200, {
                "object": "list",
                "data": found,
                "has_more": False,
                "url": "/v1/checkout/sessions",
            }
        if method == "get" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[1])
            if session is None:
                return 404, _error("No such checkout.session", "resource_missing")
            return 200, session
        if (method, path) == ("post", "/v1/refunds"):
            intent = params["payment_intent"]
            if intent in self.refunded_intents:
                return 400, _error("Charge has already been refunded.", "charge_already_refunded")
            self.refunded_intents.add(intent)
            return 200, {
                "id": f"re_{next(self._ids)}",
                "object": "refund",
                "status": "succeeded",
                "payment_intent": intent,
            }
        return 404, _error(f"Unrecognized request URL ({method.upper()} {path})", None)


def _error(message, code):
    return {"error": {"message": message, "code": code, "type": "invalid_request_error"}}


def webhook_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_{obj['id']}_{event_type}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def signed(payload: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    body = json.dumps(payload)
    return body.encode(), stripe.WebhookSignature.generate_signature_header(body, secret)


@pytest.fixture
def stripe_stub(settings, monkeypatch):
    """Stripe as the payment provider, answered by StripeStub."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_stub"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    stub = StripeStub()
    monkeypatch.setattr(stripe_checkout, "http_client", stub)
    return stub
