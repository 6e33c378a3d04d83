"""Errors users and operators can cause in the certificate authority; each has a translated message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uzart.errors import UzartError


class CaNotReady(UzartError):
    code = "ca_not_ready"
    status_code = 503
    default_message = _(
        "The certification authority is not set up yet. An operator administrator must run 'uzart ca init'."
    )


class InvalidValidity(UzartError):
    code = "invalid_validity"
    default_message = _(
        "The validity period is not acceptable: it must start before it ends and lie within the validity "
        "of the issuing certification authority."
    )


class CsrSignatureInvalid(UzartError):
    code = "csr_signature_invalid"
    default_message = _("The certificate request is not signed by the key it contains.")


class UnsupportedKey(UzartError):
    code = "unsupported_key"
    default_message = _("Only EC P-256 and RSA keys of 2048 to 4096 bits can be certified.")


class KeyMismatch(UzartError):
    code = "key_mismatch"
    default_message = _("The cloud key does not belong to this holder or does not match the public key.")


class NotAHolder(UzartError):
    code = "not_a_holder"
    default_message = _("%(name)s is not a head or signer of %(company)s and cannot hold its EDS.")


class AlreadyRevoked(UzartError):
    code = "already_revoked"
    default_message = _("This certificate is already revoked.")


class NoActiveCertificate(UzartError):
    code = "no_active_certificate"
    status_code = 404
    default_message = _("%(email)s has no certificate in force.")


class NotIssuedHere(UzartError):
    code = "not_issued_here"
    default_message = _("The certificate was not issued by this operator's certification authority.")


class DuplicateCertificate(UzartError):
    code = "duplicate_certificate"
    default_message = _("The certificate with serial number %(serial)s is already recorded.")
