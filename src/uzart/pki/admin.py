"""Read-only admin pages: CA state is changed only through the services (and so audited)."""

from __future__ import annotations

from django.contrib import admin

from uzart.core.admin import ReadOnlyAdmin
from uzart.pki.models import Certificate, CertificateAuthority


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("name", "role", "subject", "not_before", "not_after", "crl_next_update")
    exclude = ("certificate_der", "crl_der")


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("common_name", "company", "serial", "storage", "not_before", "not_after", "revoked_at")
    list_filter = ("storage", "issuer")
    search_fields = ("common_name", "serial", "email", "company__inn", "owner__email")
    exclude = ("der",)
