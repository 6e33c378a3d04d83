"""Errors a user can cause; defined in ``uzart.core.errors`` (which owns their translations)."""

from uzart.core.errors import NotFound, PermissionDenied, UzartError, ValidationFailed

__all__ = ["NotFound", "PermissionDenied", "UzartError", "ValidationFailed"]
