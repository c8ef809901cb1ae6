from django.http import HttpResponse
from django.urls import path

app_name = "bookings"


def _scaffold(request, *args, **kwargs):
    return HttpResponse("scaffold", status=501)


urlpatterns = [
    path("my-bookings/", _scaffold, name="my-bookings"),
    path("booking/<str:reference>/", _scaffold, name="booking-detail"),
]
