"""Test-only views for the production-stack tests, in front of the real URL configuration."""

from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import include, path

from eventmate.core.pagecache import EVENT, LISTINGS, anonymous_page_cache
from eventmate.core.ratelimit import SIGNUP, rate_limit_auth_post
from eventmate.events.models import Event

FILLER = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "</p>"


@anonymous_page_cache(LISTINGS)
def listing(request):
    titles = ", ".join(Event.objects.order_by("pk").values_list("title", flat=True))
    query = request.GET.urlencode()
    return HttpResponse(f"<html><body><h1>Listing</h1><p>{titles}</p><p>{query}</p>{FILLER}")


@anonymous_page_cache(EVENT)
def event_page(request, slug):
    event = get_object_or_404(Event, slug=slug)
    return HttpResponse(
        f"<html><body><h1>{event.title}</h1><p>left: {event.tickets_left}</p>{FILLER}"
    )


@anonymous_page_cache(LISTINGS)
def sets_cookie(request):
    response = HttpResponse(f"<html>{FILLER}</html>")
    response.set_cookie("seen", "1")
    return response


@anonymous_page_cache(LISTINGS)
def renders_csrf_token(request):
    return HttpResponse(f"<html><input name=csrf value={get_token(request)}>{FILLER}</html>")


@anonymous_page_cache(LISTINGS)
def reads_session(request):
    visits = request.session.get("visits", 0)
    return HttpResponse(f"<html>{visits}{FILLER}</html>")


def not_marked(request):
    Event.objects.count()
    return HttpResponse(f"<html>{FILLER}</html>")


def json_data(request):
    return JsonResponse({"items": [FILLER] * 3})


def explode(request):
    raise RuntimeError("kaboom secret detail")


def tiny(request):
    return HttpResponse("ok")


def precompressed(request):
    response = HttpResponse(b"\x1f\x8b" + b"x" * 500, content_type="text/html")
    response["Content-Encoding"] = "gzip"
    return response


@rate_limit_auth_post(SIGNUP, account_field="email")
def limited_form(request):
    return HttpResponse("accepted")


urlpatterns = [
    path("t/listing/", listing),
    path("t/event/<slug:slug>/", event_page),
    path("t/sets-cookie/", sets_cookie),
    path("t/csrf/", renders_csrf_token),
    path("t/session/", reads_session),
    path("t/not-marked/", not_marked),
    path("t/json/", json_data),
    path("t/tiny/", tiny),
    path("t/explode/", explode),
    path("t/precompressed/", precompressed),
    path("t/limited-form/", limited_form),
    path("", include("config.urls")),
]

handler404 = "eventmate.core.views.page_not_found"
handler500 = "eventmate.core.views.server_error"
