from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("event/<slug:slug>/book/", views.booking_create, name="booking-create"),
    path("my-bookings/", views.my_bookings, name="my-bookings"),
    path("booking/<str:reference>/", views.booking_detail, name="booking-detail"),
    path("booking/<str:reference>/checkout/", views.booking_checkout, name="booking-checkout"),
    path("booking/<str:reference>/payment/", views.booking_payment, name="booking-payment"),
    path("booking/<str:reference>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("booking/<str:reference>/ticket/", views.booking_ticket, name="booking-ticket"),
    path("booking/<str:reference>/ticket.ics", views.booking_ticket_ics, name="booking-ticket-ics"),
    path("ticket/<str:token>/", views.ticket_public, name="ticket-public"),
    path("ticket/<str:token>/calendar.ics", views.ticket_public_ics, name="ticket-public-ics"),
    path("event/<slug:slug>/bookings/", views.event_bookings, name="event-bookings"),
    path(
        "event/<slug:slug>/bookings/attendees.csv",
        views.event_attendees_csv,
        name="event-attendees-csv",
    ),
    path("event/<slug:slug>/check-in/", views.event_check_in, name="event-check-in"),
    path("event/<slug:slug>/cancel/", views.event_cancel, name="event-cancel"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
