"""Reads of cloud keys."""

from __future__ import annotations

from uzart.accounts.models import User
from uzart.errors import PermissionDenied
from uzart.keystore.models import CloudKey
from uzart.keystore.querysets import CloudKeyQuerySet


def cloud_key_list(*, user: User, owner: User | None = None) -> CloudKeyQuerySet:
    """Keys a user may see: their own; operator staff may ask for anyone's."""
    if owner is None or owner.pk == user.pk:
        return CloudKey.objects.of_owner(user)
    if not user.is_operator:
        raise PermissionDenied()
    return CloudKey.objects.of_owner(owner)


def cloud_key_locked_list(*, user: User) -> CloudKeyQuerySet:
    """Locked keys, for the operator who unlocks them."""
    if not user.is_operator:
        raise PermissionDenied()
    return CloudKey.objects.locked().select_related("owner")
