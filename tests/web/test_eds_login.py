"""Holders log in with password + EDS PIN; after expiry login is refused with the reason and the office."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import TEST_PASSWORD, holder
from tests.pki.conftest import HOLDER_PIN
from uzart.accounts.models import Membership
from uzart.accounts.services import operator_profile_save
from uzart.audit.models import AuditEvent
from uzart.keystore.models import CloudKey

pytestmark = pytest.mark.django_db


def _password_step(client, email):
    client.cookies["uzart_language"] = "en"
    return client.post("/login/", {"username": email, "password": TEST_PASSWORD})


def _login(client, email, pin=HOLDER_PIN):
    first = _password_step(client, email)
    if first.status_code != 302:
        return first
    assert first["Location"] == "/login/eds/"
    return client.post("/login/eds/", {"pin": pin})


def _signing_key_ids(user):
    """Ids of the holder's own keys that signed something (CA keys sign too, and are left out)."""
    own = {str(pk) for pk in CloudKey.objects.filter(owner=user).values_list("pk", flat=True)}
    signed = AuditEvent.objects.filter(action="key.sign", target_type="keystore.cloudkey")
    return [target for target in signed.values_list("target_id", flat=True) if target in own]


@pytest.fixture(autouse=True)
def _english_holder(aigul):
    """After login the holder's own language is used; these tests read English."""
    aigul.preferred_language = "en"
    aigul.save(update_fields=["preferred_language"])


@pytest.fixture
def office():
    return operator_profile_save(
        actor=None,
        name="Demo operator",
        support_email="office@operator.example",
        phones="+996 312 000 101",
        office_address="Bishkek, Example st. 1",
        working_hours="Mon-Fri 9-18",
    )


def test_holder_logs_in_with_password_then_pin_on_each_keystore(client, keystore_backend, aigul, enrol):
    certificate = enrol(aigul)
    response = _login(client, aigul.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(aigul.pk)
    assert client.session["uzart_eds_serial"] == certificate.serial
    assert _signing_key_ids(aigul) == [str(certificate.key_id)]
    assert CloudKey.objects.get(pk=certificate.key_id).backend == "default"
    assert AuditEvent.objects.filter(action="login.success", target_id=str(certificate.pk)).exists()


def test_password_alone_does_not_log_a_holder_in(client, aigul, enrol):
    enrol(aigul)
    response = _password_step(client, aigul.email)
    assert response["Location"] == "/login/eds/"
    assert "_auth_user_id" not in client.session
    assert client.get("/me/").status_code == 302


def test_wrong_pin_is_refused_and_counted(client, aigul, enrol):
    certificate = enrol(aigul)
    response = _login(client, aigul.email, pin="000000")
    assert response.status_code == 400
    assert "Wrong PIN" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert CloudKey.objects.get(pk=certificate.key_id).failed_attempts == 1


def test_login_one_minute_before_expiry_works_and_one_minute_after_is_refused(client, aigul, enrol, office):
    certificate = enrol(aigul)
    with time_machine.travel(certificate.not_after - dt.timedelta(minutes=1), tick=False):
        assert _login(client, aigul.email).status_code == 302
        client.logout()
    with time_machine.travel(certificate.not_after + dt.timedelta(minutes=1), tick=False):
        response = _password_step(client, aigul.email)
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your EDS expired on" in body
    assert "Bishkek, Example st. 1" in body and "+996 312 000 101" in body
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.refused").exists()


def test_an_open_session_ends_when_the_certificate_expires(client, aigul, enrol):
    from uzart import clock

    start = clock.now().replace(microsecond=0)
    certificate = enrol(aigul, not_before=start, not_after=start + dt.timedelta(hours=2))
    assert _login(client, aigul.email).status_code == 302
    assert client.get("/me/").status_code == 200
    with time_machine.travel(certificate.not_after + dt.timedelta(seconds=1), tick=False):
        response = client.get("/me/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert "Your EDS expired on" in client.get("/login/").content.decode()


def test_at_the_old_expiry_instant_login_signs_with_the_successor_key(client, keystore_backend, aigul, enrol):
    old = enrol(aigul)
    successor = enrol(
        aigul,
        not_before=old.not_after,
        not_after=old.not_after + dt.timedelta(days=365),
        predecessor=old,
    )
    with time_machine.travel(old.not_after, tick=False):
        response = _login(client, aigul.email)
    assert response.status_code == 302
    assert client.session["uzart_eds_serial"] == successor.serial
    assert _signing_key_ids(aigul) == [str(successor.key_id)]


def test_accountant_logs_in_with_password_only(client):
    accountant = holder(role=Membership.Role.ACCOUNTANT)
    response = _password_step(client, accountant.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(accountant.pk)


def test_a_pin_step_without_the_password_step_is_refused(client):
    response = client.post("/login/eds/", {"pin": HOLDER_PIN})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_failed_password_is_audited_without_the_password(client, aigul):
    client.post("/login/", {"username": aigul.email, "password": "secret-guess-123"})
    event = AuditEvent.objects.get(action="login.failure")
    assert event.data == {"email": aigul.email}
    assert "secret-guess-123" not in str(event.data)
