from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "uzart.outbox"
    label = "outbox"
