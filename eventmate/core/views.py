"""Probes and error pages. Nothing here touches the session, the cache or an app's models."""

import time

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


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
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks, "timestamp": time.time()},
        status=200 if ready else 503,
    )


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
    # Keep this independent of the database and context processors that could be what failed.
    connection.close_if_unusable_or_obsolete()
    return render(request, "core/500.html", status=500)
