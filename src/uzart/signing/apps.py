from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "uzart.signing"
    label = "signing"
