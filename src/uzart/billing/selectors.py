"""Every read of billing that views, commands and other apps need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from uzart.accounts.models import Company, Membership, User
from uzart.accounts.selectors import company_search
from uzart.billing.errors import TariffNotFound
from uzart.billing.models import CompanyAccount, LedgerEntry, Tariff
from uzart.clock import BISHKEK, to_bishkek
from uzart.errors import NotFound, PermissionDenied

# Who may see a company's balance and statement besides operator staff.
BILLING_ROLES = (Membership.Role.HEAD, Membership.Role.ACCOUNTANT)


def tariff_current(*, service: str, role: str | None, at: dt.datetime) -> Tariff:
    """The tariff in effect at ``at``: the role's own price if the operator set one, else the any-role price."""
    day = to_bishkek(at).date()
    base = Tariff.objects.for_service(service).effective_on(day)
    tariff = None
    if role:
        tariff = base.for_role(role).first()
    if tariff is None:
        tariff = base.for_role(None).first()
    if tariff is None:
        raise TariffNotFound()
    return tariff


def tariff_list_current(*, at: dt.datetime) -> list[Tariff]:
    """Every tariff in effect at ``at``: one per service and role (any-role first)."""
    day = to_bishkek(at).date()
    current: dict[tuple[str, str], Tariff] = {}
    for tariff in Tariff.objects.effective_on(day):  # newest first
        current.setdefault((tariff.service, tariff.role or ""), tariff)
    service_order = {value: index for index, value in enumerate(Tariff.Service.values)}
    return sorted(current.values(), key=lambda t: (service_order[t.service], t.role or ""))


def account_get_for_user(*, user: User, company_id: int) -> CompanyAccount:
    """The company's account if ``user`` is its head or accountant, or operator staff.

    Raises NotFound for an unknown company and PermissionDenied for anyone else. A company without
    entries yet gets an unsaved account with a zero balance (reads never create rows).
    """
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound()
    if not getattr(user, "is_operator", False) and (
        not user.is_authenticated
        or not Membership.objects.filter(user=user, company=company, role__in=BILLING_ROLES).exists()
    ):
        raise PermissionDenied()
    account = CompanyAccount.objects.filter(company=company).select_related("company").first()
    return account or CompanyAccount(company=company, balance=0)


def account_balance_get(*, company: Company) -> int:
    """The company's balance in tyiyn (0 when it has no account yet)."""
    balance = CompanyAccount.objects.filter(company=company).values_list("balance", flat=True).first()
    return balance or 0


def company_list_for_billing(*, user: User) -> QuerySet[Company]:
    """Companies whose balance the user may see (as head or accountant), with ``balance`` annotated."""
    companies = Company.objects.filter(memberships__user=user, memberships__role__in=BILLING_ROLES)
    return _with_balance(companies.distinct())


def account_search(*, query: str = "") -> QuerySet[Company]:
    """All companies for operator staff, searched by INN prefix or name, with ``balance`` annotated."""
    return _with_balance(company_search(query=query))


def _with_balance(companies: QuerySet[Company]) -> QuerySet[Company]:
    return companies.annotate(
        balance=Coalesce(F("billing_account__balance"), Value(0), output_field=BigIntegerField())
    ).order_by("legal_name")


@dataclass(frozen=True)
class Statement:
    company: Company
    entries: list[LedgerEntry]
    opening_balance: int
    closing_balance: int
    credits: int
    debits: int
    date_from: dt.date | None
    date_to: dt.date | None


def bishkek_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Bishkek calendar day, as an aware instant."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=BISHKEK)


def statement_get(
    *, company: Company, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> Statement:
    """The company's entries between two Bishkek dates (both inclusive, either open), with totals."""
    start = bishkek_day_start(date_from) if date_from else None
    end = bishkek_day_start(date_to + dt.timedelta(days=1)) if date_to else None
    all_entries = LedgerEntry.objects.for_company(company.pk)
    entries = list(
        all_entries.between(start, end).select_related("actor", "refund_of").order_by("created_at", "id")
    )
    opening = 0
    if start is not None:
        opening = all_entries.filter(created_at__lt=start).aggregate(total=Sum("amount"))["total"] or 0
    credits = sum(e.amount for e in entries if e.amount > 0)
    debits = sum(e.amount for e in entries if e.amount < 0)
    return Statement(
        company=company,
        entries=entries,
        opening_balance=opening,
        closing_balance=opening + credits + debits,
        credits=credits,
        debits=debits,
        date_from=date_from,
        date_to=date_to,
    )


def ledger_entry_get(*, entry_id: int) -> LedgerEntry:
    """One ledger entry by id, or NotFound."""
    entry = LedgerEntry.objects.select_related("account__company").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    return entry


@dataclass(frozen=True)
class Drift:
    company_inn: str
    company_name: str
    cached: int
    entries_sum: int

    @property
    def difference(self) -> int:
        return self.cached - self.entries_sum


def ledger_reconcile() -> tuple[int, list[Drift]]:
    """Compare each cached balance with the sum of its entries; return (accounts checked, drifts)."""
    accounts = CompanyAccount.objects.select_related("company").annotate(
        entries_sum=Coalesce(Sum("entries__amount"), Value(0), output_field=BigIntegerField())
    )
    checked = accounts.count()
    drifts = [
        Drift(a.company.inn, a.company.legal_name, a.balance, a.entries_sum)
        for a in accounts.filter(~Q(balance=F("entries_sum"))).order_by("company__inn")
    ]
    return checked, drifts


def ledger_key_used(*, idempotency_key: str) -> bool:
    """True when an entry was already recorded under this idempotency key."""
    return LedgerEntry.objects.filter(idempotency_key=idempotency_key).exists()
