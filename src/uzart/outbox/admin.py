"""Read-only views of the outbox for operator admins; resending goes through the audited service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uzart.core.admin import ReadOnlyAdmin
from uzart.errors import UzartError
from uzart.outbox.models import Delivery, Notification, ReminderPreference
from uzart.outbox.services import delivery_resend


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "address", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "user", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "dedupe_key")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.action(description=_("Send again"))
def resend(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    done = 0
    for delivery in queryset:
        try:
            delivery_resend(actor=request.user, delivery_id=delivery.pk)  # type: ignore[arg-type]
        except UzartError:
            continue
        done += 1
    modeladmin.message_user(request, _("Queued again: %(count)s.") % {"count": done}, messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("notification__user__email", "address")
    actions = [resend]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "email", "sms", "updated_at")
    search_fields = ("user__email",)
