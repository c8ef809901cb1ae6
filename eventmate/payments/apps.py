from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "eventmate.payments"
    label = "payments"
