"""Two Sign posts at the same moment (PostgreSQL row locks): one request, one debit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.renewals.conftest import PIN, REMOTE_PRICE
from uzart.billing.models import LedgerEntry
from uzart.billing.selectors import account_balance_get
from uzart.renewals import services
from uzart.renewals.models import RenewalRequest

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(world, keys: list[str]) -> list[tuple[int, bool]]:
    barrier = threading.Barrier(len(keys))
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def sign(key: str) -> None:
        try:
            barrier.wait(timeout=30)
            request, created = services.renewal_submit(
                user=world.holder, pin=PIN, idempotency_key=key, details_confirmed=True
            )
            results.append((request.pk, created))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.parametrize(
    "keys",
    [["same-key-" + "x" * 20] * 2, ["tab-one-" + "y" * 20, "tab-two-" + "z" * 20]],
    ids=["double-click", "two-tabs"],
)
def test_two_concurrent_sign_posts_make_one_request_and_one_debit(world, keys):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    results = _race(world, keys)
    assert len(results) == 2
    assert len({pk for pk, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, True]
    assert RenewalRequest.objects.count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DEBIT).count() == 1
    assert account_balance_get(company=world.company) == 1_000_000 - REMOTE_PRICE
