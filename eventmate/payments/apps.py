from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "eventmate.payments"
    label = "payments"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
