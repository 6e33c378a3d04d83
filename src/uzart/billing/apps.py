from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "uzart.billing"
    label = "billing"
