"""Court documents: announcing an upload, and reading a document's state.

A document moves ``AWAITING_UPLOAD -> RECEIVED -> OCR_DONE -> SIGNED``, or ends
``FAILED`` with a reason. Its bytes live in the documents bucket under
``uploads/<case id>/<document id>/original`` (API uploads) or where a scanner
dropped them under ``incoming/``; the text read lives in S3 as JSON.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib import audit
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.models import CaseModel, DocumentModel, connection
from chalicelib.schemas import CreateDocumentRequest

UPLOAD_URL_SECONDS = 900


def upload_key(case_id: str, document_id: str) -> str:
    """S3 key an API upload must use, e.g. ``uploads/<case>/<doc>/original``."""
    return f"uploads/{case_id}/{document_id}/original"


def text_key(case_id: str, document_id: str) -> str:
    """S3 key of the JSON holding a document's text, page by page."""
    return f"texts/{case_id}/{document_id}.json"


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


def presigned_upload(document: DocumentModel) -> dict[str, Any]:
    """Build the presigned POST (URL and form fields) for a document's upload."""
    settings = get_settings()
    form = client("s3").generate_presigned_post(
        Bucket=settings.documents_bucket,
        Key=document.object_key,
        Fields={"Content-Type": document.content_type},
        Conditions=[
            {"Content-Type": document.content_type},
            ["content-length-range", 1, int(document.declared_size)],
        ],
        ExpiresIn=UPLOAD_URL_SECONDS,
    )
    return {
        "url": form["url"],
        "fields": form["fields"],
        "expires_in": UPLOAD_URL_SECONDS,
    }


def get_document(case_id: str, document_id: str) -> DocumentModel:
    """Return the document of a case, or raise ``NotFound``."""
    try:
        return DocumentModel.get(case_id, document_id)
    except DoesNotExist as exc:
        raise NotFound("document not found") from exc


def list_documents(case_id: str, limit: int = 200) -> list[DocumentModel]:
    """Return the documents of a case (one query, at most ``limit``)."""
    return list(DocumentModel.query(case_id, limit=limit))


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
        "size": document.size,
        "sha256": document.sha256,
        "pages": document.pages,
        "language": document.language,
        "created_at": document.created_at.isoformat(),
        "updated_at": document.updated_at.isoformat(),
        "signature": _signature_json(document),
    }
    if document.failure_reason:
        data["reason"] = document.failure_reason
    if with_text:
        data["text"] = read_text(document)
    return data


def _signature_json(document: DocumentModel) -> dict[str, Any] | None:
    signature = document.signature
    if signature is None:
        return None
    return {
        "algorithm": signature.algorithm,
        "certificate_subject": signature.certificate_subject,
        "certificate_serial": signature.certificate_serial,
        "signing_time": signature.signing_time.isoformat(),
        "value": signature.value,
        "certificate_chain_location": signature.certificate_key,
    }
