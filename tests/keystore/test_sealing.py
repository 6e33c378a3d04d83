"""Issue 3, item 4: a copy of the keystore table opens a key only with both the holder's PIN and the KEK."""

from __future__ import annotations

import base64
import os
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import connection

from tests.keystore.conftest import PIN, WRONG_PIN
from uzart.keystore.backends import get_backend
from uzart.keystore.errors import KeystoreUnavailable
from uzart.keystore.models import SealedKey
from uzart.keystore.sealing import KdfParams, PinMismatch, Sealed, associated_data, load_kek, unseal
from uzart.keystore.services import key_generate

pytestmark = pytest.mark.django_db


def _dump_row(key_ref: str) -> dict:  # type: ignore[type-arg]
    """The row as a database dump has it: raw column values, read with SQL."""
    table = SealedKey._meta.db_table
    columns = [
        "ref",
        "algorithm",
        "kdf_time_cost",
        "kdf_memory_cost",
        "kdf_parallelism",
        "salt",
        "nonce",
        "ciphertext",
    ]
    ref_value = uuid.UUID(key_ref).hex if connection.vendor == "sqlite" else uuid.UUID(key_ref)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE ref = %s", [ref_value])
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    ref = row["ref"] if isinstance(row["ref"], uuid.UUID) else uuid.UUID(str(row["ref"]))
    sealed = Sealed(
        kdf=KdfParams(row["kdf_time_cost"], row["kdf_memory_cost"], row["kdf_parallelism"]),
        salt=bytes(row["salt"]),
        nonce=bytes(row["nonce"]),
        ciphertext=bytes(row["ciphertext"]),
    )
    return {"ref": ref, "algorithm": row["algorithm"], "sealed": sealed}


@pytest.fixture
def stolen(owner):  # type: ignore[no-untyped-def]
    """A key on the default backend, its dumped row, and the server KEK read from its file."""
    key = key_generate(owner=owner, pin=PIN, label="EDS", backend="default")
    return key, _dump_row(key.key_ref), load_kek()


def test_dump_plus_kek_plus_pin_opens_the_key_and_it_matches_the_public_key(stolen):
    key, row, kek = stolen

    der = unseal(pin=PIN, kek=kek, **row)

    private_key = serialization.load_der_private_key(der, password=None)
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert public_der == bytes(key.public_key_der)


def test_dump_plus_kek_without_the_pin_does_not_open_the_key(stolen):
    _key, row, kek = stolen

    for guess in (WRONG_PIN, "", "000000", PIN[:-1]):
        with pytest.raises(PinMismatch):
            unseal(pin=guess, kek=kek, **row)
    # Nor does an AEAD key made from the KEK alone, with the PIN half left out.
    sealed = row["sealed"]
    kek_only = HKDF(algorithm=SHA256(), length=32, salt=sealed.salt, info=b"uzart keystore v1 aead").derive(
        kek
    )
    with pytest.raises(InvalidTag):
        AESGCM(kek_only).decrypt(
            sealed.nonce, sealed.ciphertext, associated_data(row["ref"], row["algorithm"])
        )
    with pytest.raises(InvalidTag):
        AESGCM(kek).decrypt(sealed.nonce, sealed.ciphertext, associated_data(row["ref"], row["algorithm"]))


def test_dump_plus_pin_with_another_kek_does_not_open_the_key(stolen):
    _key, row, kek = stolen
    other_kek = os.urandom(32)

    with pytest.raises(PinMismatch):
        unseal(pin=PIN, kek=other_kek, **row)
    assert unseal(pin=PIN, kek=kek, **row)  # the same pieces with the real KEK do open it


def test_the_dump_holds_no_plaintext_key(stolen):
    _key, row, kek = stolen
    der = unseal(pin=PIN, kek=kek, **row)
    assert der not in row["sealed"].ciphertext
    assert der[-32:] not in row["sealed"].ciphertext


def test_a_sealed_blob_moved_to_another_row_does_not_open(owner):
    first = key_generate(owner=owner, pin=PIN, label="first", backend="default")
    second = key_generate(owner=owner, pin=PIN, label="second", backend="default")
    kek = load_kek()
    first_row, second_row = _dump_row(first.key_ref), _dump_row(second.key_ref)

    with pytest.raises(PinMismatch):
        unseal(
            pin=PIN,
            kek=kek,
            ref=second_row["ref"],
            algorithm=second_row["algorithm"],
            sealed=first_row["sealed"],
        )
    # Through the backend too: swap the blobs in the table, then the right PIN no longer opens either.
    a = SealedKey.objects.get(ref=first_row["ref"])
    b = SealedKey.objects.get(ref=second_row["ref"])
    for field in ("salt", "nonce", "ciphertext"):
        va, vb = getattr(a, field), getattr(b, field)
        setattr(a, field, vb)
        setattr(b, field, va)
    a.save()
    b.save()
    with pytest.raises(PinMismatch):
        get_backend("default").verify_pin(key_ref=first.key_ref, pin=PIN, pin_record="", algorithm="ec-p256")


def test_kdf_parameters_are_stored_with_each_key_so_a_new_setting_keeps_old_keys_working(owner, settings):
    key = key_generate(owner=owner, pin=PIN, label="EDS", backend="default")
    settings.KEYSTORE_KDF = {"time_cost": 2, "memory_cost": 2048, "parallelism": 2}

    get_backend("default").verify_pin(key_ref=key.key_ref, pin=PIN, pin_record="", algorithm="ec-p256")
    newer = key_generate(owner=owner, pin=PIN, label="EDS 2", backend="default")

    stored = SealedKey.objects.get(ref=uuid.UUID(newer.key_ref))
    assert (stored.kdf, stored.kdf_time_cost, stored.kdf_memory_cost, stored.kdf_parallelism) == (
        "argon2id",
        2,
        2048,
        2,
    )
    assert SealedKey.objects.get(ref=uuid.UUID(key.key_ref)).kdf_time_cost == 1


class TestKeyEncryptionKey:
    def test_test_mode_creates_a_kek_file_readable_by_its_owner_only(self, tmp_path, monkeypatch):
        monkeypatch.delenv("UZART_KEK", raising=False)
        path = tmp_path / "sub" / "keystore.kek"

        kek = load_kek(path)

        assert len(kek) == 32
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert load_kek(path) == kek

    def test_production_without_a_kek_refuses_with_a_clear_message(self, tmp_path, settings, monkeypatch):
        monkeypatch.delenv("UZART_KEK", raising=False)
        settings.MODE = "production"

        with pytest.raises(KeystoreUnavailable, match=r"key-encryption key is missing\. Set UZART_KEK"):
            load_kek(tmp_path / "missing.kek")
        assert not (tmp_path / "missing.kek").exists()

    def test_production_refuses_to_seal_without_a_kek(self, tmp_path, settings, monkeypatch, owner):
        monkeypatch.delenv("UZART_KEK", raising=False)
        settings.MODE = "production"
        settings.KEYSTORE_KEK_FILE = str(tmp_path / "missing.kek")

        with pytest.raises(KeystoreUnavailable):
            key_generate(owner=owner, pin=PIN, label="EDS", backend="default")
        assert not SealedKey.objects.exists()

    def test_the_environment_variable_wins_over_the_file(self, tmp_path, monkeypatch):
        kek = os.urandom(32)
        monkeypatch.setenv("UZART_KEK", base64.b64encode(kek).decode())
        assert load_kek(tmp_path / "unused.kek") == kek
        assert not (tmp_path / "unused.kek").exists()

    @pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
    def test_a_malformed_kek_is_refused_without_echoing_it(self, monkeypatch, value):
        monkeypatch.setenv("UZART_KEK", value)
        with pytest.raises(KeystoreUnavailable) as error:
            load_kek()
        assert value not in str(error.value)

    def test_a_kek_file_readable_by_others_is_refused(self, tmp_path, monkeypatch):
        monkeypatch.delenv("UZART_KEK", raising=False)
        path = tmp_path / "keystore.kek"
        path.write_text(base64.b64encode(os.urandom(32)).decode())
        path.chmod(0o644)
        with pytest.raises(KeystoreUnavailable, match="owner only"):
            load_kek(path)


def test_the_deploy_check_reports_a_missing_kek(tmp_path, settings, monkeypatch):
    from uzart.keystore.checks import keystore_check

    monkeypatch.delenv("UZART_KEK", raising=False)
    settings.MODE = "production"
    settings.KEYSTORE_KEK_FILE = str(tmp_path / "missing.kek")
    assert [problem.id for problem in keystore_check()] == ["uzart.keystore.E003"]

    monkeypatch.setenv("UZART_KEK", base64.b64encode(os.urandom(32)).decode())
    assert keystore_check() == []
