"""Operators unlock keys from the Django admin or the command line; nothing else about a key is editable."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import TEST_PASSWORD, holder, operator_admin, specialist
from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_generate, key_verify_pin

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_key(owner):  # type: ignore[no-untyped-def]
    key = key_generate(owner=owner, pin=PIN, label="Locked EDS")
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)):
            key_verify_pin(key=key, pin=WRONG_PIN)
    assert CloudKey.objects.get(pk=key.pk).is_locked
    return key


def test_an_operator_admin_unlocks_keys_with_the_admin_action(client, locked_key):
    admin_user = operator_admin()
    client.login(email=admin_user.email, password=TEST_PASSWORD)
    url = reverse("admin:keystore_cloudkey_changelist")

    response = client.post(url, {"action": "unlock", "_selected_action": [locked_key.pk]}, follow=True)

    assert response.status_code == 200
    assert "Разблокирован 1 ключ." in response.content.decode()  # the admin speaks Russian by default
    assert not CloudKey.objects.get(pk=locked_key.pk).is_locked
    assert AuditEvent.objects.get(action="key.unlock").actor == admin_user


def test_the_admin_shows_keys_read_only_without_secrets(client, locked_key):
    admin_user = operator_admin()
    client.login(email=admin_user.email, password=TEST_PASSWORD)

    page = client.get(reverse("admin:keystore_cloudkey_change", args=[locked_key.pk]))
    add = client.get(reverse("admin:keystore_cloudkey_add"))
    delete = client.post(reverse("admin:keystore_cloudkey_delete", args=[locked_key.pk]), {"post": "yes"})

    assert page.status_code == 200
    assert locked_key.fingerprint in page.content.decode()
    assert 'name="label"' not in page.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert CloudKey.objects.filter(pk=locked_key.pk).exists()


def test_a_holder_cannot_reach_the_admin_to_unlock(client, locked_key, owner):
    client.login(email=owner.email, password=TEST_PASSWORD)
    url = reverse("admin:keystore_cloudkey_changelist")

    response = client.post(url, {"action": "unlock", "_selected_action": [locked_key.pk]})

    assert response.status_code == 302  # to the admin login page
    assert CloudKey.objects.get(pk=locked_key.pk).is_locked


def test_the_keys_command_unlocks_a_users_keys_in_the_name_of_an_operator(locked_key, owner, capsys):
    operator = specialist()

    call_command("keys", "unlock", "--email", owner.email, "--by", operator.email)

    assert "unlocked 1 key(s)" in capsys.readouterr().out
    assert not CloudKey.objects.get(pk=locked_key.pk).is_locked
    assert AuditEvent.objects.get(action="key.unlock").actor == operator


def test_the_keys_command_refuses_without_an_operator(locked_key, owner):
    with pytest.raises(CommandError, match="--by"):
        call_command("keys", "unlock", "--email", owner.email)
    with pytest.raises(CommandError):
        call_command("keys", "unlock", "--email", owner.email, "--by", holder().email)
    assert CloudKey.objects.get(pk=locked_key.pk).is_locked


def test_the_keys_command_lists_a_users_keys_and_their_state(locked_key, owner, capsys):
    call_command("keys", "list", "--email", owner.email)
    out = capsys.readouterr().out
    assert "Locked EDS" in out
    assert "wrong PINs: 5" in out
    assert "locked since" in out
