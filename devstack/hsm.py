"""The local HSM: a SoftHSM token with the court seal key and its certificate.

Created on first run under the git-ignored state folder and reused after. The
key pair is generated inside the token (sensitive, not extractable); a local
test CA, kept in software because it exists only for this stack, certifies the
token's public key.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

TOKEN_LABEL = "justicia"  # noqa: S105 - a label, not a secret
KEY_LABEL = "court-seal"
KEY_BITS = 3072
SOFTHSM_MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
)


@dataclass(frozen=True)
class LocalHsm:
    """Where the local token lives and how to reach it."""

    conf_path: Path
    module: str
    pin: str
    chain_pem: str


def softhsm_module() -> str:
    """Return the path of SoftHSM's PKCS#11 library, or raise if not installed."""
    for candidate in SOFTHSM_MODULE_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise RuntimeError("SoftHSM is not installed (apt-get install softhsm2)")


def ensure_local_hsm(state_dir: Path) -> LocalHsm:
    """Create the token, key and certificate once; return them on every run."""
    hsm_dir = state_dir / "softhsm"
    conf_path = _write_conf(hsm_dir)
    os.environ["SOFTHSM2_CONF"] = str(conf_path)
    module = softhsm_module()
    pin_path = hsm_dir / "user.pin"
    chain_path = hsm_dir / "chain.pem"
    if not chain_path.exists():
        pin = secrets.token_hex(8)
        _init_token(pin)
        public_numbers = _generate_seal_key(module, pin)
        chain_path.write_text(_issue_chain(state_dir / "ca", public_numbers))
        pin_path.write_text(pin)
        pin_path.chmod(0o600)
    return LocalHsm(
        conf_path, module, pin_path.read_text().strip(), chain_path.read_text()
    )


def _write_conf(hsm_dir: Path) -> Path:
    tokens = hsm_dir / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf_path = hsm_dir / "softhsm2.conf"
    conf_path.write_text(
        f"directories.tokendir = {tokens}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    return conf_path


def _init_token(pin: str) -> None:
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--so-pin",
            secrets.token_hex(8),
            "--pin",
            pin,
        ],
        check=True,
        capture_output=True,
    )


def _generate_seal_key(module: str, pin: str) -> rsa.RSAPublicNumbers:
    import pkcs11
    from pkcs11 import Attribute, KeyType

    token = pkcs11.lib(module).get_token(token_label=TOKEN_LABEL)
    with token.open(user_pin=pin, rw=True) as session:
        public, _private = session.generate_keypair(
            KeyType.RSA,
            KEY_BITS,
            label=KEY_LABEL,
            store=True,
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
        )
        modulus = int.from_bytes(public[Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big")
    return rsa.RSAPublicNumbers(exponent, modulus)


def _issue_chain(ca_dir: Path, seal: rsa.RSAPublicNumbers) -> str:
    ca_key, ca_cert = _local_ca(ca_dir)
    now = datetime.now(UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Justicia local stack"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Justicia court seal (local test)"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(seal.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    return (certificate.public_bytes(pem) + ca_cert.public_bytes(pem)).decode("ascii")


def _local_ca(ca_dir: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    ca_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Justicia local test CA"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    (ca_dir / "ca.pem").write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
    )
    return key, certificate
