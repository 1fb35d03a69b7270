"""Secrets kept in the database sealed (Fernet: AES in CBC mode with an HMAC-SHA256), so that a
copy of the database alone does not give them away: the two-step login's TOTP secrets.

The keys are derived (HKDF-SHA256) from the app's ``SECRET_KEY`` and its
``SECRET_KEY_FALLBACKS``: a value sealed under a key that is now a fallback still opens, and is
sealed again under the current key the next time it is used (:func:`needs_new_seal`). A value
without the prefix is one stored before secrets were sealed: it opens as it is, and is sealed at
its next use too. A ``SECRET_KEY`` changed without the old one among the fallbacks makes the
sealed secrets unreadable (:class:`Unreadable`): those users log in with a recovery code, or
their second step is reset (docs/deployment.md).
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: Marks a sealed value (and which scheme sealed it).
PREFIX = "fernet:"
INFO = b"wijscan sealed secrets v1"


class Unreadable(Exception):
    """A sealed value that none of the app's keys opens."""


@functools.lru_cache(maxsize=8)
def _derive(secret_key: str | bytes) -> Fernet:
    raw = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(raw)
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str | bytes, ...]) -> MultiFernet:
    return MultiFernet([_derive(k) for k in keys])


def _keys() -> tuple[str | bytes, ...]:
    config = current_app.config
    current = config.get("SECRET_KEY")
    if not current:
        raise RuntimeError("SECRET_KEY is not set: secrets cannot be sealed")
    return (current, *(config.get("SECRET_KEY_FALLBACKS") or ()))


def seal(value: str) -> str:
    """``value`` sealed under the current key ("" stays "": no secret)."""
    if not value:
        return ""
    return PREFIX + _fernet(_keys()).encrypt(value.encode()).decode("ascii")


def unseal(stored: str) -> str:
    """The value of ``stored`` (a value from before sealing is returned as it is)."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet(_keys()).decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as error:
        raise Unreadable("no key of this app opens the sealed value") from error


def needs_new_seal(stored: str) -> bool:
    """Whether ``stored`` is unsealed or sealed under a key other than the current one."""
    if not stored:
        return False
    if not stored.startswith(PREFIX):
        return True
    try:
        _derive(_keys()[0]).decrypt(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return True
    return False
