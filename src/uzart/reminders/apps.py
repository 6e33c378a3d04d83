from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "uzart.reminders"
    label = "reminders"
