"""The running server's OCSP responder and CRL, checked with openssl as a relying party would."""

from __future__ import annotations

import base64
import re
import subprocess
import urllib.parse
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from tests.conftest import require_executable
from tests.pki.conftest import write_pem
from tests.pki.test_profile import pkilint

pytestmark = pytest.mark.django_db(transaction=True)


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:  # loopback only
        return response.read(), response.headers.get("Content-Type", "")


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_openssl_ocsp_says_good_then_revoked_and_the_served_crl_lists_the_serial(  # type: ignore[no-untyped-def]
    live_server, enrol, aigul, ca, tmp_path
):
    from uzart.pki.services import certificate_revoke

    openssl = require_executable("openssl", "openssl")
    chain_pem, content_type = fetch(f"{live_server.url}/pki/ca.pem")
    assert content_type.startswith("application/pem-certificate-chain")
    served = x509.load_pem_x509_certificates(chain_pem)
    assert [c.subject for c in served] == [ca.certificate.subject, ca.parent.certificate.subject]
    chain = tmp_path / "chain.pem"
    chain.write_bytes(chain_pem)
    issuing = write_pem(tmp_path / "issuing.pem", served[0])
    root = write_pem(tmp_path / "root.pem", served[1])
    certificate = enrol(aigul)
    cert = write_pem(tmp_path / "cert.pem", certificate.x509)

    assert "cert.pem: OK" in run(
        openssl, "verify", "-CAfile", str(root), "-untrusted", str(issuing), str(cert)
    )

    ask = [openssl, "ocsp", "-issuer", str(issuing), "-cert", str(cert), "-url", f"{live_server.url}/pki/ocsp/",
           "-CAfile", str(chain)]  # fmt: skip
    answer = run(*ask)
    assert "Response verify OK" in answer
    assert re.search(r"cert\.pem: good", answer), answer

    certificate_revoke(certificate=certificate, reason="key_compromise", actor=None)
    answer = run(*ask)
    assert "Response verify OK" in answer
    assert re.search(r"cert\.pem: revoked", answer), answer
    assert "Reason: keyCompromise" in answer
    assert "Revocation Time:" in answer

    crl_der, content_type = fetch(f"{live_server.url}/pki/crl/{ca.name}.crl")
    assert content_type == "application/pkix-crl"
    crl_path = tmp_path / "issuing.crl"
    crl_path.write_bytes(crl_der)
    text = run(openssl, "crl", "-inform", "DER", "-in", str(crl_path), "-text", "-noout")
    listed = [int(serial, 16) for serial in re.findall(r"Serial Number: ([0-9A-F]+)", text)]
    assert listed == [certificate.serial_number]
    assert "Key Compromise" in text
    # and the CRL verifies against the issuing CA
    assert "verify OK" in run(
        openssl, "crl", "-inform", "DER", "-in", str(crl_path), "-CAfile", str(chain), "-noout"
    )


def _request(certificate: x509.Certificate, issuer: x509.Certificate) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1())
    return builder.build().public_bytes(Encoding.DER)


def test_ocsp_get_with_base64_path_answers_and_unknown_serial_is_unknown(  # type: ignore[no-untyped-def]
    live_server, enrol, aigul, ca, tmp_path
):
    certificate = enrol(aigul).x509
    encoded = urllib.parse.quote(base64.b64encode(_request(certificate, ca.certificate)).decode(), safe="")
    der, content_type = fetch(f"{live_server.url}/pki/ocsp/{encoded}")
    assert content_type == "application/ocsp-response"
    response = ocsp.load_der_ocsp_response(der)
    assert response.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert response.serial_number == certificate.serial_number
    ca.certificate.public_key().verify(  # type: ignore[call-arg]
        response.signature, response.tbs_response_bytes, *_verify_args(ca.certificate, response)
    )

    response_path = tmp_path / "good.ocsp"
    response_path.write_bytes(der)
    lint = subprocess.run(
        [pkilint("lint_ocsp_response"), "lint", "-s", "ERROR", str(response_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr

    never_issued = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        response.issuer_name_hash, response.issuer_key_hash, 12345, hashes.SHA1()
    )
    post = urllib.request.Request(
        f"{live_server.url}/pki/ocsp/",
        data=never_issued.build().public_bytes(Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
    )
    with urllib.request.urlopen(post, timeout=30) as raw:
        unknown = ocsp.load_der_ocsp_response(raw.read())
    assert unknown.certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def _verify_args(issuer: x509.Certificate, response: ocsp.OCSPResponse) -> tuple[object, ...]:
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    algorithm = response.signature_hash_algorithm
    if isinstance(issuer.public_key(), ec.EllipticCurvePublicKey):
        return (ec.ECDSA(algorithm),)
    return (padding.PKCS1v15(), algorithm)
