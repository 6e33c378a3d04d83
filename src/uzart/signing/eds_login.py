"""Login with the cloud EDS: the holder's PIN unlocks the active key, which signs a fresh challenge.

The signature is checked against the certificate's public key, the certificate against the operator's
chain and its validity at that instant. This is proof that the holder can use an EDS in force.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _

from uzart import clock
from uzart.accounts.models import Membership, User
from uzart.accounts.selectors import operator_profile_get
from uzart.audit.services import audit_record
from uzart.errors import UzartError
from uzart.keystore.services import key_sign
from uzart.pki.models import Certificate
from uzart.pki.selectors import ca_chain, certificate_active_for


class EdsLoginRefused(UzartError):
    status_code = 403
    code = "eds_login_refused"


@dataclass(frozen=True)
class EdsProof:
    certificate: Certificate
    at: dt.datetime


def user_needs_eds(*, user: User) -> bool:
    """Heads and signers log in with their EDS; accountants and operator staff with a password only."""
    if user.is_operator:
        return False
    return (
        Membership.objects.filter(user=user).exclude(role=Membership.Role.ACCOUNTANT).exists()
        or Certificate.objects.filter(owner=user).exists()
    )


def _office_contacts() -> str:
    profile = operator_profile_get()
    parts = [profile.office_address, profile.working_hours, profile.phones, profile.support_email]
    return "; ".join(part for part in parts if part)


def expired_message(*, user: User) -> str:
    """Why login is refused: when the EDS expired and how to renew it at the office."""
    latest = Certificate.objects.filter(owner=user).order_by("-not_after").first()
    contacts = _office_contacts()
    if latest is None:
        return _("You have no EDS yet. Please contact the operator's office: %(contacts)s.") % {
            "contacts": contacts
        }
    if latest.revoked_at is not None and latest.revoked_at <= clock.now():
        return _(
            "Your EDS was revoked. To get a new one, please come to the operator's office: %(contacts)s."
        ) % {"contacts": contacts}
    return _(
        "Your EDS expired on %(date)s, so you cannot log in. To renew it, please come to the "
        "operator's office with a paper application: %(contacts)s."
    ) % {"date": f"{clock.to_bishkek(latest.not_after):%d.%m.%Y %H:%M}", "contacts": contacts}


def _verify_signature(certificate: x509.Certificate, signature: bytes, data: bytes) -> None:
    public_key = certificate.public_key()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise InvalidSignature("unsupported key type")


def _verify_chain(certificate: x509.Certificate, at: dt.datetime) -> None:
    """The certificate chains to the operator root and every link is valid at ``at``."""
    current = certificate
    for ca in ca_chain(at=at):
        current.verify_directly_issued_by(ca.certificate)
        if not (ca.certificate.not_valid_before_utc <= at <= ca.certificate.not_valid_after_utc):
            raise InvalidSignature("CA not valid at this instant")
        current = ca.certificate
    if current.subject != current.issuer:
        raise InvalidSignature("chain does not end at a root")


def eds_login_verify(*, user: User, pin: str) -> EdsProof:
    """Prove possession of the holder's EDS in force now; refuse with a reason otherwise."""
    at = clock.now()
    certificate = certificate_active_for(user=user, at=at)
    if certificate is None:
        audit_record(
            actor=user, action="login.refused", target=user, data={"reason": "no certificate in force"}
        )
        raise EdsLoginRefused(expired_message(user=user))
    if certificate.key is None:
        # A certificate on a hardware token is recorded only; its holder signs elsewhere.
        audit_record(
            actor=user, action="login.success", target=certificate, data={"method": "token-recorded"}
        )
        return EdsProof(certificate=certificate, at=at)
    challenge = secrets.token_bytes(32) + at.isoformat().encode()
    signature = key_sign(key=certificate.key, pin=pin, data=challenge, actor=user)
    try:
        _verify_signature(certificate.x509, signature, challenge)
        _verify_chain(certificate.x509, at)
    except (InvalidSignature, ValueError, TypeError) as exc:
        audit_record(
            actor=user, action="login.failure", target=certificate, data={"reason": type(exc).__name__}
        )
        raise EdsLoginRefused(_("Your EDS could not be verified. Please contact the operator.")) from None
    audit_record(actor=user, action="login.success", target=certificate, data={"serial": certificate.serial})
    return EdsProof(certificate=certificate, at=at)
