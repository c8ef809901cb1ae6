from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eventmate.accounts"
    label = "accounts"
