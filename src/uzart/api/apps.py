from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "uzart.api"
    label = "api"
