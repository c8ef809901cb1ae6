from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "eventmate.bookings"
    label = "bookings"
