"""The court seal: standard signatures made inside the HSM, and their checks.

A PDF is sealed as PAdES (baseline B-B, an incremental update covering the
whole file); any other file gets a detached CMS signature (a ``.p7s`` with the
signed attributes content-type, message-digest and signing-time). Both are made
by pyHanko over python-pkcs11: the private key never leaves the token (SoftHSM
locally, AWS CloudHSM's PKCS#11 library in AWS, ``JUSTICIA_HSM_MODULE``). The
PIN comes from Secrets Manager and the certificate chain from SSM Parameter
Store; one PKCS#11 session per seal, and login state is per token, so a second
login is not an error.

Verification trusts only the last certificate of that chain (the court's CA)
and fetches nothing: no OCSP, CRL or timestamp server is ever contacted.

NOTE: revocation is not checked (soft-fail without fetching): the local test
CA publishes no CRL or OCSP. It matters once a production CA is used; then
the validation context needs its revocation data, fetched by the platform.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any

from chalicelib.aws import client
from chalicelib.config import get_settings

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko_certvalidator import ValidationContext

PADES = "PAdES"
CMS = "CMS"
DIGEST = "sha256"
SEAL_FIELD = "CourtSeal"


class HsmUnavailable(Exception):
    """The token, its key or its PIN could not be reached (retryable)."""


class UnsignableDocument(Exception):
    """The bytes cannot carry a seal, e.g. a PDF pyHanko cannot update."""


@dataclass(frozen=True)
class Seal:
    """What a seal says about itself: format, algorithm, signer and time."""

    format: str
    algorithm: str
    certificate_subject: str
    certificate_serial: str
    signing_time: datetime


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a seal against the court's trust root."""

    format: str
    intact: bool
    trusted: bool
    signed_at: datetime | None
    signer: str | None
    algorithm: str | None
    reason: str

    @property
    def valid(self) -> bool:
        """Intact and made with a certificate the court's CA vouches for."""
        return self.intact and self.trusted

    def as_json(self) -> dict[str, Any]:
        """Render for the API."""
        return {
            "valid": self.valid,
            "intact": self.intact,
            "trusted": self.trusted,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "signer": self.signer,
            "algorithm": self.algorithm,
            "format": self.format,
            "reason": self.reason,
        }


def broken(format_name: str, reason: str) -> Verification:
    """A seal that could not be read at all: neither intact nor trusted."""
    return Verification(format_name, False, False, None, None, None, reason)


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


def chain_certificates() -> list[asn1_x509.Certificate]:
    """The signing chain as certificates: the seal's first, the trust root last."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    blocks = pem.unarmor(signing_chain().encode("ascii"), multiple=True)
    return [asn1_x509.Certificate.load(der) for _, _, der in blocks]


def _library(path: str) -> Any:
    import pkcs11

    return pkcs11.lib(path)


@contextmanager
def _seal_signer() -> Iterator[PKCS11Signer]:
    """A pyHanko signer on one fresh PKCS#11 session, closed on exit.

    Any PKCS#11 fault, opening the session or signing in it, becomes
    ``HsmUnavailable``.
    """
    import pkcs11
    from pyhanko.sign.pkcs11 import PKCS11Signer

    settings = get_settings()
    seal_certificate, *issuers = chain_certificates()
    try:
        token = _library(settings.hsm_module).get_token(
            token_label=settings.hsm_token_label
        )
        with token.open(user_pin=_hsm_pin()) as session:
            yield PKCS11Signer(
                session,
                signing_cert=seal_certificate,
                ca_chain=issuers,
                key_label=settings.hsm_key_label,
                other_certs_to_pull=(),
            )
    except pkcs11.PKCS11Error as exc:
        raise HsmUnavailable(f"HSM refused: {type(exc).__name__}") from exc


def seal_pdf(source: IO[bytes], output: IO[bytes]) -> Seal:
    """Write ``source`` sealed as PAdES B-B to ``output`` (seekable, readable).

    The original bytes are copied unchanged and the signature added as an
    incremental update covering the whole file. pyHanko reads leniently: real
    scanner PDFs carry small defects (Pillow writes generation 65536 for object
    0), and the seal covers every byte anyway. Raises ``UnsignableDocument``
    when pyHanko cannot update the PDF (encrypted, broken cross-references, a
    filled field of the seal's name), ``HsmUnavailable`` when the token cannot
    sign.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
    )
    try:
        writer = IncrementalPdfFileWriter(source, strict=False)
        with _seal_signer() as signer:
            signers.PdfSigner(metadata, signer).sign_pdf(writer, output=output)
            seal = _seal_of(signer, PADES, datetime.now(UTC))
        output.seek(0)
        embedded = PdfFileReader(output, strict=False).embedded_signatures[-1]
    except (PdfError, SigningError) as exc:
        raise UnsignableDocument(f"the PDF cannot be sealed: {exc}") from exc
    signed_at = embedded.self_reported_timestamp or seal.signing_time
    return Seal(
        seal.format,
        seal.algorithm,
        seal.certificate_subject,
        seal.certificate_serial,
        signed_at,
    )


def seal_detached(source: IO[bytes]) -> tuple[bytes, Seal]:
    """Sign ``source`` as a detached CMS SignedData; return its DER and the seal.

    The signed attributes are content-type, message-digest, signing-time (and
    pyHanko's signing-certificate-v2 and algorithm protection).
    """
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    signing_time = datetime.now(UTC).replace(microsecond=0)
    attributes = PdfCMSSignedAttributes(signing_time=signing_time)
    with _seal_signer() as signer:
        content = asyncio.run(
            signer.async_sign_general_data(
                source, DIGEST, detached=True, signed_attr_settings=attributes
            )
        )
        seal = _seal_of(signer, CMS, signing_time)
    return bytes(content.dump()), seal


def _seal_of(signer: PKCS11Signer, format_name: str, signing_time: datetime) -> Seal:
    certificate = signer.signing_cert
    mechanism = signer.get_signature_mechanism_for_digest(DIGEST)
    return Seal(
        format=format_name,
        algorithm=str(mechanism["algorithm"].native),
        certificate_subject=subject_of(certificate),
        certificate_serial=format(certificate.serial_number, "x"),
        signing_time=signing_time,
    )


def subject_of(certificate: asn1_x509.Certificate) -> str:
    """A certificate's subject as RFC 4514, e.g. ``CN=Justicia court seal,C=MA``."""
    from cryptography import x509

    loaded = x509.load_der_x509_certificate(certificate.dump())
    return loaded.subject.rfc4514_string()


def _validation_context() -> ValidationContext:
    """Trust the chain's last certificate only; never fetch anything."""
    from pyhanko_certvalidator import ValidationContext

    *_, root = chain_certificates()
    return ValidationContext(
        trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"
    )


def verify_pdf(signed: IO[bytes]) -> Verification:
    """Check the last PAdES signature of ``signed`` and that it covers the file.

    Bytes that cannot be parsed, or a signature that does not cover the whole
    file (something appended after sealing), are reported as not intact.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        embedded = PdfFileReader(signed, strict=False).embedded_signatures
        if not embedded:
            return broken(PADES, "the PDF carries no signature")
        status = validate_pdf_signature(embedded[-1], _validation_context())
    except Exception as exc:  # noqa: BLE001 - unreadable bytes are a finding
        return broken(PADES, f"the signed PDF cannot be read: {type(exc).__name__}")
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return _verification(PADES, status, whole_file)


def verify_detached(data: IO[bytes], signature: bytes) -> Verification:
    """Check a detached CMS ``signature`` (DER) over the bytes of ``data``."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status = asyncio.run(
            async_validate_detached_cms(
                data, signed_data, signer_validation_context=_validation_context()
            )
        )
    except Exception as exc:  # noqa: BLE001 - unreadable bytes are a finding
        return broken(CMS, f"the signature cannot be read: {type(exc).__name__}")
    return _verification(CMS, status, True)


def _verification(format_name: str, status: Any, whole_file: bool) -> Verification:
    intact = bool(status.intact and status.valid and whole_file)
    trusted = bool(status.trusted)
    if not status.intact or not status.valid:
        reason = "the signed bytes changed after signing"
    elif not whole_file:
        reason = "the signature does not cover the whole file"
    elif not trusted:
        reason = "the certificate does not chain to the court's trust root"
    else:
        reason = "the seal is intact and made by the court's certificate"
    return Verification(
        format=format_name,
        intact=intact,
        trusted=trusted,
        signed_at=status.signer_reported_dt,
        signer=subject_of(status.signing_cert),
        algorithm=str(status.pkcs7_signature_mechanism),
        reason=reason,
    )


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
