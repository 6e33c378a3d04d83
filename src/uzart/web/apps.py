from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "uzart.web"
    label = "web"
