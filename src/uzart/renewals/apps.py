from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "uzart.renewals"
    label = "renewals"
