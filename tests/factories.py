"""factory-boy factories shared by every test package."""

from __future__ import annotations

import factory

from uzart.accounts.models import Company, Membership, User

TEST_PASSWORD = "correct horse battery"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    inn = factory.Sequence(lambda n: f"{10_000_000_000_000 + n:014d}")
    legal_name = factory.Sequence(lambda n: f"ОсОО «Тест {n}»")
    legal_form = Company.LegalForm.LLC


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.example")
    surname = "Проверкина"
    given_name = "Проверка"
    patronymic = "Проверковна"
    preferred_language = "ru"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Membership.Role.HEAD
    position = "Директор"


def holder(**kwargs) -> User:  # type: ignore[no-untyped-def]
    """A company head (an EDS holder) of a new or given company."""
    company = kwargs.pop("company", None) or CompanyFactory()
    role = kwargs.pop("role", Membership.Role.HEAD)
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, company=company, role=role)
    return user


def specialist(**kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(staff_role=User.StaffRole.SPECIALIST, **kwargs)


def operator_admin(**kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(staff_role=User.StaffRole.ADMIN, **kwargs)
