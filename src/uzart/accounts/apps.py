from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "uzart.accounts"
    label = "accounts"
