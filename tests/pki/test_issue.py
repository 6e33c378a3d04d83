"""Issuance rules of the CA services: who may hold a certificate, which keys, which dates; revocation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.factories import CompanyFactory, UserFactory, holder
from uzart import clock
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import WrongPin
from uzart.keystore.models import CloudKey
from uzart.pki import errors
from uzart.pki.models import Certificate, CertificateAuthority
from uzart.pki.services import (
    ca_init,
    certificate_issue,
    certificate_record_token,
    certificate_revoke,
    crl_current,
    crl_refresh_due,
)


def _period(days: int = 365) -> dict[str, dt.datetime]:
    start = clock.now().replace(microsecond=0)
    return {"not_before": start, "not_after": start + dt.timedelta(days=days)}


def _csr(key: ec.EllipticCurvePrivateKey) -> x509.CertificateSigningRequest:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ignored: the CA writes the subject")])
    return x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())


def test_ca_init_is_idempotent_and_keeps_ca_keys_in_the_keystore(db):  # type: ignore[no-untyped-def]
    root, issuing, created = ca_init(organization="Оператор")
    again_root, again_issuing, created_again = ca_init(organization="Оператор")

    assert created and not created_again
    assert (again_root, again_issuing) == (root, issuing)
    assert CertificateAuthority.objects.count() == 2
    assert {k.purpose for k in CloudKey.objects.all()} == {"ca"}
    assert {k.owner_id for k in CloudKey.objects.all()} == {None}
    assert issuing.parent == root and issuing.certificate.issuer == root.certificate.subject
    assert (
        issuing.certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0
    )
    assert root.crl_der and issuing.crl_der  # both CRLs published at once


def test_ca_init_with_rsa_keys_signs_with_rsa(db):  # type: ignore[no-untyped-def]
    root, issuing, _ = ca_init(algorithm="rsa-2048", organization="Оператор")
    assert isinstance(issuing.certificate.public_key(), rsa.RSAPublicKey)
    assert issuing.certificate.signature_hash_algorithm.name == "sha256"  # type: ignore[union-attr]
    issuing.certificate.verify_directly_issued_by(root.certificate)


def test_issue_from_a_csr_certifies_its_key_with_the_ca_written_subject(ca, aigul, company):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = certificate_issue(
        owner=aigul, company=company, position="Директор", csr=_csr(key), storage="token", **_period()
    )
    assert certificate.x509.public_key() == key.public_key()
    assert certificate.common_name == "Асанова Айгуль Бакытовна"
    assert certificate.storage == "token" and certificate.key is None
    event = AuditEvent.objects.get(action="certificate.issue")
    assert event.data["serial"] == certificate.serial and event.data["company"] == company.inn


def test_csr_signed_by_another_key_is_refused(ca, aigul, company):  # type: ignore[no-untyped-def]
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    good = _csr(key)
    forged = x509.load_der_x509_csr(_splice_signature(good, _csr(other)))
    with pytest.raises(errors.CsrSignatureInvalid):
        certificate_issue(owner=aigul, company=company, position="", csr=forged, storage="token", **_period())
    assert not Certificate.objects.exists()


def _splice_signature(
    subject: x509.CertificateSigningRequest, signer: x509.CertificateSigningRequest
) -> bytes:
    """The CSR of ``subject`` carrying the signature of ``signer`` (DER re-assembled with asn1crypto)."""
    from asn1crypto import csr as asn1_csr

    target = asn1_csr.CertificationRequest.load(subject.public_bytes(_der()))
    donor = asn1_csr.CertificationRequest.load(signer.public_bytes(_der()))
    target["signature"] = donor["signature"]
    return target.dump(force=True)


def _der():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_only_heads_and_signers_of_the_company_get_certificates(ca, company):  # type: ignore[no-untyped-def]
    from tests.factories import MembershipFactory

    outsider = UserFactory()
    accountant = UserFactory()
    MembershipFactory(user=accountant, company=company, role="accountant")
    other_company_holder = holder(company=CompanyFactory())
    public_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    for person in (outsider, accountant, other_company_holder):
        with pytest.raises(errors.NotAHolder):
            certificate_issue(
                owner=person,
                company=company,
                position="",
                public_key=public_key,
                storage="token",
                **_period(),
            )


def test_unsupported_keys_are_refused(ca, aigul, company):  # type: ignore[no-untyped-def]
    for public_key in (
        ec.generate_private_key(ec.SECP384R1()).public_key(),
        rsa.generate_private_key(65537, 1024).public_key(),
    ):
        with pytest.raises(errors.UnsupportedKey):
            certificate_issue(
                owner=aigul, company=company, position="", public_key=public_key, storage="token", **_period()
            )


def test_cloud_certificate_must_certify_the_holders_own_cloud_key(ca, enrol, aigul, company):  # type: ignore[no-untyped-def]
    mine = enrol(aigul)
    stranger_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(errors.KeyMismatch):  # a key that is not the cloud key's
        certificate_issue(
            owner=aigul, company=company, position="", public_key=stranger_key, key=mine.key, **_period()
        )
    other = holder(company=company)
    with pytest.raises(errors.KeyMismatch):  # someone else's cloud key
        certificate_issue(
            owner=other,
            company=company,
            position="",
            public_key=mine.x509.public_key(),
            key=mine.key,
            **_period(),
        )
    with pytest.raises(errors.KeyMismatch):  # cloud storage without a key
        certificate_issue(owner=aigul, company=company, position="", public_key=stranger_key, **_period())


def test_validity_must_be_ordered_and_inside_the_issuing_ca(ca, aigul, company):  # type: ignore[no-untyped-def]
    public_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    start = clock.now().replace(microsecond=0)
    for not_before, not_after in [
        (start, start),
        (start, start - dt.timedelta(days=1)),
        (start, ca.not_after + dt.timedelta(seconds=1)),
        (ca.not_before - dt.timedelta(seconds=1), start + dt.timedelta(days=1)),
    ]:
        with pytest.raises(errors.InvalidValidity):
            certificate_issue(
                owner=aigul, company=company, position="", public_key=public_key, storage="token",
                not_before=not_before, not_after=not_after,
            )  # fmt: skip


def test_stored_dates_are_exactly_the_certificates(ca, enrol, aigul):  # type: ignore[no-untyped-def]
    start = clock.now().replace(microsecond=0)
    certificate = enrol(
        aigul, not_before=start + dt.timedelta(microseconds=700), not_after=start + dt.timedelta(days=2)
    )
    assert certificate.not_before == certificate.x509.not_valid_before_utc == start
    assert certificate.not_after == certificate.x509.not_valid_after_utc


def test_without_a_ca_issuance_says_the_ca_is_not_set_up(aigul, company):  # type: ignore[no-untyped-def]
    with pytest.raises(errors.CaNotReady, match="uzart ca init"):
        certificate_issue(
            owner=aigul, company=company, position="",
            public_key=ec.generate_private_key(ec.SECP256R1()).public_key(), storage="token", **_period(),
        )  # fmt: skip


def test_a_wrong_ca_pin_issues_nothing_and_is_not_revealed(ca, aigul, company, settings):  # type: ignore[no-untyped-def]
    settings.CA_PIN = "111111111111"
    with pytest.raises(WrongPin) as caught:
        certificate_issue(
            owner=aigul, company=company, position="",
            public_key=ec.generate_private_key(ec.SECP256R1()).public_key(), storage="token", **_period(),
        )  # fmt: skip
    assert "111111111111" not in str(caught.value)
    assert not Certificate.objects.exists()


def test_ca_keys_cannot_be_exported_through_the_signer(ca):  # type: ignore[no-untyped-def]
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    from uzart.pki import conf
    from uzart.pki.keysigner import keystore_signer

    signer = keystore_signer(key=ca.key, pin=conf.ca_pin())
    with pytest.raises(TypeError):
        signer.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    with pytest.raises(UnsupportedAlgorithm):  # only SHA-256, as the keystore signs
        signer.sign(b"data", ec.ECDSA(hashes.SHA384()))  # type: ignore[call-arg]
    signature = signer.sign(b"data", ec.ECDSA(hashes.SHA256()))  # type: ignore[call-arg]
    ca.certificate.public_key().verify(signature, b"data", ec.ECDSA(hashes.SHA256()))  # type: ignore[call-arg]


def test_token_certificates_are_recorded_only_when_issued_here_and_once(ca, aigul, company):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    issued = certificate_issue(
        owner=aigul,
        company=company,
        position="Директор",
        public_key=key.public_key(),
        storage="token",
        **_period(),
    )
    with pytest.raises(errors.DuplicateCertificate):
        certificate_record_token(owner=aigul, company=company, certificate=issued.x509)
    with pytest.raises(errors.NotIssuedHere):
        certificate_record_token(owner=aigul, company=company, certificate=_self_signed())


def _self_signed() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Uzart Issuing CA 2026")])
    now = clock.now()
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(5).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip


def test_revoking_twice_is_refused_and_the_crl_is_regenerated_once(enrol, aigul, ca):  # type: ignore[no-untyped-def]
    certificate = enrol(aigul)
    number_before = CertificateAuthority.objects.get(pk=ca.pk).next_crl_number
    certificate_revoke(certificate=certificate, reason="key_compromise", actor=aigul)
    with pytest.raises(errors.AlreadyRevoked):
        certificate_revoke(certificate=certificate, reason="superseded", actor=aigul)
    ca.refresh_from_db()
    assert ca.next_crl_number == number_before + 1
    crl = x509.load_der_x509_crl(crl_current(ca=ca))
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number_before
    assert crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None
    assert Certificate.objects.get(pk=certificate.pk).revocation_reason == "key_compromise"
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_crl_refresh_due_signs_only_crls_near_expiry_and_is_safe_to_repeat(ca):  # type: ignore[no-untyped-def]
    assert crl_refresh_due() == 0  # fresh from ca_init
    later = clock.now() + dt.timedelta(days=1, hours=1)
    with time_machine.travel(later, tick=False):
        assert crl_refresh_due() == 2  # root and issuing
        assert crl_refresh_due() == 0
    ca.refresh_from_db()
    assert ca.crl_next_update > later + dt.timedelta(days=1)


def test_expired_stored_crl_is_replaced_when_served(ca):  # type: ignore[no-untyped-def]
    with time_machine.travel(clock.now() + dt.timedelta(days=3), tick=False):
        crl = x509.load_der_x509_crl(crl_current(ca=ca))
        assert crl.next_update_utc > clock.now()


def test_a_csr_signed_inside_the_keystore_is_issued_for_that_cloud_key(ca, aigul, company):  # type: ignore[no-untyped-def]
    from uzart.keystore.services import key_generate
    from uzart.pki.keysigner import keystore_signer

    for algorithm in ("ec-p256", "rsa-2048"):
        key = key_generate(owner=aigul, pin="864209", label="new EDS", algorithm=algorithm)
        csr = _csr(keystore_signer(key=key, pin="864209", actor=aigul))  # type: ignore[arg-type]
        assert csr.is_signature_valid
        certificate = certificate_issue(
            owner=aigul, company=company, position="Директор", csr=csr, key=key, **_period()
        )
        assert certificate.key == key and certificate.storage == "cloud"
        assert certificate.spki_sha256 == key.fingerprint
