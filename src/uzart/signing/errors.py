"""Errors of signing request documents; each carries a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uzart.errors import UzartError


class SigningFailed(UzartError):
    """The document could not be signed with this key and certificate."""

    code = "signing_failed"
    default_message = _("The document could not be signed.")


class CertificateKeyMismatch(SigningFailed):
    """The signer's certificate names another public key than the cloud key that would sign."""

    code = "certificate_key_mismatch"
    default_message = _("The signing certificate does not belong to this EDS key.")


__all__ = ["CertificateKeyMismatch", "SigningFailed"]
