"""Writes of accounts: companies, users, memberships, language, operator profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from uzart.accounts.models import Company, Membership, OperatorProfile, User
from uzart.audit.services import audit_record
from uzart.errors import ValidationFailed


def _full_clean(instance: Any, **kwargs: Any) -> None:
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        error = ValidationFailed(" ".join(str(m) for m in exc.messages))
        error.errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}  # type: ignore[attr-defined]
        raise error from None


@transaction.atomic
def company_create(*, inn: str, legal_name: str, legal_form: str, actor: User | None = None) -> Company:
    """Register a company after validating its INN, name and legal form."""
    company = Company(inn=inn, legal_name=legal_name.strip(), legal_form=legal_form)
    _full_clean(company)
    company.save()
    audit_record(actor=actor, action="company.create", target=company, data={"inn": inn})
    return company


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    surname: str,
    given_name: str,
    patronymic: str = "",
    phone: str = "",
    preferred_language: str = settings.LANGUAGE_CODE,
    staff_role: str = "",
    actor: User | None = None,
) -> User:
    """Create a user with an argon2-hashed password."""
    user = User(
        email=User.objects.normalize_email(email).lower(),
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        phone=phone,
        preferred_language=preferred_language,
        staff_role=staff_role,
    )
    user.set_password(password)
    _full_clean(user)
    user.save()
    audit_record(actor=actor, action="user.create", target=user, data={"email": user.email})
    return user


@transaction.atomic
def membership_add(
    *, user: User, company: Company, role: str, position: str = "", actor: User | None = None
) -> Membership:
    """Give a user a role in a company (idempotent for the same role)."""
    membership, created = Membership.objects.get_or_create(
        user=user, company=company, role=role, defaults={"position": position}
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.add",
            target=membership,
            data={"role": role, "company": company.inn},
        )
    return membership


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's interface language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed()
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def operator_profile_save(*, actor: User | None, **fields: str) -> OperatorProfile:
    """Create or update the single operator profile row."""
    profile = OperatorProfile.objects.select_for_update().order_by("pk").first() or OperatorProfile()
    for name, value in fields.items():
        setattr(profile, name, value)
    _full_clean(profile)
    profile.save()
    audit_record(actor=actor, action="operator_profile.save", target=profile, data=dict(fields))
    return profile
