"""Read-only admin pages: CA state is changed only through the services (and so audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from uzart.pki.models import Certificate, CertificateAuthority


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(_ReadOnly):
    list_display = ("name", "role", "subject", "not_before", "not_after", "crl_next_update")
    exclude = ("certificate_der", "crl_der")


@admin.register(Certificate)
class CertificateAdmin(_ReadOnly):
    list_display = ("common_name", "company", "serial", "storage", "not_before", "not_after", "revoked_at")
    list_filter = ("storage", "issuer")
    search_fields = ("common_name", "serial", "email", "company__inn", "owner__email")
    exclude = ("der",)
