"""Issued certificates and CRLs pass pkilint's RFC 5280 linters and openssl's chain verification."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.conftest import require_executable, require_system_part
from tests.pki.conftest import write_pem

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"


def pkilint(tool: str) -> str:
    path = VENV_BIN / tool
    require_system_part(path.exists(), f"{tool} (pip package pkilint in .venv)")
    return str(path)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(
    ("algorithm", "key_type"), [("ec-p256", ec.EllipticCurvePublicKey), ("rsa-2048", rsa.RSAPublicKey)]
)
def test_holder_certificate_passes_pkilint_rfc5280_and_openssl_verify(  # type: ignore[no-untyped-def]
    enrol, aigul, pki_files, algorithm, key_type
):
    openssl = require_executable("openssl", "openssl")
    certificate = enrol(aigul, algorithm=algorithm)
    cert_pem = write_pem(pki_files["dir"] / "cert.pem", certificate.x509)

    lint = run(pkilint("lint_pkix_cert"), "lint", "-s", "ERROR", str(cert_pem))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.strip() == ""

    verify = run(
        openssl,
        "verify",
        "-CAfile",
        str(pki_files["root"]),
        "-untrusted",
        str(pki_files["issuing"]),
        str(cert_pem),
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.strip().endswith("OK")
    assert isinstance(certificate.x509.public_key(), key_type)


def test_ca_certificates_pass_pkilint(ca, pki_files):  # type: ignore[no-untyped-def]
    for name in ("root", "issuing"):
        lint = run(pkilint("lint_pkix_cert"), "lint", "-s", "ERROR", str(pki_files[name]))
        assert lint.returncode == 0, f"{name}: {lint.stdout}{lint.stderr}"


def test_crl_with_a_revoked_certificate_passes_pkilint(enrol, aigul, ca, tmp_path):  # type: ignore[no-untyped-def]
    from uzart.pki.services import certificate_revoke, crl_current

    certificate = enrol(aigul)
    certificate_revoke(certificate=certificate, reason="key_compromise", actor=None)
    ca.refresh_from_db()
    crl_path = tmp_path / "issuing.crl"
    crl_path.write_bytes(crl_current(ca=ca))

    lint = run(pkilint("lint_crl"), "lint", "-t", "CRL", "-p", "PKIX", "-s", "ERROR", str(crl_path))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    crl = x509.load_der_x509_crl(crl_path.read_bytes())
    entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )


def test_holder_subject_names_person_company_inn_and_position(enrol, aigul, company):  # type: ignore[no-untyped-def]
    subject = enrol(aigul).x509.subject

    def value(oid: x509.ObjectIdentifier) -> str:
        return str(subject.get_attributes_for_oid(oid)[0].value)

    assert value(NameOID.COMMON_NAME) == "Асанова Айгуль Бакытовна"
    assert value(NameOID.SURNAME) == "Асанова"
    assert value(NameOID.GIVEN_NAME) == "Айгуль Бакытовна"
    assert value(NameOID.ORGANIZATION_NAME) == "ОсОО «Тоо Булак»"
    assert value(NameOID.ORGANIZATION_IDENTIFIER) == "NTRKG-02412201910101"
    assert value(NameOID.TITLE) == "Директор"
    assert value(NameOID.COUNTRY_NAME) == "KG"


def test_holder_certificate_extensions_follow_the_profile(enrol, aigul, ca, settings):  # type: ignore[no-untyped-def]
    certificate = enrol(aigul).x509
    extensions = certificate.extensions
    key_usage = extensions.get_extension_for_class(x509.KeyUsage)
    assert key_usage.critical
    assert key_usage.value.digital_signature and key_usage.value.content_commitment
    assert not key_usage.value.key_cert_sign
    assert extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    crl_dp = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert crl_dp[0].full_name[0].value == f"{settings.PUBLIC_BASE_URL}/pki/crl/{ca.name}.crl"
    aia = {
        d.access_method: d.access_location.value
        for d in extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    }
    assert aia[x509.AuthorityInformationAccessOID.OCSP] == f"{settings.PUBLIC_BASE_URL}/pki/ocsp/"
    assert (
        aia[x509.AuthorityInformationAccessOID.CA_ISSUERS]
        == f"{settings.PUBLIC_BASE_URL}/pki/ca/{ca.name}.crt"
    )
    ski = extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    issuer_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski.digest == x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest
    assert aki.key_identifier == issuer_ski.digest
    assert 0 < certificate.serial_number < 2**159
