"""Demo data: a fictional operator, three companies, holders, an accountant and operator staff.

Loading is idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from uzart import clock
from uzart.accounts.models import Company, Membership, OperatorProfile, User
from uzart.accounts.services import company_create, membership_add, operator_profile_save, user_create
from uzart.billing.demo import billing_demo_load
from uzart.pki.models import Certificate
from uzart.pki.services import ca_init, certificate_enrol
from uzart.pki.validity import add_years
from uzart.workdays.selectors import working_day_shift

DEMO_PASSWORD = "uzart-demo-2026"  # noqa: S105 - printed for newcomers; the demo is not production
DEMO_EXPIRY_HOUR = 18  # demo certificates end at 18:00 Bishkek time


@dataclass(frozen=True)
class DemoPerson:
    email: str
    surname: str
    given_name: str
    patronymic: str
    language: str
    company_inn: str | None = None
    role: str = ""
    position: str = ""
    staff_role: str = ""
    note: str = ""
    # When the person's certificate ends, relative to today: ("days", 45) or ("working_days", 2).
    expiry: tuple[str, int] | None = None
    pin: str = ""


DEMO_OPERATOR = {
    "name": "ОсОО «Ала-Тоо Отчет» (demo)",
    "support_email": "office@ala-too-report.example",
    "phones": "+996 312 000 101, +996 700 000 102",
    "office_address": "Бишкек, ул. Примерная 1 (demo)",
    "working_hours": "Пн–Пт 9:00–18:00",
    "website": "",
}

DEMO_COMPANIES = [
    ("02412201910101", "ОсОО «Тоо Булак»", Company.LegalForm.LLC),
    ("01506201810202", "ОсОО «Нарын Трейд»", Company.LegalForm.LLC),
    ("02203201710303", "ОАО «Ысык-Көл Сервис»", Company.LegalForm.JSC),
]

DEMO_PEOPLE = [
    DemoPerson("aigul@demo.example", "Асанова", "Айгуль", "Бакытовна", "ky", "02412201910101",
               Membership.Role.HEAD, "Директор", note="certificate ends in 45 days", expiry=("days", 45), pin="451045"),
    DemoPerson("erlan@demo.example", "Токтогулов", "Эрлан", "Маратович", "ru", "01506201810202",
               Membership.Role.HEAD, "Генеральный директор", note="certificate ends in 20 days",
               expiry=("days", 20), pin="202020"),
    DemoPerson("olga@demo.example", "Иванова", "Ольга", "Петровна", "ru", "01506201810202",
               Membership.Role.SIGNER, "Главный бухгалтер", note="certificate ends in 2 working days",
               expiry=("working_days", 2), pin="220022"),
    DemoPerson("nurlan@demo.example", "Садыков", "Нурлан", "Асылбекович", "ru", "02203201710303",
               Membership.Role.HEAD, "Председатель правления",
               note="certificate expired yesterday; company balance too low", expiry=("days", -1), pin="110011"),
    DemoPerson("accountant@demo.example", "Жумабаева", "Гулнара", "Токтобековна", "ky", "02412201910101",
               Membership.Role.ACCOUNTANT, "Бухгалтер", note="company accountant"),
    DemoPerson("specialist@demo.example", "Орозбеков", "Бакыт", "", "ru", staff_role=User.StaffRole.SPECIALIST,
               note="operator specialist"),
    DemoPerson("admin@demo.example", "Админова", "Мээрим", "", "en", staff_role=User.StaffRole.ADMIN,
               note="operator administrator"),
]  # fmt: skip


@transaction.atomic
def demo_load() -> list[DemoPerson]:
    """Create the demo operator, companies and people unless they exist; return the people."""
    if not OperatorProfile.objects.exists():
        operator_profile_save(actor=None, **DEMO_OPERATOR)
    companies = {}
    for inn, name, form in DEMO_COMPANIES:
        existing = Company.objects.filter(inn=inn).first()
        companies[inn] = existing or company_create(inn=inn, legal_name=name, legal_form=form)
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first() or user_create(
            email=person.email,
            password=DEMO_PASSWORD,
            surname=person.surname,
            given_name=person.given_name,
            patronymic=person.patronymic,
            preferred_language=person.language,
            staff_role=person.staff_role,
        )
        if person.company_inn:
            membership_add(
                user=user, company=companies[person.company_inn], role=person.role, position=person.position
            )
    ca_init(organization=DEMO_OPERATOR["name"], not_before=clock.now() - dt.timedelta(days=2 * 365))
    for person in DEMO_PEOPLE:
        if person.expiry is not None and person.company_inn:
            _demo_certificate(person, companies[person.company_inn])
    billing_demo_load()
    return DEMO_PEOPLE


def demo_expiry(expiry: tuple[str, int]) -> dt.datetime:
    """The demo certificate's end: N calendar or working days from today, at 18:00 in Bishkek."""
    unit, count = expiry
    today = clock.today_bishkek()
    day = (
        working_day_shift(day=today, n=count) if unit == "working_days" else today + dt.timedelta(days=count)
    )
    return dt.datetime.combine(day, dt.time(DEMO_EXPIRY_HOUR), tzinfo=clock.BISHKEK).astimezone(dt.UTC)


def _demo_certificate(person: DemoPerson, company: Company) -> None:
    """A real cloud key (with the printed PIN) and a one-year certificate ending as the table says."""
    user = User.objects.get(email=person.email)
    if Certificate.objects.filter(owner=user).exists():
        return
    assert person.expiry is not None
    not_after = demo_expiry(person.expiry)
    certificate_enrol(
        user=user, company=company, pin=person.pin, not_before=add_years(not_after, -1), not_after=not_after
    )
