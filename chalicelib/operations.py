"""Operators' repairs of the pipeline: redrive dead letters, reprocess documents.

``reprocess`` puts a document back on its way: a ``FAILED`` document is
reopened in the state it failed from (``OCR_DONE`` once its text was read,
``RECEIVED`` once its bytes were accepted, ``AWAITING_UPLOAD`` when they
arrived but were never checked), then queued for the step it needs; a
``RECEIVED`` or ``OCR_DONE`` document that got stuck is queued again. Bytes
refused and moved to quarantine cannot be reprocessed: they must be uploaded
again. Pages already read are kept, so reading resumes where it stopped.

``redrive`` moves the messages of a dead-letter queue back to its source
queue, reopening first the ``FAILED`` documents they name, so the retried
message does the work again instead of finding a finished document.

Every change is audited with the operator as the actor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib import audit, pipeline, workers
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.errors import NotFound
from chalicelib.models import DocumentModel, connection

QUEUES = {
    "ocr": "document-events",
    "signing": "signing",
    "textract": "textract-completions",
}
REQUEUED, REFUSED = "requeued", "refused"
RECEIVE_BATCH = 10


@dataclass(frozen=True)
class Outcome:
    """What reprocessing did to one document, and why."""

    document_id: str
    status: str
    result: str
    reason: str

    def as_json(self) -> dict[str, str]:
        """Render for the CLI's ``--json``."""
        return dict(self.__dict__)


def reprocess_case(
    case_id: str, actor: audit.Actor, document_id: str | None = None
) -> list[Outcome]:
    """Reprocess one document of a case, or every unfinished one.

    Raises ``NotFound`` when the case has no such document (or none at all).
    Signed documents of a case are left alone, and listed as refused.
    """
    if document_id is not None:
        documents = [_document(case_id, document_id)]
    else:
        documents = list(DocumentModel.query(case_id))
    if not documents:
        raise NotFound("no documents for this case")
    return [reprocess(document, actor) for document in documents]


def _document(case_id: str, document_id: str) -> DocumentModel:
    try:
        return DocumentModel.get(case_id, document_id, consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("document not found") from exc


def reprocess(document: DocumentModel, actor: audit.Actor) -> Outcome:
    """Reopen ``document`` if it failed, and queue the step it needs next."""
    if document.status == "FAILED":
        refusal = _reopen(document, actor)
        if refusal:
            return Outcome(document.document_id, document.status, REFUSED, refusal)
    elif document.status in ("RECEIVED", "OCR_DONE"):
        _record(actor, document, "REPROCESS_DOCUMENT", {"status": document.status})
    else:
        reason = {
            "SIGNED": "already signed",
            "AWAITING_UPLOAD": "nothing was uploaded yet",
        }.get(document.status, f"status {document.status}")
        return Outcome(document.document_id, document.status, REFUSED, reason)
    _queue_next_step(document)
    return Outcome(document.document_id, document.status, REQUEUED, "")


def reopening_status(document: DocumentModel) -> str | None:
    """The status a FAILED document goes back to; None if its bytes are gone.

    ``OCR_DONE`` when its text was read, ``RECEIVED`` when its bytes were
    accepted, ``AWAITING_UPLOAD`` when they arrived unchecked.
    """
    if document.text_key and document.sha256:
        return "OCR_DONE"
    if not _bytes_present(document):
        return None
    return "RECEIVED" if document.version_id else "AWAITING_UPLOAD"


def _bytes_present(document: DocumentModel) -> bool:
    s3 = client("s3")
    version = {"VersionId": document.version_id} if document.version_id else {}
    try:
        s3.head_object(
            Bucket=get_settings().documents_bucket,
            Key=document.object_key,
            **version,
        )
    except s3.exceptions.ClientError:
        return False
    return True


def _reopen(document: DocumentModel, actor: audit.Actor) -> str:
    """Move a FAILED document back; return a refusal reason, or ""."""
    status = reopening_status(document)
    if status is None:
        return "its bytes were refused or are gone: upload it again"
    now = datetime.now(UTC)
    entry = audit.AuditEntry(
        action="REPROCESS_DOCUMENT",
        target=f"case#{document.case_id}",
        details={
            "document_id": document.document_id,
            "status": status,
            "previous_reason": document.failure_reason or "",
        },
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.update(
            document,
            actions=[
                DocumentModel.status.set(status),
                DocumentModel.updated_at.set(now),
                DocumentModel.failure_reason.remove(),
                DocumentModel.failure_code.remove(),
            ],
            condition=DocumentModel.status == "FAILED",
        )
        transaction.save(audit.build_record(actor, entry, now))
    document.refresh(consistent_read=True)
    return ""


def _record(
    actor: audit.Actor, document: DocumentModel, action: str, details: dict[str, Any]
) -> None:
    audit.record(
        actor,
        audit.AuditEntry(
            action=action,
            target=f"case#{document.case_id}",
            details={"document_id": document.document_id, **details},
        ),
    )


def _queue_next_step(document: DocumentModel) -> None:
    if document.status == "OCR_DONE":
        workers.send_to_signing(document.case_id, document.document_id)
        return
    client("sqs").send_message(
        QueueUrl=queue_url("ocr"),
        MessageBody=json.dumps(
            {
                "reprocess": {
                    "case_id": document.case_id,
                    "document_id": document.document_id,
                }
            }
        ),
    )


def queue_url(name: str) -> str:
    """The URL of the ``ocr``, ``signing`` or ``textract`` queue of this stage.

    From the settings when given, else by its name, ``justicia-<stage>-signing``.
    """
    settings = get_settings()
    configured = {
        "ocr": settings.document_events_queue_url,
        "signing": settings.signing_queue_url,
        "textract": settings.textract_completions_queue_url,
    }[name]
    if configured:
        return configured
    queue_name = f"justicia-{settings.stage}-{QUEUES[name]}"
    return str(client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"])


def dead_letter_url(source_url: str) -> str:
    """The dead-letter queue a queue's redrive policy names."""
    sqs = client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=source_url, AttributeNames=["RedrivePolicy"]
    )["Attributes"]
    target_arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    return str(sqs.get_queue_url(QueueName=target_arn.rsplit(":", 1)[1])["QueueUrl"])


def redrive(name: str, actor: audit.Actor, limit: int | None = None) -> int:
    """Move the dead letters of a queue (``QUEUES``) back; count them.

    Each message is sent to the source queue before it is deleted from the
    dead-letter queue, so a crash may duplicate a message (the functions are
    idempotent) but never lose one. ``limit`` caps how many are moved.
    """
    source = queue_url(name)
    dead_letters = dead_letter_url(source)
    moved = 0
    while limit is None or moved < limit:
        batch = _receive(dead_letters, limit, moved)
        if not batch:
            break
        for message in batch:
            _reopen_named(name, message["Body"], actor)
            _move(message, source, dead_letters)
            moved += 1
    audit.record(
        actor,
        audit.AuditEntry(
            action="REDRIVE_QUEUE", target=f"queue#{name}", details={"moved": moved}
        ),
    )
    return moved


def _receive(url: str, limit: int | None, moved: int) -> list[dict[str, Any]]:
    wanted = RECEIVE_BATCH if limit is None else min(RECEIVE_BATCH, limit - moved)
    answer = client("sqs").receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=wanted,
        VisibilityTimeout=60,
        MessageAttributeNames=["All"],
    )
    messages: list[dict[str, Any]] = answer.get("Messages", [])
    return messages


def _move(message: dict[str, Any], source: str, dead_letters: str) -> None:
    sqs = client("sqs")
    attributes = message.get("MessageAttributes")
    sqs.send_message(
        QueueUrl=source,
        MessageBody=message["Body"],
        **({"MessageAttributes": attributes} if attributes else {}),
    )
    sqs.delete_message(QueueUrl=dead_letters, ReceiptHandle=message["ReceiptHandle"])


def _reopen_named(name: str, body: str, actor: audit.Actor) -> None:
    """Reopen the FAILED documents a dead letter names (others are left)."""
    for document in _documents_named(name, body):
        if document.status == "FAILED":
            _reopen(document, actor)


def _documents_named(name: str, body: str) -> list[DocumentModel]:
    try:
        message = json.loads(body)
    except json.JSONDecodeError:
        return []
    if name == "textract":
        return []  # Textract's completions name jobs, not documents
    requests = ("reprocess", "pages", "textract")
    if name == "signing" or any(request in message for request in requests):
        named = next((message[r] for r in requests if r in message), message)
        found = _found(named.get("case_id"), named.get("document_id"))
        return [found] if found else []
    documents = []
    for stored in workers.stored_objects(body):
        try:
            document = pipeline.locate_document(stored)
        except pipeline.DropRefused:
            continue
        if document is not None:
            documents.append(document)
    return documents


def _found(case_id: Any, document_id: Any) -> DocumentModel | None:
    if not isinstance(case_id, str) or not isinstance(document_id, str):
        return None
    try:
        return DocumentModel.get(case_id, document_id, consistent_read=True)
    except DoesNotExist:
        return None
