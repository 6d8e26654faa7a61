"""Personal data kept protected: national ID numbers (CIN).

Law 09-08 asks to minimise and protect personal data. A CIN is needed only to
match a citizen's profile with the parties of a case and to show a party who
is who, so the number itself is never stored: a keyed digest (HMAC-SHA256 with
a key held in Secrets Manager) matches, and a masked form (``BK****56``) shows.
Without the key the digest cannot be reversed by trying every possible CIN.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from chalicelib.aws import client
from chalicelib.config import get_settings

VISIBLE_DIGITS = 2


@lru_cache(maxsize=1)
def _digest_key() -> bytes:
    """The HMAC key, read once per process from Secrets Manager."""
    secret = client("secretsmanager").get_secret_value(
        SecretId=get_settings().national_id_key_secret_id
    )
    return bytes.fromhex(str(secret["SecretString"]))


def national_id_digest(national_id: str, key: bytes | None = None) -> str:
    """The keyed digest of a normalised CIN, as stored and compared.

    >>> national_id_digest("BK123456", key=b"k")[:12]
    '4d197e1a873e'
    """
    mac = hmac.new(key or _digest_key(), national_id.encode("ascii"), hashlib.sha256)
    return mac.hexdigest()


def mask_national_id(national_id: str) -> str:
    """Show the letters and the last digits of a CIN only.

    >>> mask_national_id("BK123456")
    'BK****56'
    >>> mask_national_id("AB12")
    'AB**'
    """
    letters = len(national_id) - len(national_id.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    digits = national_id[letters:]
    if len(digits) <= 2 * VISIBLE_DIGITS:
        return national_id[:letters] + "*" * len(digits)
    hidden = len(digits) - VISIBLE_DIGITS
    return national_id[:letters] + "*" * hidden + digits[hidden:]


def forget_key() -> None:
    """Drop the cached key (after a rotation, or between test stacks)."""
    _digest_key.cache_clear()
