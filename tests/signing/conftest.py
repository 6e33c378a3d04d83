"""Fixtures of the signing tests: a test CA, a holder with an in-memory key, a request document."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.signing.pki import SmallCA
from uzart.signing.documents import RenewalRequestText, render_request_pdf


@pytest.fixture(scope="session")
def ca() -> SmallCA:
    return SmallCA.create()


@pytest.fixture(scope="session")
def holder_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def holder_cert(ca, holder_key):  # type: ignore[no-untyped-def]
    return ca.issue(holder_key.public_key())


@pytest.fixture(scope="session")
def request_text() -> RenewalRequestText:
    return RenewalRequestText(
        full_name="Проверкина Проверка Проверковна",
        position="Руководитель",
        company_name="ОсОО «Тест»",
        company_inn="07777777777777",
        new_expiry=dt.date(2027, 3, 22),
        operator_name="ОсОО «DosTek group»",
        csr_fingerprint="3f" * 32,
        request_number="2026-000123",
        created_at=dt.datetime(2026, 3, 2, 20, 30, tzinfo=dt.UTC),  # 03.03.2026 in Bishkek
    )


@pytest.fixture(scope="session")
def request_pdf(request_text) -> bytes:  # type: ignore[no-untyped-def]
    return render_request_pdf(request_text)
