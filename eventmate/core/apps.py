from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "eventmate.core"
    label = "core"
