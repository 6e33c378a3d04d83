"""The numbers of the statistics, for hand-built sets of renewal requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.factories import holder, operator_admin, specialist
from tests.stats.conftest import utc
from uzart.errors import PermissionDenied, ValidationFailed
from uzart.renewals.models import Channel, RenewalRequest, Status
from uzart.stats.selectors import median_duration, median_duration_by_offset, renewal_stats

APRIL_15 = utc(2026, 4, 15, 6, 0)
H = dt.timedelta(hours=1)


def month_counts(stats) -> dict[dt.date, tuple[int, int]]:
    return {row.month: (row.remote, row.office) for row in stats.months if row.total}


@pytest.mark.django_db
def test_issued_renewals_are_counted_per_month_remote_and_office_apart(renewal):
    boss = specialist()
    sent = utc(2026, 3, 2, 4, 0)
    renewal(channel=Channel.REMOTE, submitted_at=sent, decided_at=utc(2026, 3, 3, 5, 0), decided_by=boss)
    renewal(channel=Channel.REMOTE, submitted_at=sent, decided_at=utc(2026, 3, 10, 5, 0), decided_by=boss)
    renewal(channel=Channel.DOCUMENTS, submitted_at=sent, decided_at=utc(2026, 3, 11, 5, 0), decided_by=boss)
    renewal(channel=Channel.OFFICE, submitted_at=sent, decided_at=sent, decided_by=boss)
    renewal(channel=Channel.OFFICE, submitted_at=utc(2026, 4, 2), decided_at=utc(2026, 4, 2), decided_by=boss)
    renewal(
        channel=Channel.REMOTE, submitted_at=utc(2025, 11, 3), decided_at=utc(2025, 11, 5), decided_by=boss
    )
    # Not renewals: rejected, cancelled, still open; and one issued before the twelve months.
    renewal(status=Status.REJECTED, submitted_at=sent, decided_at=utc(2026, 3, 4), decided_by=boss)
    renewal(status=Status.CANCELLED, submitted_at=sent, decided_at=utc(2026, 3, 4))
    renewal(status=Status.SUBMITTED, submitted_at=sent)
    renewal(
        channel=Channel.OFFICE, submitted_at=utc(2025, 4, 20), decided_at=utc(2025, 4, 20), decided_by=boss
    )

    stats = renewal_stats(user=holder(), at=APRIL_15)

    assert stats.first_month == dt.date(2025, 5, 1) and stats.last_month == dt.date(2026, 4, 1)
    assert len(stats.months) == 12
    assert [row.month for row in stats.months][:2] == [dt.date(2025, 5, 1), dt.date(2025, 6, 1)]
    assert month_counts(stats) == {
        dt.date(2025, 11, 1): (1, 0),
        dt.date(2026, 3, 1): (3, 1),
        dt.date(2026, 4, 1): (0, 1),
    }
    assert (stats.remote_total, stats.office_total, stats.total) == (4, 2, 6)


@pytest.mark.django_db
def test_a_decision_late_on_march_31_utc_counts_in_april_in_bishkek(renewal):
    sent = utc(2026, 3, 20, 4, 0)
    renewal(submitted_at=sent, decided_at=utc(2026, 3, 31, 20, 0))  # 1 April 02:00 in Bishkek
    renewal(submitted_at=sent, decided_at=utc(2026, 3, 31, 17, 59))  # 31 March 23:59 in Bishkek

    stats = renewal_stats(user=holder(), at=APRIL_15)
    assert month_counts(stats) == {dt.date(2026, 3, 1): (1, 0), dt.date(2026, 4, 1): (1, 0)}

    april_only = renewal_stats(user=holder(), months=1, at=APRIL_15)
    assert april_only.months[0].month == dt.date(2026, 4, 1)
    assert april_only.remote_total == 1


@pytest.mark.django_db
def test_the_current_month_is_the_bishkek_month_of_the_moment_asked(renewal):
    renewal(submitted_at=utc(2026, 3, 31, 19, 0), decided_at=utc(2026, 3, 31, 19, 30))
    # 31 March 19:00 UTC is already 1 April in Bishkek: the period ends with April.
    stats = renewal_stats(user=holder(), months=1, at=utc(2026, 3, 31, 19, 0))
    assert stats.last_month == dt.date(2026, 4, 1)
    assert stats.remote_total == 1


@pytest.mark.django_db
def test_median_processing_of_an_odd_count_is_the_middle_one(renewal):
    sent = utc(2026, 3, 2, 4, 0)
    for hours in (50, 1, 5):
        renewal(submitted_at=sent, decided_at=sent + hours * H)
    renewal(channel=Channel.OFFICE, submitted_at=sent, decided_at=sent + 900 * H)  # office: not counted
    renewal(status=Status.REJECTED, submitted_at=sent, decided_at=sent + 2 * H)  # rejected: not counted

    assert renewal_stats(user=holder(), at=APRIL_15).median_processing == 5 * H


@pytest.mark.django_db
def test_median_processing_of_an_even_count_is_the_mean_of_the_two_middle_ones(renewal):
    sent = utc(2026, 3, 2, 4, 0)
    for minutes in (60, 100 * 60, 3 * 60, 5 * 60 + 30):
        renewal(submitted_at=sent, decided_at=sent + dt.timedelta(minutes=minutes))

    assert renewal_stats(user=holder(), at=APRIL_15).median_processing == dt.timedelta(hours=4, minutes=15)


@pytest.mark.django_db
def test_median_processing_is_none_without_remote_renewals(renewal):
    renewal(channel=Channel.OFFICE, submitted_at=utc(2026, 3, 2), decided_at=utc(2026, 3, 2))
    stats = renewal_stats(user=holder(), at=APRIL_15)
    assert stats.median_processing is None
    assert stats.in_time_share is None and stats.in_time_percent is None


@pytest.mark.django_db
def test_share_sent_in_time_counts_requests_sent_on_the_last_day_in_bishkek(renewal):
    last_day = dt.date(2026, 3, 17)
    decided = utc(2026, 3, 20, 5, 0)
    renewal(submitted_at=utc(2026, 3, 10, 5, 0), decided_at=decided, last_day_to_send=last_day)
    # 17 March 23:30 in Bishkek: the last day itself is in time.
    renewal(submitted_at=utc(2026, 3, 17, 17, 30), decided_at=decided, last_day_to_send=last_day)
    # 18 March 00:30 in Bishkek (still 17 March in UTC): late.
    renewal(submitted_at=utc(2026, 3, 17, 18, 30), decided_at=decided, last_day_to_send=last_day)
    # Documents sent after the last day: late, and remote.
    renewal(
        channel=Channel.DOCUMENTS,
        submitted_at=utc(2026, 3, 19),
        decided_at=decided,
        last_day_to_send=last_day,
    )
    # Office renewals have no sending deadline to meet and are left out.
    renewal(channel=Channel.OFFICE, submitted_at=decided, decided_at=decided, last_day_to_send=last_day)

    stats = renewal_stats(user=holder(), at=APRIL_15)
    assert (stats.remote_in_time, stats.remote_total) == (2, 4)
    assert stats.in_time_share == 0.5 and stats.in_time_percent == 50


@pytest.mark.django_db
def test_holders_see_anonymous_totals_without_specialists(renewal):
    boss = specialist(surname="Жумабаева", given_name="Айпери")
    renewal(submitted_at=utc(2026, 3, 2), decided_at=utc(2026, 3, 3), decided_by=boss)

    stats = renewal_stats(user=holder(), at=APRIL_15)

    assert stats.specialists is None
    assert "Жумабаева" not in repr(stats) and "Жашыл" not in repr(stats)


@pytest.mark.django_db
def test_operators_get_issued_and_rejected_counts_per_specialist(renewal):
    aiperi = specialist(surname="Жумабаева", given_name="Айпери", patronymic="")
    bakyt = specialist(surname="Абдыкадыров", given_name="Бакыт", patronymic="Маратович")
    sent = utc(2026, 3, 2)
    for _ in range(3):
        renewal(submitted_at=sent, decided_at=utc(2026, 3, 3), decided_by=aiperi)
    renewal(channel=Channel.OFFICE, submitted_at=sent, decided_at=sent, decided_by=aiperi)
    renewal(status=Status.REJECTED, submitted_at=sent, decided_at=utc(2026, 3, 4), decided_by=aiperi)
    renewal(status=Status.REJECTED, submitted_at=sent, decided_at=utc(2026, 3, 4), decided_by=bakyt)
    renewal(submitted_at=utc(2024, 3, 2), decided_at=utc(2024, 3, 3), decided_by=bakyt)  # outside the period
    renewal(status=Status.CANCELLED, submitted_at=sent, decided_at=utc(2026, 3, 4))

    for reader in (specialist(), operator_admin()):
        rows = renewal_stats(user=reader, at=APRIL_15).specialists
        assert rows is not None
        assert [(row.name, row.issued, row.rejected) for row in rows] == [
            ("Абдыкадыров Бакыт Маратович", 0, 1),
            ("Жумабаева Айпери", 4, 1),
        ]


@pytest.mark.django_db
def test_operators_choose_the_period_in_whole_months(renewal):
    renewal(submitted_at=utc(2025, 1, 10), decided_at=utc(2025, 1, 31, 19, 0))  # 1 February in Bishkek
    renewal(submitted_at=utc(2025, 3, 10), decided_at=utc(2025, 3, 11))
    renewal(submitted_at=utc(2025, 4, 10), decided_at=utc(2025, 4, 11))

    stats = renewal_stats(
        user=specialist(), first_month=dt.date(2025, 2, 14), last_month=dt.date(2025, 3, 2), at=APRIL_15
    )

    assert [row.month for row in stats.months] == [dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    assert [row.remote for row in stats.months] == [1, 1]


@pytest.mark.django_db
def test_holders_cannot_choose_the_period():
    with pytest.raises(PermissionDenied):
        renewal_stats(user=holder(), first_month=dt.date(2025, 1, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "last"),
    [(dt.date(2026, 3, 1), dt.date(2026, 2, 1)), (dt.date(2020, 1, 1), dt.date(2025, 1, 1))],
    ids=["reversed", "longer-than-five-years"],
)
def test_an_impossible_period_is_refused_with_a_message(first, last):
    with pytest.raises(ValidationFailed) as caught:
        renewal_stats(user=specialist(), first_month=first, last_month=last)
    assert str(caught.value)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_requests(renewal, django_assert_num_queries):
    boss = specialist()
    reader = operator_admin()

    def make(count: int) -> None:
        for index in range(count):
            sent = utc(2026, 1 + index % 3, 2 + index % 20, 4, 0)
            renewal(
                channel=[Channel.REMOTE, Channel.OFFICE, Channel.DOCUMENTS][index % 3],
                status=Status.REJECTED if index % 7 == 0 else Status.ISSUED,
                submitted_at=sent,
                decided_at=sent + index * H,
                decided_by=boss,
            )

    make(3)
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 4):
        small = renewal_stats(user=reader, at=APRIL_15)
    make(40)
    with django_assert_num_queries(5 if connection.vendor == "sqlite" else 4):
        large = renewal_stats(user=reader, at=APRIL_15)
    assert large.total > small.total


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_percentile_cont_on_postgresql_agrees_with_the_portable_median(renewal):
    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont is PostgreSQL only")
    sent = utc(2026, 3, 2, 4, 0)
    for minutes in (7, 90, 61, 3000, 45, 600):
        renewal(submitted_at=sent, decided_at=sent + dt.timedelta(minutes=minutes))
    requests = RenewalRequest.objects.all()
    assert median_duration(requests) == median_duration_by_offset(requests) == dt.timedelta(minutes=75.5)
    renewal(submitted_at=sent, decided_at=sent + dt.timedelta(minutes=8))
    assert median_duration(requests) == median_duration_by_offset(requests) == dt.timedelta(minutes=61)
