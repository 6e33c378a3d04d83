"""Reads of accounts: the operator profile, a user's companies and roles."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from uzart.accounts.models import Company, Membership, OperatorProfile, User


def operator_profile_get() -> OperatorProfile:
    """Return the operator profile; an unsaved placeholder until an admin fills it in."""
    profile = OperatorProfile.objects.order_by("pk").first()
    if profile is None:
        profile = OperatorProfile(
            name=str(_("E-reporting operator")),
            support_email="support@example.invalid",
            phones="",
            office_address="",
            working_hours="",
        )
    return profile


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """Return the user's memberships with their companies."""
    return Membership.objects.filter(user=user).select_related("company").order_by("company__legal_name")


def company_list_for_user(*, user: User) -> QuerySet[Company]:
    """Return the companies the user belongs to."""
    return Company.objects.filter(memberships__user=user).distinct().order_by("legal_name")


def user_is_holder(*, user: User) -> bool:
    """True when the user is a head or signer of some company (and so holds an EDS)."""
    return Membership.objects.filter(
        user=user, role__in=[Membership.Role.HEAD, Membership.Role.SIGNER]
    ).exists()


def user_is_accountant(*, user: User, company: Company | None = None) -> bool:
    """True when the user is an accountant (or head) of the company, or of any company."""
    qs = Membership.objects.filter(user=user, role__in=[Membership.Role.ACCOUNTANT, Membership.Role.HEAD])
    if company is not None:
        qs = qs.filter(company=company)
    return qs.exists()


def company_search(*, query: str = "") -> QuerySet[Company]:
    """Return companies whose INN starts with, or whose name contains, the query."""
    qs = Company.objects.all()
    query = query.strip()
    if query:
        qs = qs.filter(inn__startswith=query) if query.isdigit() else qs.filter(legal_name__icontains=query)
    return qs.order_by("legal_name")
