"""The court seal: standard signatures made inside the HSM, and their checks.

A PDF is sealed as PAdES (baseline B-B, an incremental update covering the
whole file); any other file gets a detached CMS signature (a ``.p7s`` with the
signed attributes content-type, message-digest and signing-time). Both are made
by pyHanko over python-pkcs11: the private key never leaves the token (SoftHSM
locally, AWS CloudHSM's PKCS#11 library in AWS, ``JUSTICIA_HSM_MODULE``). The
PIN comes from Secrets Manager and the certificate chain from SSM Parameter
Store. PKCS#11 sessions are kept open in a small pool and reused from seal to
seal (opening a session and finding the key cost more than a signature); a
kept session that fails (the HSM restarted, a logout ended it) is thrown away
with all the others and the seal is tried once more on a fresh session.
Login state is per token: the first session logs in, the others share it.

Verification trusts only the last certificate of that chain (the court's CA)
and fetches nothing: no OCSP, CRL or timestamp server is ever contacted.

NOTE: revocation is not checked (soft-fail without fetching): the local test
CA publishes no CRL or OCSP. It matters once a production CA is used; then
the validation context needs its revocation data, fetched by the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any, TypeVar

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.court_time import court_iso

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.pkcs11 import PKCS11Signer
    from pyhanko_certvalidator import ValidationContext

PADES = "PAdES"
CMS = "CMS"
DIGEST = "sha256"
SEAL_FIELD = "CourtSeal"
# Sessions kept open per process; Lambda signs one document at a time, the
# local stack and benchmarks a few side by side.
POOL_SIZE = 4
SIGNATURE_ROOM_MARGIN = 4096
T = TypeVar("T")


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
            "signed_at": court_iso(self.signed_at),
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


@dataclass
class _Lease:
    """One open session, its signer, and whether an earlier seal used it."""

    session: Any
    signer: PKCS11Signer
    reused: bool = False


class SessionPool:
    """Open PKCS#11 sessions on one token and key, lent out one seal at a time.

    A session is never used by two threads at once: each seal takes one from
    the idle list (or opens one) and gives it back when done. When a session
    that was kept fails, every kept session is closed (a restarted HSM or a
    logout leaves them all dead) and the work is tried once on a new one.
    """

    def __init__(self, module: str, token_label: str, key_label: str) -> None:
        self.module = module
        self.token_label = token_label
        self.key_label = key_label
        self.opened = 0
        self._idle: list[_Lease] = []
        self._lock = threading.Lock()

    def run(self, work: Callable[[PKCS11Signer], T]) -> T:
        """Run ``work`` with a signer; PKCS#11 faults propagate after one retry."""
        import pkcs11

        lease = self._take()
        try:
            return self._use(lease, work)
        except pkcs11.PKCS11Error:
            if not lease.reused:
                raise
        self.close()
        return self._use(self._take(), work)

    def close(self) -> None:
        """Close every idle session (ignoring faults of sessions already dead)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for lease in idle:
            self._discard(lease)

    def _use(self, lease: _Lease, work: Callable[[PKCS11Signer], T]) -> T:
        import pkcs11

        try:
            result = work(lease.signer)
        except pkcs11.PKCS11Error:
            self._discard(lease)
            raise
        except BaseException:
            self._give_back(lease)
            raise
        self._give_back(lease)
        return result

    def _take(self) -> _Lease:
        with self._lock:
            if self._idle:
                lease = self._idle.pop()
                lease.reused = True
                return lease
        return self._open()

    def _give_back(self, lease: _Lease) -> None:
        with self._lock:
            if len(self._idle) < POOL_SIZE:
                self._idle.append(lease)
                return
        self._discard(lease)

    def _discard(self, lease: _Lease) -> None:
        import pkcs11

        with contextlib.suppress(pkcs11.PKCS11Error):
            lease.session.close()

    def _open(self) -> _Lease:
        import pkcs11

        token = _library(self.module).get_token(token_label=self.token_label)
        try:
            session = token.open(user_pin=_hsm_pin())
        except pkcs11.UserAlreadyLoggedIn:
            session = token.open()  # the token's login covers it
        self.opened += 1
        seal_certificate, *issuers = chain_certificates()
        signer = _timed_signer_class()(
            session,
            signing_cert=seal_certificate,
            ca_chain=issuers,
            key_label=self.key_label,
            other_certs_to_pull=(),
        )
        return _Lease(session, signer)


@lru_cache(maxsize=1)
def _timed_signer_class() -> type[PKCS11Signer]:
    """The PKCS#11 signer of pyHanko, noting the signing time of each signature.

    pyHanko puts that time in the CMS signing-time attribute (UTCTime, whole
    seconds); keeping it spares reading the sealed PDF back to learn it.
    """
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class TimedSigner(PKCS11Signer):
        signing_time: datetime | None = None

        async def async_sign(self, *args: Any, **kwargs: Any) -> Any:
            attributes = kwargs.get("signed_attr_settings")
            if not kwargs.get("dry_run") and attributes is not None:
                self.signing_time = attributes.signing_time
            return await super().async_sign(*args, **kwargs)

    return TimedSigner


def _signed_at(signer: PKCS11Signer) -> datetime:
    """The signing-time attribute of the signer's last signature, as embedded."""
    signing_time = getattr(signer, "signing_time", None) or datetime.now(UTC)
    return signing_time.astimezone(UTC).replace(microsecond=0)


_POOLS: dict[tuple[str, str, str], SessionPool] = {}
_POOLS_LOCK = threading.Lock()


def session_pool() -> SessionPool:
    """The pool of the configured module, token and key (one per process)."""
    settings = get_settings()
    key = (settings.hsm_module, settings.hsm_token_label, settings.hsm_key_label)
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = SessionPool(*key)
        return _POOLS[key]


def with_seal_signer(work: Callable[[PKCS11Signer], T]) -> T:
    """Run ``work`` with a pooled signer; PKCS#11 faults become ``HsmUnavailable``."""
    import pkcs11

    try:
        return session_pool().run(work)
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
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
    )

    def sign_with(signer: PKCS11Signer) -> Seal:
        source.seek(0)
        output.seek(0)
        output.truncate()
        writer = IncrementalPdfFileWriter(source, strict=False)
        signers.PdfSigner(metadata, signer).sign_pdf(
            writer, output=output, bytes_reserved=_signature_room()
        )
        return _seal_of(signer, PADES, _signed_at(signer))

    try:
        return with_seal_signer(sign_with)
    except (PdfError, SigningError) as exc:
        raise UnsignableDocument(f"the PDF cannot be sealed: {exc}") from exc


@lru_cache(maxsize=1)
def _signature_room() -> int:
    """Bytes reserved in a PDF for the seal's CMS, written as hex digits.

    Given instead of letting pyHanko estimate it by building a throw-away
    signature before every real one (a third of a seal's time). Room for the
    certificates and the RSA signature, with a 4 KB margin for the signed
    attributes and their encoding, doubled for hex.
    """
    certificates = sum(len(c.dump()) for c in chain_certificates())
    return 2 * (certificates + SIGNATURE_ROOM_MARGIN)


def seal_detached(source: IO[bytes]) -> tuple[bytes, Seal]:
    """Sign ``source`` as a detached CMS SignedData; return its DER and the seal.

    The signed attributes are content-type, message-digest, signing-time (and
    pyHanko's signing-certificate-v2 and algorithm protection).
    """
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    signing_time = datetime.now(UTC).replace(microsecond=0)
    attributes = PdfCMSSignedAttributes(signing_time=signing_time)

    def sign_with(signer: PKCS11Signer) -> tuple[bytes, Seal]:
        source.seek(0)
        content = asyncio.run(
            signer.async_sign_general_data(
                source, DIGEST, detached=True, signed_attr_settings=attributes
            )
        )
        return bytes(content.dump()), _seal_of(signer, CMS, signing_time)

    return with_seal_signer(sign_with)


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

    def find_key(signer: PKCS11Signer) -> None:
        signer.pkcs11_session.get_key(
            object_class=ObjectClass.PRIVATE_KEY, label=settings.hsm_key_label
        )

    session_pool().run(find_key)  # a session of its own would log the pool out
    return f"token {settings.hsm_token_label} key {settings.hsm_key_label}"
