"""Request PDFs signed with a real cloud key through KeystoreSigner: one keystore call per document."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from django.db import transaction

from tests.factories import holder
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_generate, key_public
from uzart.signing.errors import CertificateKeyMismatch
from uzart.signing.pades import KeystoreSigner, pdf_sign, pdf_validate

PIN = "246810"
REASON = "Заявка на продление ЭЦП"

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_key(keystore_backend):  # type: ignore[no-untyped-def]
    def make(algorithm: str = "ec-p256") -> CloudKey:
        return key_generate(
            owner=holder(), pin=PIN, label="EDS", algorithm=algorithm, backend=keystore_backend
        )

    return make


def _key_sign_calls() -> int:
    return AuditEvent.objects.filter(action="key.sign").count()


@pytest.mark.parametrize("algorithm", ["ec-p256", "rsa-2048"])
def test_cloud_key_signs_the_request_once_per_document_and_it_validates(make_key, ca, request_pdf, algorithm):
    key = make_key(algorithm)
    cert = ca.issue(key_public(key=key))
    before = _key_sign_calls()

    first = pdf_sign(pdf=request_pdf, signer_cert=cert, chain=ca.chain, key=key, pin=PIN, reason=REASON)
    assert _key_sign_calls() == before + 1
    second = pdf_sign(pdf=request_pdf, signer_cert=cert, chain=ca.chain, key=key, pin=PIN, reason=REASON)
    assert _key_sign_calls() == before + 2

    for signed in (first, second):
        report = pdf_validate(pdf=signed, trust_roots=[ca.root])
        assert (report.intact, report.valid, report.trusted, report.bottom_line) == (True, True, True, True)
        assert report.signer_serial == format(cert.serial_number, "x")


def test_key_sign_runs_in_the_callers_transaction(make_key, ca, request_pdf):
    key = make_key()
    cert = ca.issue(key_public(key=key))
    before = _key_sign_calls()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        pdf_sign(pdf=request_pdf, signer_cert=cert, chain=ca.chain, key=key, pin=PIN, reason=REASON)
        assert _key_sign_calls() == before + 1  # visible on this connection, inside the transaction
        raise Abort

    assert _key_sign_calls() == before  # rolled back with the caller's work


def test_wrong_pin_raises_and_is_counted_and_nothing_is_signed(make_key, ca, request_pdf):
    key = make_key()
    cert = ca.issue(key_public(key=key))
    before = _key_sign_calls()

    with pytest.raises(WrongPin):
        pdf_sign(pdf=request_pdf, signer_cert=cert, chain=ca.chain, key=key, pin="135790", reason=REASON)

    key.refresh_from_db()
    assert key.failed_attempts == 1
    assert _key_sign_calls() == before


def test_a_certificate_of_another_key_is_refused_before_the_keystore_is_asked(make_key, ca, request_pdf):
    key, other = make_key(), make_key()
    cert_of_other = ca.issue(key_public(key=other))
    before = _key_sign_calls()

    with pytest.raises(CertificateKeyMismatch):
        pdf_sign(pdf=request_pdf, signer_cert=cert_of_other, chain=ca.chain, key=key, pin=PIN, reason=REASON)

    assert _key_sign_calls() == before


def test_a_keystore_signer_answers_a_dry_run_without_the_key_and_signs_only_once(make_key, ca):
    from asgiref.sync import async_to_sync

    key = make_key()
    cert = ca.issue(key_public(key=key))
    signer = KeystoreSigner(key=key, pin=PIN, signer_cert=cert, chain=ca.chain)
    before = _key_sign_calls()

    placeholder = async_to_sync(signer.async_sign_raw)(b"attributes", "sha256", True)
    assert placeholder == bytes(72)
    assert _key_sign_calls() == before

    signature = async_to_sync(signer.async_sign_raw)(b"attributes", "sha256")
    assert signature[0] == 0x30 and signer.keystore_calls == 1
    with pytest.raises(Exception, match="one document only"):
        async_to_sync(signer.async_sign_raw)(b"attributes", "sha256")
    with pytest.raises(Exception, match="SHA-256"):
        async_to_sync(signer.async_sign_raw)(b"attributes", "sha512")
    assert _key_sign_calls() == before + 1
    assert PIN not in repr(signer)
    assert cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == bytes(key.public_key_der)
