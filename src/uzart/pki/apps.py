from django.apps import AppConfig


class PkiConfig(AppConfig):
    name = "uzart.pki"
    label = "pki"
