from django.http import HttpResponse
from django.urls import path

app_name = "events"


def _scaffold(request, *args, **kwargs):
    return HttpResponse("scaffold", status=501)


urlpatterns = [
    path("", _scaffold, name="home"),
    path("events/", _scaffold, name="event-search"),
    path("my-events/", _scaffold, name="my-events"),
    path("event/<slug:slug>/", _scaffold, name="event-detail"),
    path("city/<slug:slug>/", _scaffold, name="city-detail"),
]
