"""Rate limiting: a site-wide limit per client IP, and stricter limits on log-in, sign-up and
password reset per IP and per account.

Counting. With Redis, one Lua script increments every key of a check and sets its expiry in a
single atomic round trip, so all workers and all app servers share one count (a fixed window
that starts with a client's first request). With the in-process cache (the embedded default)
the same windows are counted with cache.add/incr, per process.

When Redis is down the site stays up: counting falls back to a per-process counter (so the
effective limit becomes the limit times the number of worker processes) and recovers by itself
when Redis answers again. Refusing every request, or not limiting at all, were the other
choices; a per-process count keeps brute-force protection without making Redis a single point
of failure.
"""

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.forms.utils import ErrorDict
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from redis.exceptions import RedisError

from eventmate.core import metrics
from eventmate.core.client_ip import get_client_ip

logger = logging.getLogger("eventmate.ratelimit")

SITE = "site"
# Set on a request already counted against the site limit (by the page cache's hit path).
COUNTED = "eventmate.ratelimit_counted"
LOGIN = "login"
SIGNUP = "signup"
PASSWORD_RESET = "password-reset"

_INCREMENT_SCRIPT = """
local result = {}
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  result[#result + 1] = count
  result[#result + 1] = ttl
end
return result
"""


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window that refused this request ends


# ----------------------------------------------------------------------------------------------
# Counting
# ----------------------------------------------------------------------------------------------
def _redis_client():
    """The raw redis-py client behind the default cache, or None for other cache backends."""
    client = getattr(cache, "client", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client else None


def _count_in_redis(client, keys: list[str], period: int) -> list[tuple[int, float]]:
    script = getattr(client, "_eventmate_ratelimit_script", None)
    if script is None:
        script = client._eventmate_ratelimit_script = client.register_script(_INCREMENT_SCRIPT)
    flat = script(keys=keys, args=[period * 1000])
    return [(int(flat[i]), int(flat[i + 1]) / 1000) for i in range(0, len(flat), 2)]


def _count_in_django_cache(keys: list[str], period: int) -> list[tuple[int, float]]:
    now = time.time()
    window = int(now // period)
    remaining = (window + 1) * period - now
    counts = []
    for key in keys:
        windowed = f"{key}:{window}"
        cache.add(windowed, 0, timeout=period + 1)
        try:
            counts.append((cache.incr(windowed), remaining))
        except ValueError:  # evicted between add and incr
            cache.set(windowed, 1, timeout=period + 1)
            counts.append((1, remaining))
    return counts


class _LocalCounter:
    """Fixed windows counted in this process: the fallback while Redis is unreachable."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def count(self, keys: list[str], period: int) -> list[tuple[int, float]]:
        now = time.time()
        window = int(now // period)
        remaining = (window + 1) * period - now
        results = []
        with self._lock:
            if len(self._counts) > 50_000:  # drop finished windows; bounded memory under attack
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            for key in keys:
                slot = (key, window)
                self._counts[slot] = self._counts.get(slot, 0) + 1
                results.append((self._counts[slot], remaining))
        return results

    def reset(self):
        with self._lock:
            self._counts.clear()


local_counter = _LocalCounter()


def hit(scope: str, identifiers: list[str], *, limit: int, period: int) -> RateLimitResult:
    """Count one request against each identifier in `scope`; refuse if any is over `limit`.

    Never raises for cache trouble (see the module docstring).
    """
    keys = [cache.make_key(f"rl:{scope}:{identifier}") for identifier in identifiers]
    try:
        client = _redis_client()
        counts = (
            _count_in_redis(client, keys, period)
            if client is not None
            else _count_in_django_cache(keys, period)
        )
    except (RedisError, OSError):  # the Redis client class has logged the outage
        counts = local_counter.count(keys, period)
    except Exception:  # a limiter must never take the site down
        logger.exception("Rate limit counting failed; counting in this process")
        counts = local_counter.count(keys, period)
    return _result(counts, limit)


def _result(counts: list[tuple[int, float]], limit: int) -> RateLimitResult:
    over = [(count, ttl) for count, ttl in counts if count > limit]
    top = max(count for count, _ in counts)
    if not over:
        return RateLimitResult(True, top, limit, 0)
    retry_after = max(1, math.ceil(max(ttl for _, ttl in over)))
    return RateLimitResult(False, top, limit, retry_after)


def hit_and_get(
    scope: str, identifiers: list[str], *, limit: int, period: int, keys: list[str]
) -> tuple[RateLimitResult, dict]:
    """hit(), plus cache.get_many(keys), in a single Redis round trip (one pipeline) when the
    cache is Redis. The page cache's hit path uses it: counting the request and fetching the
    page cost one round trip, not two. Never raises for cache trouble; on failure the count
    falls back to this process and nothing is found."""
    try:
        client = _redis_client()
    except Exception:
        client = None
    if client is None:
        result = hit(scope, identifiers, limit=limit, period=period)
        try:
            return result, cache.get_many(keys)
        except Exception:
            logger.exception("Cache read failed")
            return result, {}
    counter_keys = [cache.make_key(f"rl:{scope}:{identifier}") for identifier in identifiers]
    try:
        pipeline = client.pipeline(transaction=False)
        # EVAL, not EVALSHA: redis-py checks a pipeline's registered scripts with an extra
        # round trip; Redis caches the compiled script by its hash either way.
        pipeline.eval(_INCREMENT_SCRIPT, len(counter_keys), *counter_keys, period * 1000)
        pipeline.mget([cache.make_key(key) for key in keys])
        flat, values = pipeline.execute()
    except (RedisError, OSError):
        return _result(local_counter.count(counter_keys, period), limit), {}
    counts = [(int(flat[i]), int(flat[i + 1]) / 1000) for i in range(0, len(flat), 2)]
    found = {}
    for key, raw in zip(keys, values, strict=True):
        if raw is not None:
            try:
                found[key] = cache.client.decode(raw)
            except Exception:  # an unreadable entry is a miss
                continue
    return _result(counts, limit), found


def site_limit_applies(request) -> bool:
    return settings.RATELIMIT_ENABLED and not request.path_info.startswith(
        tuple(settings.RATELIMIT_EXEMPT_PATHS)
    )


def site_identifiers(request) -> list[str]:
    return [f"ip:{get_client_ip(request)}"]


def _account_identifier(account: str) -> str:
    # Hashed: log-in names and emails must not sit in Redis in clear; case-insensitive because
    # log-in is.
    return hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]


def check_auth_attempt(request, scope: str, account: str | None = None) -> RateLimitResult:
    """Count a log-in / sign-up / password-reset attempt per client IP and per account."""
    identifiers = [f"ip:{get_client_ip(request)}"]
    if account and account.strip():
        identifiers.append(f"account:{_account_identifier(account)}")
    return hit(
        scope,
        identifiers,
        limit=settings.RATELIMIT_AUTH_REQUESTS,
        period=settings.RATELIMIT_AUTH_PERIOD,
    )


# ----------------------------------------------------------------------------------------------
# Responses
# ----------------------------------------------------------------------------------------------
def wants_json(request) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return request.META.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest" or (
        "application/json" in accept and "text/html" not in accept
    )


def retry_message(result: RateLimitResult) -> str:
    seconds = result.retry_after
    wait = f"{seconds} seconds" if seconds != 1 else "1 second"
    return f"Too many attempts in a short time. Please wait {wait} and try again."


_rendered_pages: dict[str, str] = {}


def too_many_requests(request, result: RateLimitResult, *, scope: str, message: str = ""):
    """429 with Retry-After: JSON for JSON clients, else the friendly page."""
    metrics.RATE_LIMITED.labels(scope).inc()
    if wants_json(request):
        response = JsonResponse(
            {
                "error": "rate_limited",
                "detail": message or "Too many requests. Please slow down.",
                "retry_after": result.retry_after,
            },
            status=429,
        )
    else:
        # The site-wide refusal is answered above sessions and auth, so its page is the same
        # for everyone: render it once per process, and a flood of refusals costs almost
        # nothing. Refusals with a message (log-in forms) may show the signed-in header.
        body = _rendered_pages.get(message) if not message else None
        if body is None:
            body = render_to_string("core/429.html", {"message": message}, request=request)
            if not message and not hasattr(request, "user"):
                _rendered_pages[message] = body
        response = HttpResponse(body, status=429)
    response["Retry-After"] = str(result.retry_after)
    response["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------------------------
# Site-wide limit
# ----------------------------------------------------------------------------------------------
class RateLimitMiddleware:
    """RATELIMIT_REQUESTS per RATELIMIT_PERIOD seconds per client IP, before any page work
    (including page-cache hits). Probes, metrics, static and media files are exempt."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.RATELIMIT_ENABLED
        self.limit = settings.RATELIMIT_REQUESTS
        self.period = settings.RATELIMIT_PERIOD
        self.exempt = tuple(settings.RATELIMIT_EXEMPT_PATHS)

    def __call__(self, request):
        if (
            self.enabled
            and not request.META.get(COUNTED)
            and not request.path_info.startswith(self.exempt)
        ):
            result = hit(SITE, site_identifiers(request), limit=self.limit, period=self.period)
            if not result.allowed:
                return too_many_requests(request, result, scope=SITE)
        return self.get_response(request)


# ----------------------------------------------------------------------------------------------
# Log-in, sign-up, password reset
# ----------------------------------------------------------------------------------------------
def rate_limit_auth_post(scope: str, account_field: str | None = None):
    """Decorator for a view (function or `as_view()`): count each POST per IP and per account
    (the POSTed `account_field`), and answer 429 with the friendly page once over the limit."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and settings.RATELIMIT_ENABLED:
                account = request.POST.get(account_field) if account_field else None
                result = check_auth_attempt(request, scope, account)
                if not result.allowed:
                    return too_many_requests(
                        request, result, scope=scope, message=retry_message(result)
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RateLimitedFormMixin:
    """For FormView-based views (LoginView, PasswordResetView): once over the limit, a POST is
    not processed (no password is checked) and the form comes back with the reason as a
    non-field error, status 429 and Retry-After."""

    rate_limit_scope = LOGIN
    rate_limit_account_field: str | None = "username"

    def post(self, request, *args, **kwargs):
        if settings.RATELIMIT_ENABLED:
            field = self.rate_limit_account_field
            account = request.POST.get(field) if field else None
            result = check_auth_attempt(request, self.rate_limit_scope, account)
            if not result.allowed:
                return self.rate_limited(result)
        return super().post(request, *args, **kwargs)

    def rate_limited(self, result: RateLimitResult):
        metrics.RATE_LIMITED.labels(self.rate_limit_scope).inc()
        form = self.get_form()
        # Mark the form as validated with no data, so rendering it never runs clean() (which
        # would check the password we are refusing to check).
        form._errors = ErrorDict()
        form.cleaned_data = {}
        form.add_error(None, retry_message(result))
        response = self.form_invalid(form)
        response.status_code = 429
        response["Retry-After"] = str(result.retry_after)
        return response
