"""DESIGN rule 4 (renewal validity) and rule 11 (in force is read from the dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from uzart.clock import BISHKEK
from uzart.pki.validity import renewal_validity

UTC = dt.UTC
US = dt.timedelta(microseconds=1)


def bishkek(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BISHKEK)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old_not_after", "expected_not_after"),
    [
        # a normal date: same date and time of day one year later
        (dt.datetime(2026, 11, 27, 9, 30, 15, tzinfo=UTC), dt.datetime(2027, 11, 27, 9, 30, 15, tzinfo=UTC)),
        # 29 February (Bishkek) -> 28 February of the common year, same time of day
        (bishkek(2028, 2, 29, 12, 0), bishkek(2029, 2, 28, 12, 0)),
        (dt.datetime(2028, 2, 29, 10, 0, tzinfo=UTC), dt.datetime(2029, 2, 28, 10, 0, tzinfo=UTC)),
        # 28 February of a year before a leap year stays 28 February
        (bishkek(2027, 2, 28, 8, 0), bishkek(2028, 2, 28, 8, 0)),
        # 29 February in Bishkek although still 28 February in UTC: Bishkek's calendar decides
        (bishkek(2028, 2, 29, 2, 0), bishkek(2029, 2, 28, 2, 0)),
        # 1 March in Bishkek although still 29 February in UTC: stays 1 March
        (bishkek(2028, 3, 1, 3, 0), bishkek(2029, 3, 1, 3, 0)),
        # year end and midnight
        (bishkek(2026, 12, 31, 23, 59, 59), bishkek(2027, 12, 31, 23, 59, 59)),
        (bishkek(2027, 1, 1, 0, 0), bishkek(2028, 1, 1, 0, 0)),
    ],
)
def test_renewal_validity_starts_at_old_expiry_and_ends_same_date_next_year(
    old_not_after, expected_not_after
):  # type: ignore[no-untyped-def]
    not_before, not_after = renewal_validity(old_not_after=old_not_after)
    assert not_before == old_not_after  # no gap, no overlap
    assert not_after == expected_not_after
    assert not_before.tzinfo is not None and not_after.utcoffset() == dt.timedelta(0)


def test_renewal_validity_refuses_naive_datetimes():  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        renewal_validity(old_not_after=dt.datetime(2026, 1, 1))


def test_in_force_boundaries(enrol, aigul):  # type: ignore[no-untyped-def]
    from uzart.pki.models import Certificate

    certificate = enrol(aigul)
    start, end = certificate.not_before, certificate.not_after

    def in_force(at: dt.datetime) -> bool:
        return Certificate.objects.in_force(at=at).filter(pk=certificate.pk).exists()

    assert not in_force(start - US)
    assert in_force(start)
    assert in_force(end - US)
    assert not in_force(end)
    assert certificate.is_in_force(at=end - US) and not certificate.is_in_force(at=end)


def test_revoked_certificate_is_in_force_before_revocation_only(enrol, aigul):  # type: ignore[no-untyped-def]
    import time_machine

    from uzart.pki.models import Certificate
    from uzart.pki.services import certificate_revoke

    certificate = enrol(aigul)
    revoke_at = certificate.not_before + dt.timedelta(days=10)
    with time_machine.travel(revoke_at, tick=False):
        certificate_revoke(certificate=certificate, reason="superseded", actor=None)
    assert certificate.revoked_at == revoke_at
    qs = Certificate.objects.filter(pk=certificate.pk)
    assert qs.in_force(at=revoke_at - US).exists()
    assert not qs.in_force(at=revoke_at).exists()


def test_successor_starting_at_old_not_after_is_the_active_one_at_that_instant(enrol, aigul):  # type: ignore[no-untyped-def]
    from uzart.pki.selectors import certificate_active_for

    old = enrol(aigul)
    not_before, not_after = renewal_validity(old_not_after=old.not_after)
    new = enrol(aigul, not_before=not_before, not_after=not_after, predecessor=old)

    assert new.not_before == old.not_after
    assert certificate_active_for(user=aigul, at=old.not_after - US) == old
    assert certificate_active_for(user=aigul, at=old.not_after) == new
    assert certificate_active_for(user=aigul, at=new.not_after) is None
    assert new.predecessor == old


def test_queryset_filters_chain(enrol, aigul, company):  # type: ignore[no-untyped-def]
    from tests.factories import holder
    from uzart.pki.models import Certificate

    mine = enrol(aigul)
    other = enrol(holder(company=company), not_after=mine.not_before + dt.timedelta(days=30))

    soon = Certificate.objects.expiring_between(mine.not_before, mine.not_before + dt.timedelta(days=31))
    assert list(soon) == [other]
    assert list(Certificate.objects.cloud().for_owner(aigul)) == [mine]
    assert not Certificate.objects.on_token().exists()
    assert set(Certificate.objects.in_force(at=mine.not_before).cloud()) == {mine, other}
