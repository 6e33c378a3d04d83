from django.contrib import admin

from uzart.audit.models import AuditEvent
from uzart.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "target_repr")
    list_filter = ("action",)
    search_fields = ("actor_label", "target_repr", "target_id")
