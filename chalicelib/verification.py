"""The public register of seals: anyone holding a document may check it.

When the pipeline signs a document it writes, in the same transaction as the
``SIGNED`` status, one registry item per fingerprint: ``SHA256#<hex>`` points
at the case and document, with the court code and file number. The original
bytes are always registered; for a PDF the sealed PDF is registered too (for a
detached CMS signature the holder keeps the original, so the ``.p7s`` is not).

A look-up by fingerprint costs two reads (the registry item, then the
document) and answers only what the seal says and where it was filed: never
parties, subject, text or the case id. A check of uploaded bytes also verifies
the seal cryptographically, offline; a detached signature is read from S3,
pinned to the version written at signing (a third call).

Public requests are counted per source address and minute
(``PUBLICIP#<address>#<minute>``, ``chalicelib.limits``) and are not audited:
an anonymous read changes nothing, and auditing it would let anyone fill the
audit trail.

NOTE: when the same bytes are sealed twice (one scan filed in two cases), the
latest signing owns the fingerprint; both seals stay valid. Documents signed
before the register existed have no fingerprints until a backfill writes them.
Refused requests are counted as ``PublicVerificationsLimited``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.court_time import court_iso
from chalicelib.errors import (
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    ValidationFailed,
)
from chalicelib.limits import count_this_minute
from chalicelib.models import DocumentModel, RegistryModel, SignatureMap
from chalicelib.observability import count

SIGNED = "signed"
ORIGINAL = "original"
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
MAX_CONTENT_BYTES = 4 * 1024 * 1024
MAX_BODY_BYTES = 4 * math.ceil(MAX_CONTENT_BYTES / 3) + 1024
NOT_REGISTERED = "no document with this fingerprint was sealed by the court"


class FingerprintModel(RegistryModel):
    """``SHA256#<hex>``: a sealed document's bytes, and where it was filed.

    ``fingerprint_of`` is ``signed`` (the sealed PDF) or ``original`` (the
    bytes as received).
    """

    document_id = UnicodeAttribute(null=True)
    court_code = UnicodeAttribute(null=True)
    file_number = UnicodeAttribute(null=True)
    fingerprint_of = UnicodeAttribute(null=True)
    origin = UnicodeAttribute(null=True)


class VerificationRequest(BaseModel):
    """``POST /public/verification``: ``{"content_base64": "JVBERi0xLjcK..."}``."""

    model_config = ConfigDict(extra="forbid")

    content_base64: str = Field(min_length=4)

    @field_validator("content_base64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError("must be standard base64, without line breaks") from exc
        return value

    @property
    def content(self) -> bytes:
        """The document's bytes."""
        return base64.b64decode(self.content_base64, validate=True)


def fingerprint_key(sha256: str) -> str:
    """The registry key of a fingerprint, e.g. ``SHA256#9f86d081...``."""
    return f"SHA256#{sha256}"


def fingerprints(
    document: DocumentModel, seal: SignatureMap, court_code: str, file_number: str
) -> list[FingerprintModel]:
    """The registry items that make a document signed with ``seal`` verifiable.

    The original bytes (``document.sha256``) and, for PAdES, the sealed PDF.
    """
    from chalicelib.signing import PADES

    hashes = {document.sha256: ORIGINAL}
    if seal.format == PADES:
        hashes[seal.object_sha256] = SIGNED
    return [
        FingerprintModel(
            pk=fingerprint_key(sha256),
            case_id=document.case_id,
            document_id=document.document_id,
            court_code=court_code,
            file_number=file_number,
            fingerprint_of=role,
            origin=document.origin or "court",
        )
        for sha256, role in hashes.items()
        if sha256
    ]


def parse_fingerprint(value: str) -> str:
    """A SHA-256 in hex, lower-cased; ``ValidationFailed`` naming ``sha256``.

    >>> parse_fingerprint("9F" * 32)
    '9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f'
    """
    if not SHA256_HEX.fullmatch(value):
        raise ValidationFailed.field("sha256", "must be 64 hexadecimal characters")
    return value.lower()


def requests_per_minute() -> int:
    """Public verifications allowed per source address and minute (default 60)."""
    return get_settings().public_verifications_per_minute


def limit_public_requests(
    address: str | None, moment: datetime | None = None, per_minute: int | None = None
) -> None:
    """Count a public request from ``address``; ``TooManyRequests`` past the limit."""
    allowed = requests_per_minute() if per_minute is None else per_minute
    if count_this_minute("PUBLICIP", address, moment or datetime.now(UTC)) <= allowed:
        return
    count("PublicVerificationsLimited")
    raise TooManyRequests(f"at most {allowed} verifications a minute from one address")


def check_body_size(raw_body: str | bytes | None) -> None:
    """Refuse a body too large to hold ``MAX_CONTENT_BYTES`` in base64 (413)."""
    if raw_body is not None and len(raw_body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(_too_large())


def look_up(sha256: str) -> dict[str, Any]:
    """What the register says of a fingerprint; ``NotFound`` when unknown."""
    entry, seal = _registered(parse_fingerprint(sha256))
    return public_json(entry, seal)


def verify_content(content: bytes) -> dict[str, Any]:
    """Look up the bytes' SHA-256, then check the seal over these very bytes.

    A sealed PDF is checked with its embedded PAdES signature; an original
    sealed with a detached CMS signature against that signature. The PDF as it
    was before sealing is registered but carries no seal: not intact.
    """
    if len(content) > MAX_CONTENT_BYTES:
        raise PayloadTooLarge(_too_large())
    entry, seal = _registered(hashlib.sha256(content).hexdigest())
    outcome = _check_seal(entry, seal, content)
    return {
        **public_json(entry, seal),
        "valid": outcome.valid,
        "intact": outcome.intact,
        "trusted": outcome.trusted,
        "reason": outcome.reason,
    }


def public_json(entry: FingerprintModel, seal: SignatureMap) -> dict[str, Any]:
    """The public answer: the seal and where the document was filed, nothing more."""
    return {
        "registered": True,
        "sha256": entry.pk.removeprefix("SHA256#"),
        "fingerprint_of": entry.fingerprint_of,
        "signed_at": court_iso(seal.signing_time),
        "signer": seal.certificate_subject,
        "format": seal.format,
        "court_code": entry.court_code,
        "file_number": entry.file_number,
        "origin": entry.origin or "court",
    }


def _registered(sha256: str) -> tuple[FingerprintModel, SignatureMap]:
    """The fingerprint's entry and its document's seal (two GetItems)."""
    try:
        entry = FingerprintModel.get(fingerprint_key(sha256))
        document = DocumentModel.get(entry.case_id or "", entry.document_id or "")
    except DoesNotExist as exc:
        raise NotFound(NOT_REGISTERED) from exc
    if document.status != "SIGNED" or document.signature is None:
        raise NotFound(NOT_REGISTERED)
    return entry, document.signature


def _check_seal(entry: FingerprintModel, seal: SignatureMap, content: bytes) -> Any:
    from chalicelib import signing

    if seal.format != signing.PADES:
        signature = _detached_signature(seal)
        if hashlib.sha256(signature).hexdigest() != seal.object_sha256:
            return signing.broken(seal.format, "the signature is not the one recorded")
        return signing.verify_detached(io.BytesIO(content), signature)
    if entry.fingerprint_of == ORIGINAL:
        return signing.broken(
            signing.PADES,
            "these are the bytes before sealing: the sealed PDF is signed",
        )
    return signing.verify_pdf(io.BytesIO(content))


def _detached_signature(seal: SignatureMap) -> bytes:
    """The ``.p7s`` written at signing (its recorded version when versioned)."""
    version = {"VersionId": seal.object_version} if seal.object_version else {}
    answer = client("s3").get_object(
        Bucket=get_settings().documents_bucket, Key=seal.object_key, **version
    )
    return bytes(answer["Body"].read())


def _too_large() -> str:
    return (
        f"at most {MAX_CONTENT_BYTES} bytes; for a larger file send its SHA-256 "
        "to GET /public/verification/{sha256}"
    )
