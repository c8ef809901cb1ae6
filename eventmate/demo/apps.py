from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`). Sits above every other app: it may import them all,
    and nothing imports it."""

    name = "eventmate.demo"
    label = "demo"
    verbose_name = "Demo data"
