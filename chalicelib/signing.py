"""Signatures made inside the HSM through PKCS#11.

The private key never leaves the token: SoftHSM locally, AWS CloudHSM's PKCS#11
library in AWS (``JUSTICIA_HSM_MODULE``). The PIN comes from Secrets Manager and
the certificate chain from SSM Parameter Store. One PKCS#11 session per
signature; login state is per token, so a second login is not an error.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from chalicelib.aws import client
from chalicelib.config import get_settings

ALGORITHM = "RSASSA-PSS-SHA256"
PSS_SALT_BYTES = 32


class HsmUnavailable(Exception):
    """The token, its key or its PIN could not be reached (retryable)."""


@dataclass(frozen=True)
class Signature:
    """A signature value and the certificate that verifies it."""

    algorithm: str
    value: bytes
    certificate_pem: str
    chain_pem: str
    certificate_subject: str
    certificate_serial: str
    signing_time: datetime

    @property
    def value_b64(self) -> str:
        """The signature value, base64-encoded."""
        return base64.b64encode(self.value).decode("ascii")


@lru_cache(maxsize=1)
def _hsm_pin() -> str:
    secret = client("secretsmanager").get_secret_value(
        SecretId=get_settings().hsm_pin_secret_id
    )
    return str(secret["SecretString"])


@lru_cache(maxsize=1)
def signing_chain() -> str:
    """The PEM chain (signing certificate first, then its CA) from SSM."""
    parameter = client("ssm").get_parameter(
        Name=get_settings().signing_chain_parameter, WithDecryption=True
    )
    return str(parameter["Parameter"]["Value"])


def _library(path: str) -> Any:
    import pkcs11

    return pkcs11.lib(path)


def sign_chunks(chunks: Iterable[bytes]) -> Signature:
    """Sign a byte stream with the court seal key inside the HSM (RSA-PSS, SHA-256).

    Raises ``HsmUnavailable`` when the token or key cannot be used; the caller
    retries and, in the end, dead-letters.
    """
    import pkcs11
    from pkcs11 import MGF, Mechanism, ObjectClass

    settings = get_settings()
    try:
        token = _library(settings.hsm_module).get_token(
            token_label=settings.hsm_token_label
        )
        with token.open(user_pin=_hsm_pin()) as session:
            key = session.get_key(
                object_class=ObjectClass.PRIVATE_KEY, label=settings.hsm_key_label
            )
            signing_time = datetime.now(UTC)
            value = key.sign(
                iter(chunks),
                mechanism=Mechanism.SHA256_RSA_PKCS_PSS,
                mechanism_param=(Mechanism.SHA256, MGF.SHA256, PSS_SALT_BYTES),
            )
    except pkcs11.PKCS11Error as exc:
        raise HsmUnavailable(f"HSM refused: {type(exc).__name__}") from exc
    return _signature(value, signing_time)


def _signature(value: bytes, signing_time: datetime) -> Signature:
    from cryptography import x509

    chain = signing_chain()
    certificate = x509.load_pem_x509_certificate(chain.encode("ascii"))
    return Signature(
        algorithm=ALGORITHM,
        value=value,
        certificate_pem=certificate.public_bytes(_pem()).decode("ascii"),
        chain_pem=chain,
        certificate_subject=certificate.subject.rfc4514_string(),
        certificate_serial=format(certificate.serial_number, "x"),
        signing_time=signing_time,
    )


def _pem() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


def verify(value: bytes, data: bytes, certificate_pem: str) -> bool:
    """Check a signature of this module against ``data`` with the certificate's key."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    public_key = x509.load_pem_x509_certificate(
        certificate_pem.encode("ascii")
    ).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(
            value,
            data,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=PSS_SALT_BYTES),
            hashes.SHA256(),
        )
    except InvalidSignature:
        return False
    return True


def token_ready() -> str:
    """Open a session and find the seal key; return a short description or raise."""
    from pkcs11 import ObjectClass

    settings = get_settings()
    token = _library(settings.hsm_module).get_token(
        token_label=settings.hsm_token_label
    )
    with token.open(user_pin=_hsm_pin()) as session:
        session.get_key(
            object_class=ObjectClass.PRIVATE_KEY, label=settings.hsm_key_label
        )
    return f"token {settings.hsm_token_label} key {settings.hsm_key_label}"
