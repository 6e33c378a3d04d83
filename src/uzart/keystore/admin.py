from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uzart.errors import UzartError
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_unlock


@admin.register(CloudKey)
class CloudKeyAdmin(admin.ModelAdmin):
    """Read-only view of cloud keys; the one write is unlocking keys locked by wrong PINs."""

    list_display = (
        "label",
        "owner",
        "purpose",
        "algorithm",
        "backend",
        "failed_attempts",
        "locked_at",
        "created_at",
    )
    list_filter = ("purpose", "algorithm", "backend", ("locked_at", admin.EmptyFieldListFilter))
    search_fields = ("label", "owner__email", "owner__surname")
    fields = (
        "label",
        "owner",
        "purpose",
        "algorithm",
        "backend",
        "key_ref",
        "fingerprint",
        "failed_attempts",
        "locked_at",
        "created_at",
    )
    readonly_fields = fields
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("public key fingerprint (SHA-256)"))
    def fingerprint(self, obj: CloudKey) -> str:
        return obj.fingerprint

    @admin.action(description=_("Unlock the selected keys"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[CloudKey]) -> None:
        done = 0
        for key in queryset:
            try:
                key_unlock(key=key, actor=request.user)  # type: ignore[arg-type]
            except UzartError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            done += 1
        self.message_user(
            request, ngettext("%(count)d key unlocked.", "%(count)d keys unlocked.", done) % {"count": done}
        )
