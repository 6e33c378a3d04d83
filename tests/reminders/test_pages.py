"""The notifications page, the reminder settings form (full page or HTMX fragment), operator access."""

from __future__ import annotations

import pytest

from tests.factories import holder, specialist
from uzart.outbox.models import Notification, ReminderPreference
from uzart.outbox.services import notification_enqueue

pytestmark = pytest.mark.django_db

PARAMS = {"days": 3, "expires": "14.06.2027", "last_day": "09.06.2027", "time": "12:00"}


def test_the_notifications_page_lists_them_in_the_holders_language_and_marks_them_read(client):
    user = holder(preferred_language="ky")
    notification = notification_enqueue(user=user, kind="reminder.expiry", params=PARAMS, link="/renew/")
    client.force_login(user)
    client.cookies["uzart_language"] = "ky"
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "Сиздин ЭКТнын мөөнөтү 3 күндөн кийин бүтөт" in page.content.decode()
    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_holder_cannot_mark_someone_elses_notification_read(client):
    other = notification_enqueue(user=holder(), kind="reminder.expiry", params=PARAMS)
    client.force_login(holder())
    client.post(f"/notifications/{other.pk}/read/")
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(client):
    user = holder()
    for _ in range(3):
        notification_enqueue(user=user, kind="reminder.expiry", params=PARAMS)
    client.force_login(user)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_the_reminder_settings_are_a_full_page_normally_and_only_the_form_for_htmx(client):
    client.force_login(holder())
    full = client.get("/options/reminders/").content.decode()
    fragment = client.get("/options/reminders/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and 'id="reminder-preference-form"' in full
    assert "<html" not in fragment and fragment.lstrip().startswith("<form")
    assert 'hx-post="/options/reminders/"' in fragment


def test_saving_the_reminder_settings_by_htmx_returns_the_form_with_a_confirmation(client, settings):
    settings.SMS_BACKEND = "uzart.outbox.sms.MemoryBackend"
    user = holder(phone="+996700123456")
    client.force_login(user)
    response = client.post("/options/reminders/", {"sms": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    preference = ReminderPreference.objects.get(user=user)
    assert (preference.email, preference.sms) == (False, True)


def test_sms_cannot_be_chosen_without_a_phone_number(client):
    user = holder(phone="")
    client.force_login(user)
    client.cookies["uzart_language"] = "en"
    page = client.get("/options/reminders/").content.decode()
    assert "There is no phone number in your profile" in page
    client.post("/options/reminders/", {"email": "on", "sms": "on"})
    preference = ReminderPreference.objects.get(user=user)
    assert (preference.email, preference.sms) == (True, False)  # the disabled field is ignored


def test_pages_need_a_login_and_the_deliveries_page_an_operator(client):
    for url in ("/notifications/", "/options/reminders/", "/operator/deliveries/"):
        assert client.get(url).status_code == 302
    client.force_login(holder())
    assert client.get("/operator/deliveries/").status_code == 403
    client.force_login(specialist())
    assert client.get("/operator/deliveries/").status_code == 200
    assert client.get("/operator/deliveries/?status=failed").status_code == 200
    assert client.get("/operator/deliveries/?status=bogus").status_code == 404


def test_every_page_can_show_the_unread_count(client):
    user = holder()
    for _ in range(2):
        notification_enqueue(user=user, kind="reminder.expiry", params=PARAMS)
    client.force_login(user)
    response = client.get("/options/reminders/")
    assert response.context["unread_notifications"]() == 2
