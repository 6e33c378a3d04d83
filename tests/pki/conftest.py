"""Fixtures of the CA tests: an initialised CA, holders, and files for openssl and pkilint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tests.factories import CompanyFactory, holder

HOLDER_PIN = "864209"


@pytest.fixture
def ca(db):  # type: ignore[no-untyped-def]
    """The issuing CA (its parent is the root), with keys in the keystore."""
    from uzart.pki.services import ca_init

    _root, issuing, _created = ca_init(organization="ОсОО «Ала-Тоо Отчет»")
    return issuing


@pytest.fixture
def company(db):  # type: ignore[no-untyped-def]
    return CompanyFactory(inn="02412201910101", legal_name="ОсОО «Тоо Булак»")


@pytest.fixture
def aigul(company):  # type: ignore[no-untyped-def]
    return holder(
        company=company,
        email="aigul@demo.example",
        surname="Асанова",
        given_name="Айгуль",
        patronymic="Бакытовна",
    )


@pytest.fixture
def enrol(ca, company):  # type: ignore[no-untyped-def]
    """Enrol a holder with a cloud key; validity defaults to now .. now + 1 year."""
    from uzart import clock
    from uzart.pki.services import certificate_enrol

    def make(user, *, not_before=None, not_after=None, algorithm="ec-p256", **kwargs):  # type: ignore[no-untyped-def]
        start = not_before or clock.now().replace(microsecond=0)
        return certificate_enrol(
            user=user,
            company=kwargs.pop("company", company),
            pin=HOLDER_PIN,
            not_before=start,
            not_after=not_after or start + dt.timedelta(days=365),
            algorithm=algorithm,
            **kwargs,
        )

    return make


def write_pem(path: Path, *certificates: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in certificates))
    return path


@pytest.fixture
def pki_files(ca, tmp_path):  # type: ignore[no-untyped-def]
    """root.pem, issuing.pem and chain.pem (issuing + root) in a temporary folder."""
    root, issuing = ca.parent.certificate, ca.certificate
    return {
        "root": write_pem(tmp_path / "root.pem", root),
        "issuing": write_pem(tmp_path / "issuing.pem", issuing),
        "chain": write_pem(tmp_path / "chain.pem", issuing, root),
        "dir": tmp_path,
    }
