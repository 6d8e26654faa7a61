"""The public register of seals: anyone holding a document may check it.

When the pipeline signs a document it writes, in the same transaction as the
``SIGNED`` status, two registry items per fingerprint: the entry
``SHA256#<hex>#<case>#<document>`` says where that document was filed (court
code and file number), and the head ``SHA256#<hex>`` lists every document
with these bytes (``documents``, added to, never overwritten) and repeats the
latest entry's fields. The original bytes are always registered; for a PDF
the sealed PDF is registered too (for a detached CMS signature the holder
keeps the original, so the ``.p7s`` is not). One scan filed in two cases
thus verifies in both, and the answer lists both.

A look-up by fingerprint costs two reads for bytes sealed once (the head,
then the document), four when several documents share them (the head, its
entries and documents in two batches); it answers only what each seal says
and where it was filed: never parties, subject, text or the case id. A check
of uploaded bytes also verifies the seal cryptographically, offline; a
detached signature is read from S3, pinned to the version written at signing
(one more call per document).

Public requests are counted per source address and minute
(``PUBLICIP#<address>#<minute>``, ``chalicelib.limits``) and are not audited:
an anonymous read changes nothing, and auditing it would let anyone fill the
audit trail.

Heads written before ``documents`` existed name one document, the one their
fields point at: they are read as such. An answer lists at most
``MAX_LISTED`` documents, the latest seals first.

NOTE: documents signed before the register existed have no fingerprints
until a backfill writes them. Refused requests are counted as
``PublicVerificationsLimited``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

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
MAX_LISTED = 25


class FingerprintModel(RegistryModel):
    """``SHA256#<hex>``: a sealed document's bytes, and where it was filed.

    ``fingerprint_of`` is ``signed`` (the sealed PDF) or ``original`` (the
    bytes as received). On the head item, ``documents`` holds every
    ``<case>/<document>`` sealed with these bytes; an entry item
    (``SHA256#<hex>#<case>#<document>``) describes one of them.
    """

    document_id = UnicodeAttribute(null=True)
    court_code = UnicodeAttribute(null=True)
    file_number = UnicodeAttribute(null=True)
    fingerprint_of = UnicodeAttribute(null=True)
    origin = UnicodeAttribute(null=True)
    documents = UnicodeSetAttribute(null=True)


@dataclass(frozen=True)
class Registration:
    """The register's writes for one signing: entries to put, heads to update."""

    entries: list[FingerprintModel]
    heads: list[tuple[FingerprintModel, list[Action]]]


@dataclass(frozen=True)
class Sealed:
    """One registered document with these bytes, and its seal."""

    entry: FingerprintModel
    seal: SignatureMap


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


def entry_key(sha256: str, case_id: str, document_id: str) -> str:
    """The key of one document's entry, ``SHA256#<hex>#<case>#<document>``."""
    return f"{fingerprint_key(sha256)}#{case_id}#{document_id}"


def document_ref(case_id: str, document_id: str) -> str:
    """How a head lists a document: ``<case>/<document>``."""
    return f"{case_id}/{document_id}"


def fingerprints(
    document: DocumentModel, seal: SignatureMap, court_code: str, file_number: str
) -> Registration:
    """The registry writes that make a document signed with ``seal`` verifiable.

    For the original bytes (``document.sha256``) and, for PAdES, the sealed
    PDF: the document's own entry, and an update of the head that adds the
    document to those sharing the bytes (others stay listed).
    """
    from chalicelib.signing import PADES

    hashes = {document.sha256: ORIGINAL}
    if seal.format == PADES:
        hashes[seal.object_sha256] = SIGNED
    registration = Registration(entries=[], heads=[])
    for sha256, role in hashes.items():
        if not sha256:
            continue
        entry = FingerprintModel(
            pk=entry_key(sha256, document.case_id, document.document_id),
            case_id=document.case_id,
            document_id=document.document_id,
            court_code=court_code,
            file_number=file_number,
            fingerprint_of=role,
            origin=document.origin or "court",
        )
        registration.entries.append(entry)
        registration.heads.append(_head_update(sha256, entry))
    return registration


def _head_update(
    sha256: str, entry: FingerprintModel
) -> tuple[FingerprintModel, list[Action]]:
    """The head's update: the latest entry's fields, plus its document."""
    model = FingerprintModel
    actions: list[Action] = [
        model.case_id.set(entry.case_id),
        model.document_id.set(entry.document_id),
        model.court_code.set(entry.court_code),
        model.file_number.set(entry.file_number),
        model.fingerprint_of.set(entry.fingerprint_of),
        model.origin.set(entry.origin),
        model.documents.add(
            {document_ref(entry.case_id or "", entry.document_id or "")}
        ),
    ]
    return FingerprintModel(pk=fingerprint_key(sha256)), actions


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
    found = _registered(parse_fingerprint(sha256))
    return {
        **public_json(found[0].entry, found[0].seal),
        "documents": [_document_json(item) for item in found],
    }


def verify_content(content: bytes) -> dict[str, Any]:
    """Look up the bytes' SHA-256, then check each seal over these very bytes.

    A sealed PDF is checked with its embedded PAdES signature; an original
    sealed with a detached CMS signature against that signature. The PDF as it
    was before sealing is registered but carries no seal: not intact. The
    top-level answer is the latest seal's; ``documents`` has each one's.
    """
    if len(content) > MAX_CONTENT_BYTES:
        raise PayloadTooLarge(_too_large())
    found = _registered(hashlib.sha256(content).hexdigest())
    checked = [
        {**_document_json(item), **_outcome_json(_check_seal(item, content))}
        for item in found
    ]
    latest = {key: checked[0][key] for key in ("valid", "intact", "trusted", "reason")}
    return {
        **public_json(found[0].entry, found[0].seal),
        **latest,
        "documents": checked,
    }


def public_json(entry: FingerprintModel, seal: SignatureMap) -> dict[str, Any]:
    """The public answer: the seal and where the document was filed, nothing more."""
    return {
        "registered": True,
        "sha256": entry.pk.removeprefix("SHA256#")[:64],
        **_document_json(Sealed(entry, seal)),
    }


def _document_json(item: Sealed) -> dict[str, Any]:
    """One document's part of the answer: its seal and where it was filed."""
    return {
        "fingerprint_of": item.entry.fingerprint_of,
        "signed_at": court_iso(item.seal.signing_time),
        "signer": item.seal.certificate_subject,
        "format": item.seal.format,
        "court_code": item.entry.court_code,
        "file_number": item.entry.file_number,
        "origin": item.entry.origin or "court",
    }


def _outcome_json(outcome: Any) -> dict[str, Any]:
    return {
        "valid": outcome.valid,
        "intact": outcome.intact,
        "trusted": outcome.trusted,
        "reason": outcome.reason,
    }


def _registered(sha256: str) -> list[Sealed]:
    """Every signed document registered with these bytes, latest seal first."""
    try:
        head = FingerprintModel.get(fingerprint_key(sha256))
    except DoesNotExist as exc:
        raise NotFound(NOT_REGISTERED) from exc
    entries = _entries(sha256, head)
    documents = _documents([(e.case_id or "", e.document_id or "") for e in entries])
    found = [
        Sealed(entry, document.signature)
        for entry in entries
        if (document := documents.get((entry.case_id, entry.document_id)))
        and document.status == "SIGNED"
        and document.signature is not None
    ]
    if not found:
        raise NotFound(NOT_REGISTERED)
    return sorted(found, key=lambda item: item.seal.signing_time, reverse=True)


def _entries(sha256: str, head: FingerprintModel) -> list[FingerprintModel]:
    """The entries a head lists; the head itself when it names one document."""
    refs = sorted(head.documents or ())[:MAX_LISTED]
    own = document_ref(head.case_id or "", head.document_id or "")
    if not refs or refs == [own]:
        return [head]
    keys = [entry_key(sha256, *ref.split("/", 1)) for ref in refs]
    return list(FingerprintModel.batch_get(keys))


def _documents(
    keys: list[tuple[str, str]],
) -> dict[tuple[str | None, str | None], DocumentModel]:
    """The documents named, by (case, document): one GetItem, or one batch."""
    if len(keys) == 1:
        try:
            document = DocumentModel.get(*keys[0])
        except DoesNotExist:
            return {}
        return {keys[0]: document}
    return {
        (document.case_id, document.document_id): document
        for document in DocumentModel.batch_get(keys)
    }


def _check_seal(item: Sealed, content: bytes) -> Any:
    from chalicelib import signing

    entry, seal = item.entry, item.seal

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
