"""The renewal request document: the seed's Russian form, its Kyrgyz and English renderings, and the PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import require_executable
from uzart.signing.documents import (
    csr_fingerprint,
    format_date,
    render_request_pdf,
    request_paragraphs,
)


def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The PDF's text as poppler's pdftotext reads it, whitespace collapsed."""
    pdftotext = require_executable("pdftotext", "poppler-utils")
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=60
    )
    return re.sub(r"\s+", " ", result.stdout.decode("utf-8"))


def test_russian_text_is_the_operators_form_filled_in(request_text):
    paragraphs = request_paragraphs(request_text, "ru")

    assert paragraphs[0] == "ЗАЯВКА НА ПРОДЛЕНИЕ ЭЦП"
    assert paragraphs[1] == (
        "Я, Проверкина Проверка Проверковна, руководитель компании ОсОО «Тест», согласен (на) с тем, "
        "что моя электронно-цифровая подпись (ЭЦП) будет переизготовлена сроком на 1 календарный год - "
        "до 22.03.2027 и с баланса компании будет списана стоимость ЭЦП, согласно текущим тарифам на "
        "услуги ОсОО «DosTek group»."
    )
    assert paragraphs[2] == (
        "Подтверждаю, что нижеследующие реквизиты остались неизменными и могут быть использованы при "
        "переизготовлении моего ЭЦП:"
    )
    assert paragraphs[3] == "ИНН компании: 07777777777777"
    assert paragraphs[4] == "Наименование компании: ОсОО «Тест»"
    assert "Номер заявки: 2026-000123" in paragraphs
    assert "Дата заявки: 03.03.2026" in paragraphs  # 20:30 UTC on 02.03 is 03.03 in Bishkek


def test_kyrgyz_and_english_texts_carry_the_same_details(request_text):
    for language, title in (
        ("ky", "ЭКТНЫН МӨӨНӨТҮН УЗАРТУУГА БУЙРУТМА"),
        ("en", "REQUEST FOR RENEWAL OF THE EDS"),
    ):
        text = "\n".join(request_paragraphs(request_text, language))
        assert text.startswith(title)
        for detail in (
            "Проверкина Проверка Проверковна",
            "ОсОО «Тест»",
            "07777777777777",
            "22.03.2027",
            "ОсОО «DosTek group»",
            "2026-000123",
            "03.03.2026",
            "3f3f 3f3f",
        ):
            assert detail in text, (language, detail)


def test_unknown_language_falls_back_to_the_russian_legal_form(request_text):
    assert request_paragraphs(request_text, "de") == request_paragraphs(request_text, "ru")
    assert request_paragraphs(request_text, "ky-KG") == request_paragraphs(request_text, "ky")


def test_a_preview_before_signing_shows_no_number_and_no_fingerprint(request_text):
    preview = dataclasses.replace(request_text, request_number="", csr_fingerprint="")
    text = "\n".join(request_paragraphs(preview, "en"))
    assert "Request number" not in text
    assert "fingerprint" not in text
    assert "Request date: 03.03.2026" in text


@pytest.mark.parametrize(
    ("position", "shown"),
    [
        ("Директор", "директор компании"),
        ("ИП", "ИП компании"),
        ("главный бухгалтер", "главный бухгалтер компании"),
    ],
)
def test_position_reads_as_part_of_the_sentence(request_text, position, shown):
    text = request_paragraphs(dataclasses.replace(request_text, position=position), "ru")[1]
    assert shown in text


def test_dates_are_day_month_year():
    assert format_date(dt.date(2027, 2, 28)) == "28.02.2027"
    assert format_date(dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)) == "01.01.2027"  # Bishkek


def test_csr_fingerprint_is_sha256_of_the_subject_public_key_info():
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Тест")]))
        .sign(key, hashes.SHA256())
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert csr_fingerprint(csr) == hashlib.sha256(spki).hexdigest()


def test_pdf_is_a4_and_carries_the_cyrillic_details_as_text(request_pdf, tmp_path):
    text = pdf_text(request_pdf, tmp_path)

    assert request_pdf.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 595.28 841.89]" in request_pdf  # A4 in points
    assert b"/FontFile2" in request_pdf  # the TrueType font is embedded
    for detail in (
        "ЗАЯВКА НА ПРОДЛЕНИЕ ЭЦП",
        "Проверкина Проверка Проверковна",
        "ОсОО «Тест»",
        "ИНН компании: 07777777777777",
        "до 22.03.2027",
        "Номер заявки: 2026-000123",
        "Дата заявки: 03.03.2026",
        "3f3f 3f3f 3f3f 3f3f",
        "ЭКТНЫН МӨӨНӨТҮН УЗАРТУУГА БУЙРУТМА",  # the Kyrgyz version, with its own letters
        "Компаниянын ИНН: 07777777777777",
    ):
        assert detail in text, detail
    assert text.index("ЗАЯВКА НА ПРОДЛЕНИЕ ЭЦП") < text.index("ЭКТНЫН МӨӨНӨТҮН")  # Russian first


def test_shared_font_gives_the_same_pdf_as_fpdf2s_own_font_loading(request_text):
    assert render_request_pdf(request_text) == render_request_pdf(request_text, reuse_font=False)


def test_documents_rendered_one_after_another_and_in_parallel_do_not_share_glyphs(request_text, tmp_path):
    texts = [
        dataclasses.replace(request_text, full_name=name, request_number=str(number))
        for number, name in enumerate(
            ["Ёлкин Щука Юрьевна", "Үсөнов Өмүр Ңазарович", "Smith John", "Жээнбеков Чынгыз"]
        )
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(render_request_pdf, texts * 2))
    for index, pdf in enumerate(parallel):
        text = texts[index % len(texts)]
        assert pdf == render_request_pdf(text, reuse_font=False)
        assert text.full_name in pdf_text(pdf, tmp_path)


def test_text_outside_the_embedded_scripts_does_not_break_the_document(request_text, tmp_path):
    text = dataclasses.replace(request_text, company_name="ОсОО «Тест» 東京")
    pdf = render_request_pdf(text)
    assert "Проверкина Проверка Проверковна" in pdf_text(pdf, tmp_path)
