from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "uzart.workdays"
    label = "workdays"
