"""Management commands `ca` and `certs`, and the public PKI endpoints through Django's test client."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from django.core.management import CommandError, call_command

from uzart.audit.models import AuditEvent


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ca_init_command_is_idempotent(db):  # type: ignore[no-untyped-def]
    first = command("ca", "init", "--organization", "Оператор")
    second = command("ca", "init")
    assert first.startswith("CAs created: root root-")
    assert second.startswith("CAs already present: root root-")
    assert "issuing" in command("ca", "show")


def test_certs_export_prints_the_active_certificate_as_pem(enrol, aigul):  # type: ignore[no-untyped-def]
    certificate = enrol(aigul)
    printed = command("certs", "export", "--email", "AIGUL@demo.example")
    assert x509.load_pem_x509_certificate(printed.encode()) == certificate.x509


def test_certs_export_without_an_active_certificate_says_so(ca, aigul):  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=r"aigul@demo\.example has no certificate in force"):
        command("certs", "export", "--email", "aigul@demo.example")
    with pytest.raises(CommandError, match=r"nobody@x\.example has no certificate in force"):
        command("certs", "export", "--email", "nobody@x.example")


def test_chain_and_ca_certificates_are_served(client, ca):  # type: ignore[no-untyped-def]
    response = client.get("/pki/ca.pem")
    assert response.status_code == 200
    assert x509.load_pem_x509_certificates(response.content) == [ca.certificate, ca.parent.certificate]
    der = client.get(f"/pki/ca/{ca.parent.name}.crt")
    assert der["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der.content) == ca.parent.certificate
    assert client.get("/pki/ca/nope.crt").status_code == 404
    assert client.get("/pki/crl/nope.crl").status_code == 404


def test_chain_before_ca_init_is_a_clear_503_not_a_500(client, db):  # type: ignore[no-untyped-def]
    response = client.get("/pki/ca.pem")
    assert response.status_code == 503


def _ocsp_request(serial: int, issuer: x509.Certificate) -> bytes:
    from uzart.pki.profiles import issuer_hashes

    name_hash, key_hash = issuer_hashes(issuer, hashes.SHA1())
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(name_hash, key_hash, serial, hashes.SHA1())
    return builder.build().public_bytes(Encoding.DER)


def _post(client, body: bytes) -> ocsp.OCSPResponse:  # type: ignore[no-untyped-def]
    response = client.post("/pki/ocsp/", data=body, content_type="application/ocsp-request")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(response.content)


def test_ocsp_reuses_a_signed_response_until_the_status_changes(client, enrol, aigul, ca):  # type: ignore[no-untyped-def]
    from uzart.pki.services import certificate_revoke

    certificate = enrol(aigul)
    body = _ocsp_request(certificate.serial_number, ca.certificate)
    signatures_before = AuditEvent.objects.filter(action="key.sign").count()

    first, second = _post(client, body), _post(client, body)
    assert first.certificate_status == second.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert first.public_bytes(Encoding.DER) == second.public_bytes(Encoding.DER)
    assert AuditEvent.objects.filter(action="key.sign").count() == signatures_before + 1

    certificate_revoke(certificate=certificate, reason="affiliation_changed", actor=None)
    revoked = _post(client, body)
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.affiliation_changed
    assert revoked.revocation_time_utc == certificate.revoked_at


def test_ocsp_answers_for_the_issuing_ca_on_behalf_of_the_root(client, ca):  # type: ignore[no-untyped-def]
    answer = _post(client, _ocsp_request(ca.certificate.serial_number, ca.parent.certificate))
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    ca.parent.certificate.public_key().verify(  # type: ignore[call-arg]
        answer.signature, answer.tbs_response_bytes, ec.ECDSA(hashes.SHA256())
    )


def test_ocsp_errors_are_ocsp_error_responses(client, ca):  # type: ignore[no-untyped-def]
    malformed = _post(client, b"\x30\x03\x02\x01\x00")
    assert malformed.response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST

    stranger = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Other CA")])
    now = dt.datetime.now(dt.UTC)
    other_ca = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(stranger.public_key())
        .serial_number(9).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(stranger, hashes.SHA256())
    )  # fmt: skip
    assert _post(client, _ocsp_request(1, other_ca)).response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED

    wrong_type = client.post("/pki/ocsp/", data=b"x", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert client.get("/pki/ocsp/not*base64").status_code == 400


def test_ocsp_get_accepts_url_encoded_base64(client, enrol, aigul, ca):  # type: ignore[no-untyped-def]
    certificate = enrol(aigul)
    encoded = base64.b64encode(_ocsp_request(certificate.serial_number, ca.certificate)).decode()
    response = client.get("/pki/ocsp/" + encoded.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))
    assert response.status_code == 200
    assert ocsp.load_der_ocsp_response(response.content).certificate_status == ocsp.OCSPCertStatus.GOOD


def test_a_misconfigured_ca_pin_never_locks_the_ca_key(client, enrol, aigul, ca, settings):  # type: ignore[no-untyped-def]
    from uzart.keystore.models import CloudKey

    certificate = enrol(aigul)
    body = _ocsp_request(certificate.serial_number, ca.certificate)
    settings.CA_PIN = "000000000000"
    for _attempt in range(6):
        assert _post(client, body).response_status == ocsp.OCSPResponseStatus.INTERNAL_ERROR
    key = CloudKey.objects.get(pk=ca.key_id)
    assert (key.failed_attempts, key.is_locked) == (0, False)

    settings.CA_PIN = ""  # back to the test PIN
    assert _post(client, body).certificate_status == ocsp.OCSPCertStatus.GOOD
