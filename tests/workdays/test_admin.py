"""Operator admins edit the overrides in the Django admin; the change is audited and takes effect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import operator_admin, specialist
from uzart.audit.models import AuditEvent
from uzart.workdays.models import WorkdayOverride
from uzart.workdays.selectors import last_day_to_send

pytestmark = pytest.mark.django_db


def test_operator_admin_adds_a_day_off_in_the_admin(client):
    admin = operator_admin()
    client.force_login(admin)
    response = client.post(
        reverse("admin:workdays_workdayoverride_add"),
        {"date": "2026-03-17", "kind": "day_off", "note": "Government decree"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WorkdayOverride.objects.get(date=dt.date(2026, 3, 17)).kind == "day_off"
    event = AuditEvent.objects.get(action="workday.override_set")
    assert event.actor_id == admin.pk
    assert last_day_to_send(expiry=dt.date(2026, 3, 23)) == dt.date(2026, 3, 16)


def test_operator_admin_moves_an_override_to_another_date_and_deletes_it(client):
    admin = operator_admin()
    client.force_login(admin)
    override = WorkdayOverride.objects.create(date=dt.date(2026, 3, 17), kind="day_off")
    url = reverse("admin:workdays_workdayoverride_change", args=[override.pk])
    response = client.post(url, {"date": "2026-03-16", "kind": "day_off", "note": ""})
    assert response.status_code == 302
    assert list(WorkdayOverride.objects.values_list("date", flat=True)) == [dt.date(2026, 3, 16)]
    moved = WorkdayOverride.objects.get()
    response = client.post(reverse("admin:workdays_workdayoverride_delete", args=[moved.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not WorkdayOverride.objects.exists()
    assert AuditEvent.objects.filter(action="workday.override_delete").count() == 2


def test_a_specialist_cannot_open_the_overrides_admin(client):
    client.force_login(specialist())
    response = client.get(reverse("admin:workdays_workdayoverride_changelist"))
    assert response.status_code == 302  # sent to the admin login: specialists are not admin staff
