"""Cloud keys: the record of a key pair held by a keystore backend, and the sealed rows of the default one."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uzart import clock
from uzart.keystore.querysets import CloudKeyQuerySet


class CloudKey(models.Model):
    """A key pair kept in a keystore backend; the row holds only the backend alias and its reference.

    The private key never leaves the backend. ``pin_verifier`` is set only by backends that cannot check
    the holder's PIN themselves (PKCS#11: the token is opened with the operator's user PIN).
    """

    class Purpose(models.TextChoices):
        HOLDER = "holder", _("EDS holder key")
        CA = "ca", _("Certificate authority key")

    class Algorithm(models.TextChoices):
        EC_P256 = "ec-p256", _("ECDSA P-256")
        RSA_2048 = "rsa-2048", _("RSA 2048")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cloud_keys",
        verbose_name=_("owner"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.HOLDER)
    label = models.CharField(_("label"), max_length=200)
    backend = models.CharField(_("keystore"), max_length=32)
    key_ref = models.CharField(_("key reference"), max_length=128)
    algorithm = models.CharField(_("algorithm"), max_length=16, choices=Algorithm.choices)
    public_key_der = models.BinaryField(_("public key (DER)"))
    pin_verifier = models.CharField(max_length=255, blank=True, editable=False)
    failed_attempts = models.PositiveSmallIntegerField(_("wrong PIN attempts"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    objects: ClassVar[CloudKeyQuerySet] = CloudKeyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("cloud key")
        verbose_name_plural = _("cloud keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["backend", "key_ref"], name="cloudkey_unique_backend_ref"),
            models.CheckConstraint(
                condition=models.Q(purpose="ca") | models.Q(owner__isnull=False),
                name="cloudkey_holder_key_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER SubjectPublicKeyInfo, in hex."""
        return hashlib.sha256(bytes(self.public_key_der)).hexdigest()


class SealedKey(models.Model):
    """A PKCS#8 private key sealed with AES-256-GCM by the encrypted-database backend.

    The AEAD key is derived from the holder's PIN (Argon2id, parameters stored here) together with the
    server key-encryption key; the associated data binds the ciphertext to ``ref`` and ``algorithm``.
    """

    ref = models.UUIDField(unique=True, editable=False)
    algorithm = models.CharField(max_length=16, choices=CloudKey.Algorithm.choices)
    kdf = models.CharField(max_length=16, default="argon2id")
    kdf_time_cost = models.PositiveIntegerField()
    kdf_memory_cost = models.PositiveIntegerField(help_text="KiB")
    kdf_parallelism = models.PositiveSmallIntegerField()
    salt = models.BinaryField(max_length=32)
    nonce = models.BinaryField(max_length=12)
    ciphertext = models.BinaryField()
    kek_id = models.CharField(max_length=16, help_text="Which key-encryption key sealed it (not secret).")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("sealed key")
        verbose_name_plural = _("sealed keys")

    def __str__(self) -> str:
        return str(self.ref)
