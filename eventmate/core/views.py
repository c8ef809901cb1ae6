"""Probes, metrics and error pages. Nothing here touches the session, the cache or an app's
models. The probes and /metrics/ are normally answered by eventmate.core.health.ProbeMiddleware,
before host validation and rate limiting."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from eventmate.core import metrics as metrics_registry
from eventmate.core.client_ip import address_in, get_client_ip
from eventmate.core.db_outage import outage_in_progress, service_unavailable

logger = logging.getLogger("eventmate.health")


@never_cache
def health(request):
    """The process is up. Checks no dependency, so it stays fast when they fail."""
    return JsonResponse({"status": "healthy", "timestamp": time.time()})


@never_cache
def health_live(request):
    return JsonResponse({"status": "alive", "timestamp": time.time()})


@never_cache
def health_ready(request):
    """Ready to serve: the database answers and every migration is applied."""
    from eventmate.core.health import run_readiness_checks

    checks = run_readiness_checks()
    ready = all(check["ok"] for check in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks, "timestamp": time.time()},
        status=200 if ready else 503,
    )
    if not ready:
        failing = sorted(name for name, check in checks.items() if not check["ok"])
        logger.warning("Not ready: %s", ", ".join(failing), extra={"checks": checks})
        # Reported above with the reasons; Django would add an ERROR line without them.
        response._has_been_logged = True
    return response


def metrics_allowed(request) -> bool:
    """A matching `Authorization: Bearer METRICS_TOKEN`, or a client IP in METRICS_ALLOWED_IPS
    (the real client IP: behind a trusted proxy, the forwarded one)."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and constant_time_compare(given.strip(), token):
            return True
    return address_in(get_client_ip(request), settings.METRICS_ALLOWED_IPS)


@never_cache
def metrics(request):
    """Prometheus text of every worker's metrics; `?format=json` for a short summary."""
    as_json = request.GET.get("format") == "json"
    if not metrics_allowed(request):
        if as_json:
            return JsonResponse({"status": "forbidden"}, status=403)
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    registry = metrics_registry.collect_registry()
    if as_json:
        return JsonResponse({"status": "ok", "metrics": metrics_registry.summary(registry)})
    return HttpResponse(metrics_registry.render_text(registry), content_type=CONTENT_TYPE_LATEST)


def bench_ceiling(request):
    """The benchmark's yardstick: the least a page can cost here — the full middleware stack
    and one short response, no template, cache or database. Routed only when BENCH_CEILING is
    set (config/urls.py); bench/run.py reports every page as a share of it."""
    return HttpResponse(b"ceiling\n", content_type="text/plain")


def _error(request, template, status, message=""):
    return render(request, template, {"message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, "core/400.html", 400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return _error(request, "core/403.html", 403, message)


def page_not_found(request, exception=None):
    return _error(request, "core/404.html", 404)


def server_error(request):
    if outage_in_progress():
        # The database failed in a middleware (e.g. saving the session): the same 503 as when
        # a view fails (core.db_outage); Django has logged the error. Nothing here may touch
        # the connection; request_finished closes it if it is broken.
        return service_unavailable(request)
    # Keep this independent of the database and context processors that could be what failed.
    connection.close_if_unusable_or_obsolete()
    return render(request, "core/500.html", status=500)
