"""What a Sign costs the keystore: one PIN check (one Argon2id run), no unseal of the new key, one
audited key.sign per signature; and a request whose fresh signature does not validate is not sent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.renewals.conftest import OFFICE_PRICE, PIN
from tests.signing.pki import SmallCA
from uzart.audit.models import AuditEvent
from uzart.billing.selectors import account_balance_get
from uzart.keystore.errors import KeyLocked, WrongPin
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_verify_pin
from uzart.pki.selectors import ca_chain
from uzart.renewals import services
from uzart.renewals.attachments import Scan
from uzart.renewals.models import RenewalRequest
from uzart.signing.errors import SigningFailed

pytestmark = pytest.mark.django_db

BALANCE = 1_000_000
WRONG_PIN = "999999"


@pytest.fixture
def world_on_keystore(keystore_backend, world):  # type: ignore[no-untyped-def]
    """The renewal world with every key (CA and holder) on the keystore under test."""
    from uzart.keystore.backends import get_backend
    from uzart.keystore.backends.pkcs11 import PKCS11Backend

    on_token = isinstance(get_backend(world.certificate.key.backend), PKCS11Backend)
    assert on_token == (keystore_backend == "hsm")
    return world


def _signatures(key: CloudKey) -> int:
    return AuditEvent.objects.filter(action="key.sign", target_id=str(key.pk)).count()


def test_a_submit_runs_argon2id_once_and_never_unseals_the_new_key(world_on_keystore, keystore_probe):
    world = world_on_keystore
    old_key = world.certificate.key
    keystore_probe.reset()

    request, created = services.renewal_submit(
        user=world.holder, pin=PIN, idempotency_key="s" * 32, details_confirmed=True
    )

    assert created
    assert keystore_probe.kdf_runs == 1  # the old key's PIN check; before sessions it was four
    assert keystore_probe.opened == [old_key.key_ref]  # the new key was never opened (unsealed)
    assert _signatures(old_key) == 1  # the request PDF
    assert _signatures(request.new_key) == 1  # the CSR
    assert services.renewal_validate_signature(request=request).bottom_line
    # The new key is protected by the holder's PIN, and by that PIN only.
    key_verify_pin(key=request.new_key, pin=PIN)
    with pytest.raises(WrongPin):
        key_verify_pin(key=request.new_key, pin=WRONG_PIN)


def test_a_documents_request_runs_argon2id_once(world_on_keystore, keystore_probe):
    world = world_on_keystore
    keystore_probe.reset()

    request, created = services.renewal_submit_documents(
        user=world.holder, pin=PIN, idempotency_key="d" * 32, changed_details="Новый адрес",
        scans=[Scan("charter.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)],
    )  # fmt: skip

    assert created
    assert keystore_probe.kdf_runs == 1
    assert keystore_probe.opened == [world.certificate.key.key_ref]
    assert _signatures(world.certificate.key) == 0  # the PIN was checked, nothing signed with the old key
    assert _signatures(request.new_key) == 1  # the CSR
    key_verify_pin(key=request.new_key, pin=PIN)


def test_an_office_renewal_runs_argon2id_once_for_the_new_pin(world_on_keystore, keystore_probe):
    world = world_on_keystore
    keystore_probe.reset()

    request = services.renewal_office(
        actor=world.specialist, holder=world.holder, company=world.company, paper_reference="П-18",
        payment="balance", new_pin="135790", idempotency_key="o" * 32,
    )  # fmt: skip

    issuing_ca_key = ca_chain()[0].key
    # One run seals the new key under the new PIN (it is never unsealed: it signs its CSR in hand); the
    # other opens the issuing CA's key to issue the certificate at once.
    assert keystore_probe.kdf_runs == 2
    assert keystore_probe.opened == [issuing_ca_key.key_ref]
    assert _signatures(request.new_key) == 1
    assert account_balance_get(company=world.company) == BALANCE - OFFICE_PRICE
    key_verify_pin(key=request.new_key, pin="135790")


def test_a_wrong_pin_at_sign_is_counted_and_generates_nothing(world_on_keystore, keystore_probe):
    world = world_on_keystore
    keys_before = CloudKey.objects.count()
    keystore_probe.reset()

    with pytest.raises(WrongPin) as error:
        services.renewal_submit(
            user=world.holder, pin=WRONG_PIN, idempotency_key="w" * 32, details_confirmed=True
        )

    assert error.value.attempts_left == 4
    assert CloudKey.objects.get(pk=world.certificate.key.pk).failed_attempts == 1
    assert keystore_probe.kdf_runs == 1
    assert CloudKey.objects.count() == keys_before
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=world.company) == BALANCE


def test_a_locked_key_cannot_sign_a_request(world_on_keystore):
    world = world_on_keystore
    for _ in range(5):
        with pytest.raises((WrongPin, KeyLocked)):
            key_verify_pin(key=world.certificate.key, pin=WRONG_PIN)
    keys_before = CloudKey.objects.count()

    with pytest.raises(KeyLocked):
        services.renewal_submit(user=world.holder, pin=PIN, idempotency_key="l" * 32, details_confirmed=True)

    assert CloudKey.objects.count() == keys_before
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=world.company) == BALANCE


def test_a_request_whose_fresh_signature_does_not_validate_is_refused_before_any_charge(world, monkeypatch):
    # The operator's CA chain as configured does not lead to the holder's certificate (a misconfigured or
    # replaced root): the signature is made, but it does not validate against that root.
    foreign = SmallCA.create("Foreign")
    monkeypatch.setattr(services, "ca_chain", lambda: [SimpleNamespace(certificate=c) for c in foreign.chain])

    with pytest.raises(SigningFailed) as error:
        services.renewal_submit(user=world.holder, pin=PIN, idempotency_key="v" * 32, details_confirmed=True)

    assert str(error.value) == "The document could not be signed."
    assert RenewalRequest.objects.count() == 0
    assert account_balance_get(company=world.company) == BALANCE
