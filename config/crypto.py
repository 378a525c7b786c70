"""Encryption of stored values that must be read back (webhook signing secrets), under SECRET_KEY.

A `Cipher` is Fernet (AES-128-CBC + HMAC-SHA256, cryptography's `fernet`) with a key derived from
the secret key by HKDF-SHA256; each kind of value names its own salt and info, so a value encrypted
for one purpose never decrypts as another. It is a MultiFernet over SECRET_KEY then each of
SECRET_KEY_FALLBACKS, so a rotation of SECRET_KEY (platform/README.md, "Rotate secrets") keeps every
stored value readable: new values are encrypted under SECRET_KEY; values under an old key decrypt
while that key is a fallback, and `manage.py reencrypt_secrets` rewrites them under SECRET_KEY so
the fallback can go.
"""

import base64
import functools
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction


class Unreadable(Exception):
    """The value decrypts under neither SECRET_KEY nor any of SECRET_KEY_FALLBACKS."""


@functools.lru_cache(maxsize=64)
def _fernet(secret_key: str, salt: bytes, info: bytes) -> Fernet:
    # Cached per key: HKDF per value read would be cheap, but a settings read per call is cheaper.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@dataclass(frozen=True)
class Cipher:
    salt: bytes
    info: bytes
    # Named in the Unreadable message, so an operator knows what can't be read.
    what: str = "value"

    def _current(self) -> Fernet:
        return _fernet(settings.SECRET_KEY, self.salt, self.info)

    def _all(self) -> MultiFernet:
        keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return MultiFernet([_fernet(key, self.salt, self.info) for key in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._current().encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._all().decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise Unreadable(self._unreadable()) from exc

    def is_current(self, token: str) -> bool:
        """Is `token` encrypted under SECRET_KEY itself (not only under a fallback)?"""
        try:
            self._current().decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """`token`'s value, encrypted under SECRET_KEY (MultiFernet.rotate: read under any key)."""
        try:
            return self._all().rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise Unreadable(self._unreadable()) from exc

    def _unreadable(self) -> str:
        return (
            f"The stored {self.what} can't be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS "
            "(was SECRET_KEY changed without keeping the old one in SECRET_KEY_FALLBACKS?)."
        )


@dataclass(frozen=True)
class Reencrypted:
    checked: int  # values read
    rewritten: int  # were under a fallback key, now under SECRET_KEY
    unreadable: tuple[int, ...]  # primary keys of the rows no configured key decrypts (left as they are)


def reencrypt(queryset, field: str, cipher: Cipher, *, batch_size: int = 500) -> Reencrypted:
    """Rewrite every value of `field` in `queryset` that isn't under SECRET_KEY with cipher.rotate.

    Idempotent: a value already under SECRET_KEY is left alone (not re-encrypted to a new token), so a
    second run rewrites nothing. Batches of `batch_size` rows, each in its own transaction with the
    rows locked, so a concurrent write of the same row (a tenant rotating its secret) is never lost."""
    checked = rewritten = 0
    unreadable: list[int] = []
    last_pk = None
    while True:
        with transaction.atomic():
            batch = queryset.order_by("pk").select_for_update()
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch[:batch_size])
            if not rows:
                break
            changed = []
            for row in rows:
                token = getattr(row, field)
                checked += 1
                if cipher.is_current(token):
                    continue
                try:
                    setattr(row, field, cipher.rotate(token))
                except Unreadable:
                    unreadable.append(row.pk)
                    continue
                changed.append(row)
            if changed:
                queryset.model._base_manager.bulk_update(changed, [field])
            rewritten += len(changed)
            last_pk = rows[-1].pk
    return Reencrypted(checked=checked, rewritten=rewritten, unreadable=tuple(unreadable))
