"""Operator admins set tariffs here; accounts and ledger entries are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from uzart.billing.models import CompanyAccount, LedgerEntry, Tariff
from uzart.billing.services import tariff_create
from uzart.core.admin import ReadOnlyAdmin


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    """A tariff is never edited: a new price is a new row with a later start date."""

    list_display = ("service", "role", "price", "effective_from", "created_by")
    list_filter = ("service", "role")
    fields = ("service", "role", "price", "effective_from")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Tariff, form: Any, change: bool) -> None:
        created = tariff_create(
            service=obj.service,
            role=obj.role or None,
            price=obj.price,
            effective_from=obj.effective_from,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(CompanyAccount)
class CompanyAccountAdmin(ReadOnlyAdmin):
    list_display = ("company", "balance", "updated_at")
    search_fields = ("company__inn", "company__legal_name")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "account",
        "kind",
        "amount",
        "balance_after",
        "method",
        "document_number",
        "created_at",
    )
    list_filter = ("kind", "method")
    search_fields = ("account__company__inn", "document_number", "idempotency_key", "memo")
