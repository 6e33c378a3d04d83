"""Fixtures of the statistics tests: renewal requests built row by row with only the fields stats read."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from tests.factories import holder
from uzart.accounts.models import User
from uzart.keystore.models import CloudKey
from uzart.pki.models import Certificate, CertificateAuthority
from uzart.renewals.models import Channel, RenewalRequest, Status

UTC = dt.UTC
_numbers = itertools.count(1)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


@pytest.fixture
def certificate(db) -> Certificate:
    """A token certificate of a holder at «ОсОО «Жашыл Талаа»»; the stats never read its contents."""
    owner = holder(surname="Токтогулова", given_name="Назира", patronymic="")
    company = owner.memberships.get().company
    company.legal_name = "ОсОО «Жашыл Талаа»"
    company.save(update_fields=["legal_name"])
    key = CloudKey.objects.create(
        purpose=CloudKey.Purpose.CA,
        label="stats test CA",
        backend="default",
        key_ref="stats-test-ca",
        algorithm=CloudKey.Algorithm.EC_P256,
        public_key_der=b"\x00",
    )
    authority = CertificateAuthority.objects.create(
        name="stats-test",
        role=CertificateAuthority.Role.ROOT,
        key=key,
        certificate_der=b"\x00",
        serial="01",
        subject="CN=Stats test CA",
        not_before=utc(2020, 1, 1),
        not_after=utc(2040, 1, 1),
    )
    return Certificate.objects.create(
        owner=owner,
        company=company,
        storage=Certificate.Storage.TOKEN,
        issuer=authority,
        serial="0a",
        der=b"\x00",
        common_name=owner.full_name,
        spki_sha256="0" * 64,
        not_before=utc(2025, 4, 1),
        not_after=utc(2026, 4, 1),
    )


@pytest.fixture
def renewal(certificate):
    """Make one request; many final ones may share the certificate (only open ones are unique)."""

    def make(
        *,
        channel: str = Channel.REMOTE,
        status: str = Status.ISSUED,
        submitted_at: dt.datetime,
        decided_at: dt.datetime | None = None,
        decided_by: User | None = None,
        last_day_to_send: dt.date = dt.date(2026, 12, 31),
    ) -> RenewalRequest:
        number = next(_numbers)
        return RenewalRequest.objects.create(
            number=f"S-{number}",
            idempotency_key=f"stats-{number}",
            certificate=certificate,
            holder=certificate.owner,
            company=certificate.company,
            channel=channel,
            status=status,
            full_name=certificate.owner.full_name,
            company_name=certificate.company.legal_name,
            company_inn=certificate.company.inn,
            old_not_after=certificate.not_after,
            last_day_to_send=last_day_to_send,
            new_not_before=certificate.not_after,
            new_not_after=certificate.not_after + dt.timedelta(days=365),
            submitted_at=submitted_at,
            decided_at=decided_at,
            decided_by=decided_by,
        )

    return make
