"""Court documents: announcing an upload, and reading a document's state.

A document moves ``AWAITING_UPLOAD -> RECEIVED -> OCR_DONE -> SIGNED``, or ends
``FAILED`` with a reason. Its bytes live in the documents bucket under
``uploads/<case id>/<document id>/original`` (API uploads) or where a scanner
dropped them under ``incoming/``; the text read lives in S3 as JSON. A signed
PDF is a new object under ``signed/``; any other file's detached CMS signature
lives under ``signatures/``. The original is never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib import audit
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.court_time import court_iso
from chalicelib.errors import (
    DOCUMENT_FAILURES,
    TEXT_LAYER_REASONS,
    Conflict,
    NotFound,
    ValidationFailed,
)
from chalicelib.models import CaseModel, DocumentModel, connection
from chalicelib.schemas import CreateDocumentRequest

UPLOAD_URL_SECONDS = 900
FETCH_CHUNK = 1024 * 1024


def upload_key(case_id: str, document_id: str) -> str:
    """S3 key an API upload must use, e.g. ``uploads/<case>/<doc>/original``."""
    return f"uploads/{case_id}/{document_id}/original"


def text_key(case_id: str, document_id: str) -> str:
    """S3 key of the JSON holding a document's text, page by page."""
    return f"texts/{case_id}/{document_id}.json"


def page_progress_prefix(case_id: str, document_id: str) -> str:
    """S3 prefix of the pages read so far, e.g. ``tmp/ocr/<case>/<doc>/``.

    Pages land there one by one while a document is read, so a retry after a
    crash resumes; they are removed once the whole text is stored, and the
    bucket's lifecycle expires whatever an abandoned attempt left under
    ``tmp/``.
    """
    return f"tmp/ocr/{case_id}/{document_id}/"


def encryption_arguments() -> dict[str, str]:
    """S3 arguments that encrypt a written object with the stage's KMS key.

    Empty when no key is configured: the bucket's default encryption applies.
    """
    key_id = get_settings().documents_kms_key_id
    if not key_id:
        return {}
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_id}


def signed_pdf_key(case_id: str, document_id: str) -> str:
    """S3 key of a PDF sealed as PAdES, e.g. ``signed/<case>/<doc>.pdf``."""
    return f"signed/{case_id}/{document_id}.pdf"


def searchable_pdf_key(case_id: str, document_id: str) -> str:
    """S3 key of a scan with its text layer, before sealing.

    E.g. ``tmp/searchable/<case>/<doc>.pdf``: the sealed copy is what stays;
    this one expires with ``tmp/``.
    """
    return f"tmp/searchable/{case_id}/{document_id}.pdf"


def words_key(case_id: str, document_id: str) -> str:
    """S3 key of the word boxes found at reading, ``tmp/words/<case>/<doc>.json``."""
    return f"tmp/words/{case_id}/{document_id}.json"


def detached_signature_key(case_id: str, document_id: str) -> str:
    """S3 key of a detached CMS signature, e.g. ``signatures/<case>/<doc>.p7s``."""
    return f"signatures/{case_id}/{document_id}.p7s"


def create_document(
    case: CaseModel, request: CreateDocumentRequest, actor: audit.Actor
) -> tuple[DocumentModel, dict[str, Any]]:
    """Record a new document awaiting upload and return it with its upload form.

    The presigned POST pins the key, the content type and the size range; the
    pipeline re-checks all three on arrival, since not every S3 enforces them.
    """
    settings = get_settings()
    if request.size > settings.max_upload_bytes:
        raise ValidationFailed.field(
            "size", f"must be at most {settings.max_upload_bytes} bytes"
        )
    now = datetime.now(UTC)
    document_id = str(uuid.uuid4())
    document = DocumentModel(
        case_id=case.case_id,
        document_id=document_id,
        status="AWAITING_UPLOAD",
        filename=request.filename,
        content_type=request.content_type,
        declared_size=request.size,
        object_key=upload_key(case.case_id, document_id),
        source="api",
        origin=origin_of(actor.role),
        created_at=now,
        created_by=actor.username,
        updated_at=now,
    )
    entry = audit.AuditEntry(
        action="CREATE_DOCUMENT",
        target=f"case#{case.case_id}",
        details={"document_id": document_id, "content_type": request.content_type},
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.condition_check(
            CaseModel, case.case_id, condition=CaseModel.case_id.exists()
        )
        transaction.save(document, condition=DocumentModel.document_id.does_not_exist())
        transaction.save(audit.build_record(actor, entry, now))
    return document, presigned_upload(document)


def origin_of(role: str) -> str:
    """``court`` for a document brought in by court staff, else ``filing``."""
    return "court" if role in ("ADMIN", "JUDGE", "CLERK", "SYSTEM") else "filing"


def presigned_upload(document: DocumentModel) -> dict[str, Any]:
    """Build the presigned POST (URL and form fields) for a document's upload.

    Its policy pins the key (boto3 adds that condition), the content type, the
    size (1 byte to the announced size) and, with a KMS key configured, SSE-KMS
    with that key.
    """
    settings = get_settings()
    fields = {"Content-Type": document.content_type, **_encryption_fields()}
    form = client("s3").generate_presigned_post(
        Bucket=settings.documents_bucket,
        Key=document.object_key,
        Fields=fields,
        Conditions=[
            *({name: value} for name, value in fields.items()),
            ["content-length-range", 1, int(document.declared_size)],
        ],
        ExpiresIn=UPLOAD_URL_SECONDS,
    )
    return {
        "url": form["url"],
        "fields": form["fields"],
        "expires_in": UPLOAD_URL_SECONDS,
    }


def _encryption_fields() -> dict[str, str]:
    key_id = get_settings().documents_kms_key_id
    if not key_id:
        return {}
    return {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": key_id,
    }


def get_document(case_id: str, document_id: str) -> DocumentModel:
    """Return the document of a case, or raise ``NotFound``."""
    try:
        return DocumentModel.get(case_id, document_id)
    except DoesNotExist as exc:
        raise NotFound("document not found") from exc


def list_documents(case_id: str, limit: int = 200) -> list[DocumentModel]:
    """Return the documents of a case, oldest first (one query, at most ``limit``)."""
    rows = DocumentModel.query(case_id, limit=limit)
    return sorted(rows, key=lambda row: (row.created_at, row.document_id))


def read_text(document: DocumentModel) -> list[dict[str, Any]]:
    """Return the pages read from a document (empty before OCR)."""
    if not document.text_key:
        return []
    body = client("s3").get_object(
        Bucket=get_settings().documents_bucket, Key=document.text_key
    )
    pages: list[dict[str, Any]] = json.loads(body["Body"].read())["pages"]
    return pages


def document_json(document: DocumentModel, *, with_text: bool = True) -> dict[str, Any]:
    """Render a document for the API."""
    data: dict[str, Any] = {
        "document_id": document.document_id,
        "case_id": document.case_id,
        "status": document.status,
        "filename": document.filename,
        "content_type": document.content_type,
        "source": document.source,
        "origin": document.origin or "court",
        "created_by": document.created_by,
        "size": document.size,
        "sha256": document.sha256,
        "pages": document.pages,
        "language": document.language,
        "created_at": court_iso(document.created_at),
        "updated_at": court_iso(document.updated_at),
        "signature": _signature_json(document),
        "text_layer": _text_layer_json(document),
    }
    if document.failure_reason:
        data["reason"] = document.failure_reason
        code = document.failure_code or "document_failed"
        data["reason_messages"] = DOCUMENT_FAILURES.get(
            code, DOCUMENT_FAILURES["document_failed"]
        )
    if with_text:
        data["text"] = read_text(document)
    return data


def _text_layer_json(document: DocumentModel) -> dict[str, Any] | None:
    """Whether the sealed PDF is searchable, and if not why, in ar and fr."""
    layer = document.text_layer
    if layer is None:
        return None
    return {
        "status": layer.status,
        "method": layer.method,
        "reason": layer.code,
        "reason_messages": TEXT_LAYER_REASONS.get(layer.code or ""),
        "source_sha256": layer.source_sha256,
    }


def _signature_json(document: DocumentModel) -> dict[str, Any] | None:
    signature = document.signature
    if signature is None:
        return None
    return {
        "origin": document.origin or "court",
        "created_by": document.created_by,
        "format": signature.format,
        "algorithm": signature.algorithm,
        "certificate_subject": signature.certificate_subject,
        "certificate_serial": signature.certificate_serial,
        "signing_time": court_iso(signature.signing_time),
        "signed_object": {
            "location": signature.object_key,
            "sha256": signature.object_sha256,
        },
    }


def verify_document(document: DocumentModel) -> dict[str, Any]:
    """Check a signed document's seal, chain and bytes; render the outcome.

    Reads the current versions, the ones anybody would download: the signed
    PDF for PAdES, the original and its ``.p7s`` for CMS. A signed object whose
    SHA-256 is not the one recorded at signing is reported as not intact, even
    when it carries another valid seal. Raises ``Conflict`` before signing.
    """
    from chalicelib import signing

    signature = document.signature
    if document.status != "SIGNED" or signature is None:
        raise Conflict("the document is not signed")
    with tempfile.TemporaryDirectory(prefix="justicia-verify-") as workdir:
        sealed = Path(workdir) / "sealed"
        sealed_digest = fetch(signature.object_key, sealed)
        if signature.format == signing.PADES:
            with sealed.open("rb") as stream:
                outcome = signing.verify_pdf(stream)
        else:
            original = Path(workdir) / "original"
            fetch(document.object_key, original)
            with original.open("rb") as stream:
                outcome = signing.verify_detached(stream, sealed.read_bytes())
    if outcome.intact and sealed_digest != signature.object_sha256:
        outcome = replace(
            outcome, intact=False, reason="the signed object is not the one recorded"
        )
    return outcome.as_json()


def fetch(key: str, path: Path, version_id: str | None = None) -> str:
    """Stream an object of the documents bucket to ``path``; return its SHA-256.

    Without ``version_id``, the current version: what anyone would download.
    """
    version = {"VersionId": version_id} if version_id else {}
    body = client("s3").get_object(
        Bucket=get_settings().documents_bucket, Key=key, **version
    )["Body"]
    digest = hashlib.sha256()
    with path.open("wb") as sink:
        for chunk in body.iter_chunks(FETCH_CHUNK):
            digest.update(chunk)
            sink.write(chunk)
    return digest.hexdigest()
