"""The CSC methods one by one: credentials, PIN, SAD binding, and the CSC errors for unusable keys."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from tests.api.conftest import PIN, token_for
from uzart import clock
from uzart.api.models import SignatureActivation
from uzart.audit.models import AuditEvent
from uzart.keystore.errors import MAX_PIN_ATTEMPTS
from uzart.keystore.models import CloudKey
from uzart.keystore.services import key_public
from uzart.pki.services import certificate_revoke

WRONG_PIN = "135790"
SHA256 = "2.16.840.1.101.3.4.2.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"


def b64_hash(text: bytes) -> str:
    return base64.b64encode(hashlib.sha256(text).digest()).decode()


@pytest.fixture
def csc(api_world):  # type: ignore[no-untyped-def]
    client = Client(
        headers={
            "Authorization": f"Bearer {token_for(api_world.holder_a, ['sign'])}",
            "Accept-Language": "en",
        }
    )

    def call(method: str, **body):  # type: ignore[no-untyped-def]
        return client.post(f"/csc/v1/{method}", body, content_type="application/json")

    return call


def authorize(csc, credential: str, hash_list: list[str], pin: str = PIN):  # type: ignore[no-untyped-def]
    return csc(
        "credentials/authorize",
        credentialID=credential,
        numSignatures=len(hash_list),
        hash=hash_list,
        PIN=pin,
    )


def sign_hash(csc, credential: str, sad: str, hash_list: list[str]):  # type: ignore[no-untyped-def]
    return csc(
        "signatures/signHash",
        credentialID=credential,
        SAD=sad,
        hash=hash_list,
        hashAlgo=SHA256,
        signAlgo=ECDSA_SHA256,
    )


def assert_csc_error(reply, status: int, error: str, words: str = "") -> None:  # type: ignore[no-untyped-def]
    assert reply.status_code == status, reply.content
    assert reply["Content-Type"].startswith("application/json")
    assert reply.json()["error"] == error
    assert words in reply.json()["error_description"]


def test_info_describes_the_service_without_authentication(api_world):
    reply = Client().post("/csc/v1/info", {}, content_type="application/json")

    assert reply.status_code == 200
    assert reply.json()["specs"] == "1.0.4.0"
    assert set(reply.json()["methods"]) >= {
        "credentials/info",
        "credentials/authorize",
        "signatures/signHash",
    }


def test_the_list_shows_only_the_callers_own_cloud_credentials(api_world, csc):
    reply = csc("credentials/list")

    assert reply.status_code == 200
    assert reply.json()["credentialIDs"] == [api_world.certificate_a.serial]


def test_info_gives_the_certificate_chain_key_algorithms_and_scal_2(api_world, csc):
    reply = csc(
        "credentials/info", credentialID=api_world.certificate_a.serial, certificates="chain", authInfo=True
    )

    body = reply.json()
    assert reply.status_code == 200
    assert body["SCAL"] == "2"
    assert body["key"]["status"] == "enabled"
    assert ECDSA_SHA256 in body["key"]["algo"]
    assert body["cert"]["status"] == "valid"
    assert base64.b64decode(body["cert"]["certificates"][0]) == bytes(api_world.certificate_a.der)
    assert len(body["cert"]["certificates"]) == 3  # holder, issuing CA, root
    assert body["PIN"]["presence"] == "true"


def test_another_holders_credential_does_not_exist_for_the_caller(api_world, csc):
    serial = api_world.certificate_b.serial

    for reply in (
        csc("credentials/info", credentialID=serial),
        authorize(csc, serial, [b64_hash(b"x")]),
        sign_hash(csc, serial, "0" * 32 + ".AAAA", [b64_hash(b"x")]),
    ):
        assert_csc_error(reply, 400, "invalid_request", "credentialID")


def test_a_sad_signs_exactly_its_hashes_once(api_world, csc):
    serial = api_world.certificate_a.serial
    document = b"payment order 42"
    sad = authorize(csc, serial, [b64_hash(document)]).json()["SAD"]

    refused = sign_hash(csc, serial, sad, [b64_hash(b"payment order 43")])
    signed = sign_hash(csc, serial, sad, [b64_hash(document)])
    again = sign_hash(csc, serial, sad, [b64_hash(document)])

    assert_csc_error(refused, 400, "invalid_request", "SAD")
    assert signed.status_code == 200, signed.content
    signature = base64.b64decode(signed.json()["signatures"][0])
    key_public(key=api_world.certificate_a.key).verify(signature, document, ec.ECDSA(hashes.SHA256()))
    assert_csc_error(again, 400, "invalid_request", "SAD")


def test_a_sad_from_another_holder_or_credential_or_forged_is_refused(api_world, csc):
    serial_a = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    other = Client(headers={"Authorization": f"Bearer {token_for(api_world.holder_b, ['sign'])}"})
    sad_b = other.post(
        "/csc/v1/credentials/authorize",
        {
            "credentialID": api_world.certificate_b.serial,
            "numSignatures": 1,
            "hash": hash_list,
            "PIN": PIN,
        },
        content_type="application/json",
    ).json()["SAD"]
    sad_a = authorize(csc, serial_a, hash_list).json()["SAD"]
    sad_id, _secret = sad_a.split(".")

    for sad in (sad_b, f"{sad_id}.{base64.urlsafe_b64encode(bytes(32)).decode()}", "not-a-sad"):
        assert_csc_error(sign_hash(csc, serial_a, sad, hash_list), 400, "invalid_request", "SAD")
    assert sign_hash(csc, serial_a, sad_a, hash_list).status_code == 200  # the real one still works


def test_the_pin_is_kept_only_sealed_and_only_until_the_sad_is_used(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    sad = authorize(csc, serial, hash_list).json()["SAD"]
    row = SignatureActivation.objects.get()

    assert PIN.encode() not in bytes(row.sealed)
    assert sad.split(".")[1] not in str(row.__dict__)  # the SAD secret is not stored
    sign_hash(csc, serial, sad, hash_list)
    assert bytes(SignatureActivation.objects.get().sealed) == b""
    assert not any(PIN in str(event.data) for event in AuditEvent.objects.all())


def test_a_wrong_pin_gets_invalid_pin_and_the_fifth_locks_the_credential(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]

    for attempt in range(1, MAX_PIN_ATTEMPTS):
        reply = authorize(csc, serial, hash_list, pin=WRONG_PIN)
        assert_csc_error(reply, 400, "invalid_pin", str(MAX_PIN_ATTEMPTS - attempt))
    locking = authorize(csc, serial, hash_list, pin=WRONG_PIN)
    after = authorize(csc, serial, hash_list, pin=PIN)

    assert_csc_error(locking, 400, "invalid_request", "locked")
    assert_csc_error(after, 400, "invalid_request", "locked")
    info = csc("credentials/info", credentialID=serial).json()
    assert info["key"]["status"] == "disabled"
    assert not SignatureActivation.objects.exists()


def test_a_key_locked_after_authorize_cannot_use_its_sad(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    sad = authorize(csc, serial, hash_list).json()["SAD"]
    CloudKey.objects.filter(pk=api_world.certificate_a.key_id).update(locked_at=clock.now())

    assert_csc_error(sign_hash(csc, serial, sad, hash_list), 400, "invalid_request", "locked")


def test_an_expired_credential_is_refused_with_the_csc_error(api_world, csc):
    serial = api_world.certificate_a.serial
    with time_machine.travel(api_world.certificate_a.not_after + dt.timedelta(minutes=1), tick=False):
        reply = authorize(csc, serial, [b64_hash(b"doc")])

    assert_csc_error(reply, 400, "invalid_request", "is expired")


def test_a_revoked_credential_is_refused_and_so_is_a_sad_issued_before_the_revocation(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    sad = authorize(csc, serial, hash_list).json()["SAD"]
    certificate_revoke(certificate=api_world.certificate_a, reason="key_compromise", actor=api_world.admin)

    assert_csc_error(authorize(csc, serial, hash_list), 400, "invalid_request", "is revoked")
    assert_csc_error(sign_hash(csc, serial, sad, hash_list), 400, "invalid_request", "is revoked")


def test_a_sad_expires_after_five_minutes(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    sad = authorize(csc, serial, hash_list).json()["SAD"]

    with time_machine.travel(clock.now() + dt.timedelta(minutes=5, seconds=1), tick=False):
        reply = sign_hash(csc, serial, sad, hash_list)

    assert_csc_error(reply, 400, "invalid_request", "expired")


def test_calls_without_a_token_or_without_the_sign_scope_are_refused(api_world):
    serial = api_world.certificate_a.serial
    read_only = Client(
        headers={
            "Authorization": f"Bearer {token_for(api_world.holder_a, ['read'])}",
            "Accept-Language": "en",
        }
    )

    anonymous = Client(headers={"Accept-Language": "en"}).post(
        "/csc/v1/credentials/list", {}, content_type="application/json"
    )
    scoped_out = read_only.post(
        "/csc/v1/credentials/info", {"credentialID": serial}, content_type="application/json"
    )

    assert_csc_error(anonymous, 401, "invalid_token")
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert_csc_error(scoped_out, 403, "insufficient_scope", "sign")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"numSignatures": 1, "hash": ["x"], "PIN": PIN}, "credentialID"),
        ({"credentialID": "SERIAL", "hash": [b64_hash(b"d")], "PIN": PIN}, "numSignatures"),
        ({"credentialID": "SERIAL", "numSignatures": 1, "hash": ["%%%"], "PIN": PIN}, "Base64"),
        ({"credentialID": "SERIAL", "numSignatures": 1, "hash": ["AAAA"], "PIN": PIN}, "length"),
        ({"credentialID": "SERIAL", "numSignatures": 1, "hash": [], "PIN": PIN}, "Empty hash"),
        (
            {"credentialID": "SERIAL", "numSignatures": 2, "hash": [b64_hash(b"d")], "PIN": PIN},
            "numSignatures",
        ),
        (
            {"credentialID": "SERIAL", "numSignatures": 11, "hash": [b64_hash(b"d")] * 11, "PIN": PIN},
            "too high",
        ),
        ({"credentialID": "SERIAL", "numSignatures": 1, "hash": [b64_hash(b"d")]}, "PIN"),
    ],
)
def test_malformed_authorize_requests_get_invalid_request(api_world, csc, body, words):
    body = {k: api_world.certificate_a.serial if v == "SERIAL" else v for k, v in body.items()}

    assert_csc_error(csc("credentials/authorize", **body), 400, "invalid_request", words)
    assert CloudKey.objects.get(pk=api_world.certificate_a.key_id).failed_attempts == 0


def test_sign_hash_refuses_an_algorithm_the_key_does_not_have(api_world, csc):
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]
    sad = authorize(csc, serial, hash_list).json()["SAD"]

    rsa = csc(
        "signatures/signHash",
        credentialID=serial,
        SAD=sad,
        hash=hash_list,
        signAlgo="1.2.840.113549.1.1.11",
    )
    sha1 = csc(
        "signatures/signHash",
        credentialID=serial,
        SAD=sad,
        hash=hash_list,
        hashAlgo="1.3.14.3.2.26",
        signAlgo="1.2.840.10045.2.1",
    )

    assert_csc_error(rsa, 400, "invalid_request", "signAlgo")
    assert_csc_error(sha1, 400, "invalid_request", "hashAlgo")
    assert sign_hash(csc, serial, sad, hash_list).status_code == 200  # refusals did not use the SAD up


def test_authorize_is_rate_limited_per_holder_across_requests(api_world, csc, settings):
    settings.API_RATE_LIMITS = {"pin": (3, 900), "token_failure": (20, 300)}
    serial = api_world.certificate_a.serial
    hash_list = [b64_hash(b"doc")]

    replies = [authorize(csc, serial, hash_list) for _ in range(4)]

    assert [r.status_code for r in replies[:3]] == [200, 200, 200]
    assert_csc_error(replies[3], 429, "too_many_requests")
    assert 0 < int(replies[3]["Retry-After"]) <= 900
