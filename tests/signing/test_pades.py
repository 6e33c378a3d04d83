"""PAdES-B-B signatures on request PDFs: they validate against the operator's root, in Uzart and outside it."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils import translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.signing.pki import SmallCA, pem
from uzart.signing.pades import pdf_sign_with_private_key, pdf_validate

REASON = "Заявка на продление ЭЦП"


@pytest.fixture(scope="module")
def signed_pdf(request_pdf, ca, holder_key, holder_cert) -> bytes:  # type: ignore[no-untyped-def]
    return pdf_sign_with_private_key(
        pdf=request_pdf, signer_cert=holder_cert, chain=ca.chain, private_key=holder_key, reason=REASON
    )


def _flip_byte_inside_signed_range(pdf: bytes) -> bytes:
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    start, length = signature.byte_range[0], signature.byte_range[1]
    position = start + length // 2  # inside the first signed range: the original document
    altered = bytearray(pdf)
    altered[position] ^= 0x01
    return bytes(altered)


def test_signed_pdf_is_intact_valid_and_trusted_against_the_ca_root(signed_pdf, ca, holder_cert):
    report = pdf_validate(pdf=signed_pdf, trust_roots=[ca.root])

    assert (report.intact, report.valid, report.trusted, report.bottom_line) == (True, True, True, True)
    assert report.problems == []
    assert report.modification_level == "NONE"
    assert "CN=Проверкина Проверка Проверковна" in report.signer_subject
    assert report.signer_serial == format(holder_cert.serial_number, "x")
    assert report.chain == [c.subject.rfc4514_string() for c in (ca.root, ca.issuing, holder_cert)]
    assert report.signing_time is not None
    assert abs(report.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)


def test_signature_is_pades_with_reason_and_location(signed_pdf):
    signature = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == REASON
    assert signature.sig_object["/Location"] == "Bishkek"
    assert signature.field_name == "UzartSignature"


def test_one_flipped_byte_in_the_signed_range_breaks_integrity(signed_pdf, ca):
    report = pdf_validate(pdf=_flip_byte_inside_signed_range(signed_pdf), trust_roots=[ca.root])

    assert report.intact is False
    assert report.bottom_line is False
    assert report.problems == ["The signed content has changed: this is not the document that was signed."]


def test_a_signature_from_another_ca_is_intact_but_not_trusted(signed_pdf):
    report = pdf_validate(pdf=signed_pdf, trust_roots=[SmallCA.create("Other").root])

    assert (report.intact, report.valid, report.trusted, report.bottom_line) == (True, True, False, False)
    assert report.problems == [
        "The signer's certificate does not chain to a trusted certificate of the operator's CA."
    ]
    assert report.chain == []


def test_changes_appended_after_signing_are_reported(signed_pdf, ca):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/Lang"] = writer.root.get("/Lang", "ru")  # any incremental update
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)

    report = pdf_validate(pdf=output.getvalue(), trust_roots=[ca.root])

    assert report.intact is True
    assert report.bottom_line is False
    assert "The document was changed after it was signed." in report.problems


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "The file is not a readable PDF document."),
        (b"not a pdf at all", "The file is not a readable PDF document."),
        (b"%PDF-1.7\n%%EOF\n", "The file is not a readable PDF document."),
    ],
)
def test_garbage_gives_a_report_not_an_exception(content, problem, ca):
    report = pdf_validate(pdf=content, trust_roots=[ca.root])
    assert report.bottom_line is False
    assert report.problems == [problem]


def test_unsigned_pdf_gives_a_report_not_an_exception(request_pdf, ca):
    report = pdf_validate(pdf=request_pdf, trust_roots=[ca.root])
    assert (report.intact, report.bottom_line, report.problems) == (
        False,
        False,
        ["The document has no signature."],
    )


def test_truncated_signed_pdf_gives_a_report_not_an_exception(signed_pdf, ca):
    for cut in (len(signed_pdf) // 2, len(signed_pdf) - 40, 100):
        report = pdf_validate(pdf=signed_pdf[:cut], trust_roots=[ca.root])
        assert report.bottom_line is False
        assert report.problems


def test_problems_are_in_the_users_language(request_pdf, ca):
    with translation.override("ru"):
        ru = pdf_validate(pdf=request_pdf, trust_roots=[ca.root])
    with translation.override("ky"):
        ky = pdf_validate(pdf=request_pdf, trust_roots=[ca.root])
    assert ru.problems == ["Документ не подписан."]
    assert ky.problems and ky.problems != ru.problems


def test_expired_signer_certificate_is_not_trusted(request_pdf, ca):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue(
        key.public_key(), not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=1)
    )
    signed = pdf_sign_with_private_key(
        pdf=request_pdf, signer_cert=cert, chain=ca.chain, private_key=key, reason=REASON
    )

    report = pdf_validate(pdf=signed, trust_roots=[ca.root])

    assert report.intact and report.valid
    assert report.trusted is False
    assert report.problems == ["The signer's certificate was not valid at the time of the check."]


def test_rsa_signer_validates_too(request_pdf, ca):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = ca.issue(key.public_key())
    signed = pdf_sign_with_private_key(
        pdf=request_pdf, signer_cert=cert, chain=ca.chain, private_key=key, reason=REASON
    )
    assert pdf_validate(pdf=signed, trust_roots=[ca.root]).bottom_line is True


def _pyhanko_validate(pdf: bytes, root_pem: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(__import__("sys").executable).with_name("pyhanko")
    assert executable.exists(), "pyhanko-cli is a dev dependency"
    (tmp_path / "root.pem").write_bytes(root_pem)
    (tmp_path / "request.pdf").write_bytes(pdf)
    return subprocess.run(
        [
            str(executable),
            "sign",
            "validate",
            "--trust",
            str(tmp_path / "root.pem"),
            "--trust-replace",
            "--no-revocation-check",
            str(tmp_path / "request.pdf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_pyhankos_command_line_accepts_the_signed_pdf_and_rejects_an_altered_copy(signed_pdf, ca, tmp_path):
    good = _pyhanko_validate(signed_pdf, pem(ca.root), tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "UzartSignature:" in good.stdout
    assert ":INTACT:TRUSTED,UNTOUCHED" in good.stdout

    bad = _pyhanko_validate(_flip_byte_inside_signed_range(signed_pdf), pem(ca.root), tmp_path)
    assert bad.returncode != 0
    assert ":INVALID" in bad.stdout
    assert "TRUSTED" not in bad.stdout
