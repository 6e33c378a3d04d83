"""Reading and checking a bulk import of existing certificates (CSV or PEM bundle), without writing.

``import_rows_from_file`` turns a file into rows with line numbers; ``import_plan`` checks every row
against the database and returns what to write and every problem found. The write is
``services.certificate_import``; it runs only when there is no problem at all.

CSV columns (header required, order free): ``inn, email, surname, given_name, patronymic, position,
certificate`` and optionally ``role`` (head|signer, default signer) and ``storage`` (token|cloud,
default token). ``certificate`` is PEM text or a path to a PEM/DER file, relative to the CSV file.
A PEM bundle is matched by the e-mail address in each certificate (subjectAltName or emailAddress)
to an existing user, and by the INN in its organizationIdentifier to a company (or the user's only
company when it names none).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from uzart.accounts.models import Company, Membership, User
from uzart.accounts.validators import validate_inn
from uzart.errors import UzartError
from uzart.keystore.models import CloudKey
from uzart.pki import profiles
from uzart.pki.models import Certificate
from uzart.pki.selectors import ca_issuer_of

CSV_REQUIRED_COLUMNS = ("inn", "email", "surname", "given_name", "patronymic", "position", "certificate")
CSV_OPTIONAL_COLUMNS = ("role", "storage")
_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.DOTALL)
HOLDER_ROLES = (Membership.Role.HEAD, Membership.Role.SIGNER)


@dataclass
class ImportRow:
    """One certificate to import, as read from the file."""

    line: int
    certificate_source: str
    from_csv: bool = True
    inn: str = ""
    email: str = ""
    surname: str = ""
    given_name: str = ""
    patronymic: str = ""
    position: str = ""
    role: str = Membership.Role.SIGNER
    storage: str = Certificate.Storage.TOKEN


@dataclass(frozen=True)
class ImportProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass
class PlannedImport:
    """A row that passed every check: what the import will write for it."""

    line: int
    certificate: x509.Certificate
    company: Company
    email: str
    user: User | None
    new_user: dict[str, str] = field(default_factory=dict)
    role: str = Membership.Role.SIGNER
    position: str = ""
    key: CloudKey | None = None


class ImportFileUnreadable(UzartError):
    code = "import_unreadable"


def import_rows_from_file(path: Path) -> list[ImportRow]:
    """Read a CSV file or a PEM bundle (decided by content) into rows with line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileUnreadable(
            _("The file cannot be read as UTF-8 text: %(error)s"), error=str(exc)
        ) from None
    first_line = text.lstrip().partition("\n")[0].lower()
    looks_like_csv = "inn" in first_line and "certificate" in first_line
    if not looks_like_csv and "-----BEGIN CERTIFICATE-----" in text:
        return rows_from_pem_bundle(text)
    return rows_from_csv(text, base_dir=path.parent)


def rows_from_pem_bundle(text: str) -> list[ImportRow]:
    """One row per PEM certificate block; its line is where the block begins."""
    return [
        ImportRow(
            line=text.count("\n", 0, match.start()) + 1, certificate_source=match.group(0), from_csv=False
        )
        for match in _PEM_BLOCK.finditer(text)
    ]


def rows_from_csv(text: str, *, base_dir: Path) -> list[ImportRow]:
    """Rows of a CSV with a header; a row's line is the physical line where its record starts."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileUnreadable(
            _("The CSV header lacks the column(s): %(columns)s. Expected: %(expected)s."),
            columns=", ".join(missing),
            expected=",".join(CSV_REQUIRED_COLUMNS + CSV_OPTIONAL_COLUMNS),
        )
    reader.fieldnames = columns
    rows = []
    start = reader.line_num + 1
    for record in reader:
        values = {key: (value or "").strip() for key, value in record.items() if key}
        source = values.get("certificate", "")
        if source and "-----BEGIN" not in source:
            source = str((base_dir / source).resolve())
        rows.append(
            ImportRow(
                line=start,
                certificate_source=source,
                inn=values.get("inn", ""),
                email=values.get("email", "").lower(),
                surname=values.get("surname", ""),
                given_name=values.get("given_name", ""),
                patronymic=values.get("patronymic", ""),
                position=values.get("position", ""),
                role=values.get("role", "") or Membership.Role.SIGNER,
                storage=values.get("storage", "") or Certificate.Storage.TOKEN,
            )
        )
        start = reader.line_num + 1
    return rows


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _load_certificate(row: ImportRow) -> x509.Certificate:
    source = row.certificate_source
    if not source:
        raise _Bad(_("no certificate given"))
    if "-----BEGIN" in source:
        data = source.encode()
    else:
        path = Path(source)
        if not path.is_file():
            raise _Bad(_("certificate file %(path)s not found") % {"path": path.name})
        data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise _Bad(_("the certificate is not a readable X.509 certificate (PEM or DER)")) from None


def _check_certificate(certificate: x509.Certificate, seen_serials: dict[str, int]) -> None:
    try:
        if certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise _Bad(_("it is a CA certificate, not a holder's"))
    except x509.ExtensionNotFound:
        pass
    try:
        profiles.check_holder_public_key(certificate.public_key())
    except ValueError:
        raise _Bad(_("its key is neither EC P-256 nor RSA 2048-4096")) from None
    try:
        ca_issuer_of(certificate=certificate)
    except UzartError:
        raise _Bad(_("it was not issued by this operator's certification authority")) from None
    serial = profiles.serial_hex(certificate.serial_number)
    if serial in seen_serials:
        raise _Bad(_("the same certificate is already on line %(line)d") % {"line": seen_serials[serial]})
    if Certificate.objects.filter(serial=serial).exists():
        raise _Bad(_("the certificate with serial %(serial)s is already recorded") % {"serial": serial})


def _plan_csv(row: ImportRow, certificate: x509.Certificate) -> PlannedImport:
    try:
        validate_inn(row.inn)
    except ValidationError as exc:
        raise _Bad(" ".join(str(message) for message in exc.messages)) from None
    company = Company.objects.filter(inn=row.inn).first()
    if company is None:
        raise _Bad(_("no company with INN %(inn)s is registered") % {"inn": row.inn})
    try:
        validate_email(row.email)
    except ValidationError:
        raise _Bad(_("%(email)s is not a valid e-mail address") % {"email": row.email or "—"}) from None
    if row.role not in HOLDER_ROLES:
        raise _Bad(_("role must be head or signer, not %(role)s") % {"role": row.role})
    certificate_inn = profiles.inn_from_name(certificate.subject)
    if certificate_inn and certificate_inn != row.inn:
        raise _Bad(
            _("the certificate names INN %(found)s, the row says %(inn)s")
            % {"found": certificate_inn, "inn": row.inn}
        )
    certificate_emails = profiles.emails_of(certificate)
    if certificate_emails and row.email not in certificate_emails:
        raise _Bad(
            _("the certificate names e-mail %(found)s, the row says %(email)s")
            % {"found": certificate_emails[0], "email": row.email}
        )
    user = User.objects.filter(email=row.email).first()
    new_user: dict[str, str] = {}
    if user is None:
        if not row.surname or not row.given_name:
            raise _Bad(_("a new holder needs a surname and a given name"))
        new_user = {"surname": row.surname, "given_name": row.given_name, "patronymic": row.patronymic}
    elif user.is_operator:
        raise _Bad(_("%(email)s belongs to operator staff, not to a holder") % {"email": row.email})
    return PlannedImport(
        line=row.line,
        certificate=certificate,
        company=company,
        email=row.email,
        user=user,
        new_user=new_user,
        role=row.role,
        position=row.position or profiles.first_attribute(certificate.subject, NameOID.TITLE),
    )


def _plan_pem(row: ImportRow, certificate: x509.Certificate) -> PlannedImport:
    emails = profiles.emails_of(certificate)
    if not emails:
        raise _Bad(_("the certificate names no e-mail address to find its holder by; use the CSV format"))
    user = User.objects.filter(email__in=emails).first()
    if user is None:
        raise _Bad(
            _("no user with e-mail %(email)s; use the CSV format to create holders") % {"email": emails[0]}
        )
    memberships = Membership.objects.filter(user=user, role__in=HOLDER_ROLES).select_related("company")
    inn = profiles.inn_from_name(certificate.subject)
    if inn:
        membership = memberships.filter(company__inn=inn).first()
        if membership is None:
            raise _Bad(
                _("%(email)s is not a head or signer of the company with INN %(inn)s")
                % {"email": user.email, "inn": inn}
            )
    else:
        companies = {m.company_id: m for m in memberships}
        if len(companies) != 1:
            raise _Bad(_("the certificate names no INN and %(email)s is not a holder in exactly one company")
                       % {"email": user.email})  # fmt: skip
        membership = next(iter(companies.values()))
    return PlannedImport(
        line=row.line,
        certificate=certificate,
        company=membership.company,
        email=user.email,
        user=user,
        role=membership.role,
        position=profiles.first_attribute(certificate.subject, NameOID.TITLE) or membership.position,
    )


def _plan_storage(row: ImportRow, plan: PlannedImport) -> None:
    if row.storage == Certificate.Storage.TOKEN:
        return
    if row.storage != Certificate.Storage.CLOUD:
        raise _Bad(_("storage must be token or cloud, not %(storage)s") % {"storage": row.storage})
    fingerprint = profiles.spki_sha256(profiles.check_holder_public_key(plan.certificate.public_key()))
    key = None
    if plan.user is not None:
        key = next(
            (
                candidate
                for candidate in CloudKey.objects.filter(owner=plan.user, purpose=CloudKey.Purpose.HOLDER)
                if candidate.fingerprint == fingerprint
            ),
            None,
        )
    if key is None:
        raise _Bad(_("storage is cloud but the holder has no cloud key matching the certificate"))
    plan.key = key


def import_plan(
    rows: list[ImportRow], *, progress: Callable[[], object] | None = None
) -> tuple[list[PlannedImport], list[ImportProblem]]:
    """Check every row; return the planned imports and the problems (with line numbers)."""
    plans: list[PlannedImport] = []
    problems: list[ImportProblem] = []
    seen_serials: dict[str, int] = {}
    for row in rows:
        try:
            certificate = _load_certificate(row)
            _check_certificate(certificate, seen_serials)
            plan = _plan_csv(row, certificate) if row.from_csv else _plan_pem(row, certificate)
            _plan_storage(row, plan)
        except _Bad as bad:
            problems.append(ImportProblem(line=row.line, reason=bad.reason))
        else:
            seen_serials[profiles.serial_hex(certificate.serial_number)] = row.line
            plans.append(plan)
        if progress is not None:
            progress()
    if not rows:
        problems.append(ImportProblem(line=1, reason=_("the file contains no certificates")))
    return plans, problems
