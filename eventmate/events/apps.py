from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "eventmate.events"
    label = "events"
