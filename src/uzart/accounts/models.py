"""Users, companies, memberships with roles, and the operator's public profile."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart.accounts.validators import validate_inn


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("staff_role", User.StaffRole.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a company's holder or accountant, or an operator's staff member."""

    class StaffRole(models.TextChoices):
        NONE = "", _("Not operator staff")
        SPECIALIST = "specialist", _("Operator specialist")
        ADMIN = "admin", _("Operator administrator")

    email = models.EmailField(_("e-mail"), unique=True)
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    staff_role = models.CharField(_("operator role"), max_length=16, choices=StaffRole.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), auto_now_add=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["surname", "given_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["surname", "given_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """Surname, given name and patronymic, as written on documents."""
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.given_name

    @property
    def is_staff(self) -> bool:
        """Only operator administrators may enter the Django admin."""
        return self.is_active and self.staff_role == self.StaffRole.ADMIN

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        return self.is_operator_admin or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_operator_admin or super().has_module_perms(app_label)

    @property
    def is_operator(self) -> bool:
        return self.is_active and self.staff_role in {self.StaffRole.SPECIALIST, self.StaffRole.ADMIN}

    @property
    def is_operator_admin(self) -> bool:
        return self.is_staff


class Company(models.Model):
    """A customer company of the operator, identified by its 14-digit INN."""

    class LegalForm(models.TextChoices):
        LLC = "llc", _("Limited liability company (LLC)")
        JSC = "jsc", _("Joint-stock company (JSC)")
        SOLE = "ie", _("Individual entrepreneur")
        PUBLIC = "public", _("Public institution")
        NGO = "ngo", _("Public association / foundation")
        OTHER = "other", _("Other")

    inn = models.CharField(
        _("INN"),
        max_length=14,
        unique=True,
        validators=[validate_inn],
        error_messages={"unique": _("A company with this INN is already registered.")},
    )
    legal_name = models.CharField(_("legal name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(inn__regex=r"^[0-9]{14}$"), name="company_inn_is_14_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.inn})"


class Membership(models.Model):
    """A user's role in a company: head, accountant or signer."""

    class Role(models.TextChoices):
        HEAD = "head", _("Head")
        ACCOUNTANT = "accountant", _("Accountant")
        SIGNER = "signer", _("Signer")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    position = models.CharField(_("position"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "company", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.company.legal_name}"

    @property
    def is_holder_role(self) -> bool:
        """Heads and signers hold an EDS; accountants do not."""
        return self.role in {self.Role.HEAD, self.Role.SIGNER}


class OperatorProfile(models.Model):
    """The e-reporting operator's public details; one row, edited by operator admins."""

    name = models.CharField(_("operator name"), max_length=200)
    support_email = models.EmailField(_("support e-mail"))
    phones = models.CharField(_("phones"), max_length=300, help_text=_("Separate numbers with commas."))
    office_address = models.CharField(_("office address"), max_length=300)
    working_hours = models.CharField(_("working hours"), max_length=200)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("operator profile")
        verbose_name_plural = _("operator profile")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_list(self) -> list[str]:
        return [phone.strip() for phone in self.phones.split(",") if phone.strip()]
