from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("event/<slug:slug>/book/", views.booking_create, name="booking-create"),
    path("my-bookings/", views.my_bookings, name="my-bookings"),
    path("booking/<str:reference>/", views.booking_detail, name="booking-detail"),
    path("event/<slug:slug>/bookings/", views.event_bookings, name="event-bookings"),
]
