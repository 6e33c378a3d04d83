"""`uzart import-certificates`: every row is checked first; one bad row means nothing is imported."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management import CommandError, call_command

from tests.factories import CompanyFactory, UserFactory, holder
from uzart.accounts.models import Membership, User
from uzart.audit.models import AuditEvent
from uzart.pki.models import Certificate

HEADER = ["inn", "email", "surname", "given_name", "patronymic", "position", "certificate"]


@pytest.fixture
def token_certificate(ca):  # type: ignore[no-untyped-def]
    """A certificate the operator's issuing CA made for a key on a token (not in the database)."""
    from uzart import clock
    from uzart.pki import conf, profiles
    from uzart.pki.keysigner import keystore_signer
    from uzart.pki.services import _links

    def make(
        *, email: str, inn: str, full_name: str = "Токтогулов Эрлан Маратович", public_key=None
    ) -> x509.Certificate:  # type: ignore[no-untyped-def]
        surname, *given = full_name.split()
        start = clock.now().replace(microsecond=0)
        return profiles.build_holder_certificate(
            subject=profiles.HolderSubject(
                full_name=full_name, surname=surname, given_names=" ".join(given),
                organization="ОсОО «Нарын Трейд»", position="Генеральный директор", inn=inn, email=email,
            ),
            public_key=public_key or ec.generate_private_key(ec.SECP256R1()).public_key(),
            issuer=ca.certificate,
            issuer_key=keystore_signer(key=ca.key, pin=conf.ca_pin()),
            serial=profiles.random_serial(),
            not_before=start,
            not_after=start + dt.timedelta(days=365),
            links=_links(ca),
        )  # fmt: skip

    return make


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(Encoding.PEM).decode()


def write_csv(path, rows: list[list[str]]):  # type: ignore[no-untyped-def]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run_import(path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    call_command("import-certificates", str(path), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_with_one_bad_row_imports_nothing_and_names_line_and_reason(tmp_path, token_certificate):  # type: ignore[no-untyped-def]
    trade = CompanyFactory(inn="01506201810202")
    good = token_certificate(email="erlan@demo.example", inn=trade.inn)
    (tmp_path / "olga.pem").write_text(pem(token_certificate(email="olga@demo.example", inn=trade.inn)))
    (tmp_path / "nurlan.pem").write_text(
        pem(token_certificate(email="nurlan@demo.example", inn="09999999999999"))
    )
    path = write_csv(
        tmp_path / "certs.csv",
        [
            # line 2: good, inline PEM spanning many lines
            [
                trade.inn,
                "erlan@demo.example",
                "Токтогулов",
                "Эрлан",
                "Маратович",
                "Генеральный директор",
                pem(good),
            ],
            # next record: good, a file next to the CSV
            [trade.inn, "olga@demo.example", "Иванова", "Ольга", "Петровна", "Главный бухгалтер", "olga.pem"],
            # next record: an INN no company has
            ["09999999999999", "nurlan@demo.example", "Садыков", "Нурлан", "", "Председатель", "nurlan.pem"],
        ],
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    bad_line = next(number for number, line in enumerate(lines, 1) if line.startswith("09999999999999"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import-certificates", str(path), "--no-progress", stderr=err)

    assert bad_line > 10  # the inline PEM of the first record spans many physical lines
    assert f"line {bad_line}: no company with INN 09999999999999 is registered" in err.getvalue()
    assert not Certificate.objects.exists()
    assert not User.objects.filter(email__in=["erlan@demo.example", "olga@demo.example"]).exists()
    assert not AuditEvent.objects.filter(action__startswith="certificate.").exists()


def test_bad_rows_are_reported_with_line_number_and_reason(tmp_path, token_certificate):  # type: ignore[no-untyped-def]
    trade = CompanyFactory(inn="01506201810202")
    foreign_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Someone else's CA")])
    now = dt.datetime.now(dt.UTC)
    foreign = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(foreign_key.public_key())
        .serial_number(7).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(foreign_key, hashes.SHA256())
    )  # fmt: skip
    twice = token_certificate(email="erlan@demo.example", inn=trade.inn)
    (tmp_path / "twice.pem").write_text(pem(twice))
    for name in ("x", "n"):
        (tmp_path / f"{name}.pem").write_text(
            pem(token_certificate(email=f"{name}@demo.example", inn=trade.inn))
        )
    path = write_csv(
        tmp_path / "certs.csv",
        [
            [
                trade.inn,
                "erlan@demo.example",
                "Токтогулов",
                "Эрлан",
                "",
                "Директор",
                "twice.pem",
            ],  # line 2 ok
            ["0150620181020", "x@demo.example", "X", "Y", "", "", "x.pem"],  # line 3: INN of 13 digits
            [trade.inn, "not-an-email", "X", "Y", "", "", "n.pem"],  # line 4
            [
                trade.inn,
                "erlan@demo.example",
                "Токтогулов",
                "Эрлан",
                "",
                "",
                "twice.pem",
            ],  # line 5: same cert
            [trade.inn, "z@demo.example", "X", "Y", "", "", "missing.pem"],  # line 6
            [trade.inn, "z@demo.example", "X", "Y", "", "", pem(foreign)],  # line 7
        ],
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="5 bad row"):
        call_command("import-certificates", str(path), "--no-progress", stdout=out, stderr=err)
    report = err.getvalue()
    assert "line 3: The INN must have exactly 14 digits; you entered 13." in report
    assert "line 4: not-an-email is not a valid e-mail address" in report
    assert "line 5: the same certificate is already on line 2" in report
    assert "line 6: certificate file missing.pem not found" in report
    assert "line 7: it was not issued by this operator's certification authority" in report
    assert "line 2:" not in report
    assert not Certificate.objects.exists()


def test_good_csv_imports_every_certificate_on_token_with_new_holders(tmp_path, token_certificate):  # type: ignore[no-untyped-def]
    trade = CompanyFactory(inn="01506201810202", legal_name="ОсОО «Нарын Трейд»")
    existing = holder(company=trade, email="olga@demo.example")
    erlan_cert = token_certificate(email="erlan@demo.example", inn=trade.inn)
    olga_cert = token_certificate(
        email="olga@demo.example", inn=trade.inn, full_name="Проверкина Проверка Проверковна"
    )
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "olga.der").write_bytes(olga_cert.public_bytes(Encoding.DER))
    path = write_csv(
        tmp_path / "certs.csv",
        [
            [
                trade.inn,
                "Erlan@Demo.Example",
                "Токтогулов",
                "Эрлан",
                "Маратович",
                "Генеральный директор",
                pem(erlan_cert),
            ],
            [trade.inn, "olga@demo.example", "", "", "", "", "certs/olga.der"],
        ],
    )
    out, _err = run_import(path)

    assert "Imported 2 certificate(s)." in out
    erlan = User.objects.get(email="erlan@demo.example")
    assert (erlan.surname, erlan.given_name, erlan.patronymic) == ("Токтогулов", "Эрлан", "Маратович")
    assert not erlan.has_usable_password()
    assert Membership.objects.get(user=erlan, company=trade).role == Membership.Role.SIGNER
    imported = {c.owner.email: c for c in Certificate.objects.select_related("owner")}
    assert set(imported) == {"erlan@demo.example", "olga@demo.example"}
    assert imported["olga@demo.example"].owner == existing
    assert all(c.storage == Certificate.Storage.TOKEN and c.key is None for c in imported.values())
    assert imported["erlan@demo.example"].serial_number == erlan_cert.serial_number
    assert imported["erlan@demo.example"].position == "Генеральный директор"
    assert AuditEvent.objects.filter(action="certificate.record").count() == 2

    with pytest.raises(CommandError, match="2 bad row"):  # importing the same file again changes nothing
        run_import(path)
    assert Certificate.objects.count() == 2


def test_pem_bundle_is_matched_by_email_and_inn(tmp_path, token_certificate):  # type: ignore[no-untyped-def]
    trade = CompanyFactory(inn="01506201810202")
    other = CompanyFactory(inn="02203201710303")
    erlan = holder(company=trade, email="erlan@demo.example")
    Membership.objects.create(user=erlan, company=other, role=Membership.Role.SIGNER, position="Подписант")
    first = token_certificate(email="erlan@demo.example", inn=other.inn)
    unknown = token_certificate(email="nobody@demo.example", inn=trade.inn)
    path = tmp_path / "bundle.pem"
    path.write_text("# exported from the old registry\n" + pem(first) + pem(unknown))

    with pytest.raises(CommandError, match="1 bad row"):
        run_import(path)
    assert not Certificate.objects.exists()

    path.write_text(pem(first))
    run_import(path)
    certificate = Certificate.objects.get()
    assert (certificate.owner, certificate.company, certificate.storage) == (erlan, other, "token")


def test_pem_bundle_reports_unknown_user_with_the_line_of_its_block(tmp_path, token_certificate):  # type: ignore[no-untyped-def]
    UserFactory(email="erlan@demo.example")
    trade = CompanyFactory(inn="01506201810202")
    certificate = token_certificate(email="nobody@demo.example", inn=trade.inn)
    path = tmp_path / "bundle.pem"
    path.write_text("\n\n" + pem(certificate))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-certificates", str(path), "--no-progress", stderr=err)
    assert "line 3: no user with e-mail nobody@demo.example" in err.getvalue()


def test_storage_cloud_requires_the_holders_matching_cloud_key(tmp_path, token_certificate, aigul, company):  # type: ignore[no-untyped-def]
    from uzart.keystore.services import key_generate, key_public

    key = key_generate(owner=aigul, pin="864209", label="EDS", algorithm="ec-p256")
    path = tmp_path / "certs.csv"
    path.write_text(
        "inn,email,surname,given_name,patronymic,position,certificate,storage\n"
        f"{company.inn},{aigul.email},,,,,other.pem,cloud\n",
        encoding="utf-8",
    )
    (tmp_path / "other.pem").write_text(pem(token_certificate(email=aigul.email, inn=company.inn)))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-certificates", str(path), "--no-progress", stderr=err)
    assert (
        "line 2: storage is cloud but the holder has no cloud key matching the certificate" in err.getvalue()
    )

    (tmp_path / "other.pem").write_text(
        pem(token_certificate(email=aigul.email, inn=company.inn, public_key=key_public(key=key)))
    )
    run_import(path)
    restored = Certificate.objects.get()
    assert (restored.storage, restored.key, restored.owner) == ("cloud", key, aigul)
