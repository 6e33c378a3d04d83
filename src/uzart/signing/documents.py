"""The renewal request document: its text in Russian (the operator's legal form), Kyrgyz and English,
and its PDF (Russian first, then Kyrgyz).

The Russian wording is the operator's form from the seed, word for word; the Kyrgyz and English texts
render it faithfully. They are fixed document texts, not interface strings, so they live here rather
than in the gettext catalogues, and a document always reads the same whatever the interface language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fpdf import FPDF

from uzart import clock
from uzart.signing.fonts import font_install, font_load

LANGUAGES = ("ru", "ky", "en")
PDF_LANGUAGES = ("ru", "ky")


@dataclass(frozen=True)
class RenewalRequestText:
    """What a renewal request says; ``request_number`` and ``csr_fingerprint`` are empty in a preview."""

    full_name: str
    position: str
    company_name: str
    company_inn: str
    new_expiry: dt.date
    operator_name: str
    csr_fingerprint: str
    request_number: str
    created_at: dt.datetime


def csr_fingerprint(csr: x509.CertificateSigningRequest) -> str:
    """Hex SHA-256 of the CSR's SubjectPublicKeyInfo (the same as ``CloudKey.fingerprint``)."""
    spki = csr.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


def format_date(day: dt.date | dt.datetime) -> str:
    """DD.MM.YYYY; an instant is shown as its Bishkek date."""
    if isinstance(day, dt.datetime):
        day = clock.to_bishkek(day).date() if day.tzinfo else day.date()
    return day.strftime("%d.%m.%Y")


def format_fingerprint(fingerprint: str) -> str:
    """A hex fingerprint in groups of four characters, as people compare it."""
    clean = fingerprint.replace(":", "").replace(" ", "").lower()
    return " ".join(clean[i : i + 4] for i in range(0, len(clean), 4))


def _position(position: str) -> str:
    """A job title inside a sentence: a lowercase first letter unless it is an abbreviation."""
    position = position.strip()
    if len(position) > 1 and position[1].islower():
        return position[0].lower() + position[1:]
    return position


# Each language: title, body (with the holder, company, date, operator), confirmation, then the
# labels of the detail lines. ``{position}`` is the holder's job title as entered.
_FORMS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "ЗАЯВКА НА ПРОДЛЕНИЕ ЭЦП",
        "body": (
            "Я, {full_name}, {position} компании {company_name}, согласен (на) с тем, что моя "
            "электронно-цифровая подпись (ЭЦП) будет переизготовлена сроком на 1 календарный год - "
            "до {new_expiry} и с баланса компании будет списана стоимость ЭЦП, согласно текущим "
            "тарифам на услуги {operator_name}."
        ),
        "confirm": (
            "Подтверждаю, что нижеследующие реквизиты остались неизменными и могут быть "
            "использованы при переизготовлении моего ЭЦП:"
        ),
        "inn": "ИНН компании",
        "company": "Наименование компании",
        "number": "Номер заявки",
        "date": "Дата заявки",
        "fingerprint": "Отпечаток открытого ключа запроса на сертификат (SHA-256)",
    },
    "ky": {
        "title": "ЭКТНЫН МӨӨНӨТҮН УЗАРТУУГА БУЙРУТМА",
        "body": (
            "Мен, {full_name} ({company_name} компаниясы, кызматы: {position}), менин электрондук "
            "кол тамгамдын (ЭКТ) 1 календардык жылга - {new_expiry} чейин кайра даярдалышына жана "
            "ЭКТнын наркы {operator_name} кызматтарынын учурдагы тарифтерине ылайык компаниянын "
            "балансынан чегерилишине макулмун."
        ),
        "confirm": (
            "Төмөнкү реквизиттер өзгөрүүсүз калганын жана менин ЭКТмды кайра даярдоодо "
            "колдонулушу мүмкүн экенин тастыктайм:"
        ),
        "inn": "Компаниянын ИНН",
        "company": "Компаниянын аталышы",
        "number": "Буйрутманын номери",
        "date": "Буйрутманын күнү",
        "fingerprint": "Сертификатка суроо-талаптын ачык ачкычынын изи (SHA-256)",
    },
    "en": {
        "title": "REQUEST FOR RENEWAL OF THE EDS",
        "body": (
            "I, {full_name}, {position} of the company {company_name}, agree that my electronic "
            "digital signature (EDS) will be re-issued for a term of 1 calendar year - until "
            "{new_expiry} - and that the cost of the EDS will be debited from the company's balance "
            "according to the current tariffs of {operator_name}."
        ),
        "confirm": "I confirm that the details below have not changed and may be used when re-issuing my EDS:",
        "inn": "Company TIN (INN)",
        "company": "Company name",
        "number": "Request number",
        "date": "Request date",
        "fingerprint": "Public-key fingerprint of the certificate request (SHA-256)",
    },
}


def _form(language: str) -> dict[str, str]:
    base = (language or "ru").split("-")[0].split("_")[0].lower()
    return _FORMS.get(base, _FORMS["ru"])


def request_title(text: RenewalRequestText, language: str) -> str:
    """The document's title in ``language`` (Russian for an unknown language)."""
    return _form(language)["title"]


def request_body(text: RenewalRequestText, language: str) -> list[str]:
    """The form's paragraphs after the title: consent, confirmation, INN and company name."""
    form = _form(language)
    values: dict[str, Any] = {
        "full_name": text.full_name,
        "position": _position(text.position),
        "company_name": text.company_name,
        "new_expiry": format_date(text.new_expiry),
        "operator_name": text.operator_name,
    }
    return [
        form["body"].format(**values),
        form["confirm"],
        f"{form['inn']}: {text.company_inn}",
        f"{form['company']}: {text.company_name}",
    ]


def request_details(text: RenewalRequestText, language: str) -> list[tuple[str, str]]:
    """Label and value of the request's number, date and CSR fingerprint, those that are known."""
    form = _form(language)
    details = []
    if text.request_number:
        details.append((form["number"], text.request_number))
    details.append((form["date"], format_date(text.created_at)))
    if text.csr_fingerprint:
        details.append((form["fingerprint"], format_fingerprint(text.csr_fingerprint)))
    return details


def request_paragraphs(text: RenewalRequestText, language: str) -> list[str]:
    """The whole request as plain paragraphs in ``language`` (ru, ky or en), for a page to show."""
    return [
        request_title(text, language),
        *request_body(text, language),
        *(f"{label}: {value}" for label, value in request_details(text, language)),
    ]


_PAGE_MARGIN_MM = 20
_LINE_MM = 5.6


def _write_section(pdf: FPDF, family: str, text: RenewalRequestText, language: str) -> None:
    pdf.set_font(family, size=13)
    pdf.multi_cell(0, 7, request_title(text, language), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, size=10.5)
    for paragraph in request_body(text, language):
        pdf.multi_cell(0, _LINE_MM, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    pdf.ln(1.5)
    pdf.set_font(family, size=9)
    for label, value in request_details(text, language):
        pdf.multi_cell(0, 4.8, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")


def render_request_pdf(text: RenewalRequestText, *, reuse_font: bool = True) -> bytes:
    """The request as an A4 PDF: the Russian form, then its Kyrgyz version, with an embedded font.

    ``reuse_font=False`` reads the font file as fpdf2 does by default; it exists for benchmarks.
    """
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_PAGE_MARGIN_MM, 18, _PAGE_MARGIN_MM)
    pdf.set_auto_page_break(True, margin=18)
    family = font_install(pdf) if reuse_font else font_load(pdf)
    number = f" № {text.request_number}" if text.request_number else ""
    pdf.set_title(f"{request_title(text, 'ru')}{number}")
    pdf.set_subject(f"{text.company_name}, {text.company_inn}")
    pdf.set_author(text.full_name)
    pdf.set_creator("Uzart")
    pdf.set_lang("ru")
    created = text.created_at if text.created_at.tzinfo else text.created_at.replace(tzinfo=dt.UTC)
    pdf.set_creation_date(created)
    pdf.add_page()
    for index, language in enumerate(PDF_LANGUAGES):
        if index:
            pdf.ln(6)
            y = pdf.get_y()
            pdf.line(_PAGE_MARGIN_MM, y, pdf.w - _PAGE_MARGIN_MM, y)
            pdf.ln(6)
        _write_section(pdf, family, text, language)
    return bytes(pdf.output())
