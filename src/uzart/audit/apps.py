from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "uzart.audit"
    label = "audit"
