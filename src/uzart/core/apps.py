from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "uzart.core"
    label = "core"
