"""Operator admins edit working-day overrides here; every change goes through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from uzart.workdays.models import WorkdayOverride
from uzart.workdays.services import workday_override_delete, workday_override_set


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date",)

    def save_model(self, request: HttpRequest, obj: WorkdayOverride, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            original = WorkdayOverride.objects.get(pk=obj.pk)
            workday_override_delete(day=original.date, actor=request.user)
        saved = workday_override_set(day=obj.date, kind=obj.kind, note=obj.note, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: WorkdayOverride) -> None:
        workday_override_delete(day=obj.date, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WorkdayOverride]) -> None:
        for override in queryset:
            workday_override_delete(day=override.date, actor=request.user)
