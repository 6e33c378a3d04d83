"""Operator admins edit the reminder policy here (through the audited service); reminders sent are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from uzart.reminders.models import ReminderPolicy, ReminderSent
from uzart.reminders.services import reminder_policy_save


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "days_before", "last_day", "expiry_day", "new_eds_active", "updated_at")
    fields = ("days_before", "last_day", "expiry_day", "new_eds_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReminderPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ReminderPolicy, form: Any, change: bool) -> None:
        reminder_policy_save(policy=obj, actor=request.user)


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ("at", "certificate", "kind", "threshold", "outcome")
    list_filter = ("kind", "outcome")
    search_fields = ("certificate__serial", "certificate__owner__email")
    date_hierarchy = "at"
    list_select_related = ("certificate",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
