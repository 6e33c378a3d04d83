from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "uzart.stats"
    label = "stats"
