"""Errors of the renewal flow that a holder or specialist can cause."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uzart.errors import UzartError


class DetailsNotConfirmed(UzartError):
    default_message = _(
        "Please confirm that your details have not changed. If they have, choose "
        "“My details changed” instead."
    )
    code = "details_not_confirmed"


class NothingToRenew(UzartError):
    default_message = _("There is no EDS to renew remotely right now.")
    status_code = 409
    code = "nothing_to_renew"


class TransitionNotAllowed(UzartError):
    default_message = _("This request can no longer be changed this way: it is now “%(status)s”.")
    status_code = 409
    code = "transition_not_allowed"


class NotYourClaim(UzartError):
    default_message = _("Another specialist is working on this request.")
    status_code = 409
    code = "claimed_by_another"


class ReasonRequired(UzartError):
    default_message = _("Please write the reason for the holder.")
    code = "reason_required"


class SignatureInvalid(UzartError):
    default_message = _("The request's signature does not validate; it cannot be approved.")
    status_code = 409
    code = "signature_invalid"


class AttachmentRejected(UzartError):
    default_message = _("The file “%(name)s” was not accepted: %(reason)s")
    code = "attachment_rejected"
