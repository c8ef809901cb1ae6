from django.urls import path

from .views import discovery, hosting

app_name = "events"

urlpatterns = [
    path("", discovery.home, name="home"),
    path("events/", discovery.event_search, name="event-search"),
    path("search/autocomplete/", discovery.autocomplete, name="autocomplete"),
    path("city/<slug:slug>/", discovery.city_detail, name="city-detail"),
    path("event/<slug:slug>/", discovery.event_detail, name="event-detail"),
    path("create/", hosting.event_create, name="event-create"),
    path("event/<slug:slug>/edit/", hosting.event_edit, name="event-edit"),
    path("event/<slug:slug>/delete/", hosting.event_delete, name="event-delete"),
    path("my-events/", hosting.my_events, name="my-events"),
]
