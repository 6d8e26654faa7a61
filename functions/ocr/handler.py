"""OCR function: S3 ``ObjectCreated`` notifications (through SQS) -> text read.

Each object is checked (size, bytes, PDF safety), read page by page
(Tesseract, or Textract with Tesseract as fallback in AWS) and queued for
signing; refused bytes go to quarantine. A delivery is processed once
(Powertools idempotency, keyed on the announced object: bucket, key, size,
ETag and version). The same queue
carries operators' ``{"reprocess": {"case_id", "document_id"}}`` requests
(``justicia documents reprocess``), which re-run the same steps on the
document's stored bytes, and the chunks of long documents,
``{"pages": {"case_id", "document_id", "first", "last", "total"}}``, each read
by its own invocation; the one completing the document queues it for signing,
after giving a scanned PDF its text layer (``pipeline.make_searchable``).
In AWS, a PDF or TIFF waits for its asynchronous Textract job; the completion
function then queues ``{"textract": {"case_id", "document_id", "job_id"}}``,
and the document is read here with the job's kept result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import idempotent_function

from chalicelib import pipeline, workers
from chalicelib.documents import get_document
from chalicelib.errors import NotFound
from chalicelib.models import DocumentModel
from chalicelib.observability import count, logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


@idempotent_function(
    data_keyword_argument="s3_object",
    persistence_store=workers.idempotency_store(),
    config=workers.idempotency_config(),
)
def process_object(*, s3_object: dict[str, Any], last_attempt: bool) -> str:
    """Take one stored object through reception and reading; return its outcome."""
    stored = pipeline.StoredObject(**s3_object)
    try:
        document = pipeline.locate_document(stored)
    except pipeline.DropRefused as exc:
        pipeline.quarantine(stored, str(exc))
        return "quarantined"
    if document is None:
        pipeline.quarantine(stored, "no case or document matches this key")
        return "quarantined"
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    if pipeline.refuse_overwrite(document, stored):
        return "overwrite refused"
    return read_document(document, stored, last_attempt)


def resume_document(request: dict[str, Any], last_attempt: bool) -> str:
    """Re-run reception and reading of a document an operator reprocesses."""
    try:
        document = get_document(str(request["case_id"]), str(request["document_id"]))
    except NotFound:
        logger.warning("reprocess request for an unknown document")
        return "unknown document"
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    try:
        stored = pipeline.stored_object_of(document)
    except pipeline.DocumentRejected as exc:
        pipeline.refuse(document, exc)
        return "rejected"
    return read_document(document, stored, last_attempt)


def read_document(
    document: DocumentModel, stored: pipeline.StoredObject, last_attempt: bool
) -> str:
    """Accept and read a document's bytes, then queue it for signing."""

    def accept_and_read() -> None:
        pipeline.accept_upload(document, stored)
        pipeline.read_text(document)

    return _read(document, accept_and_read, last_attempt)


def read_pages(request: dict[str, Any], last_attempt: bool) -> str:
    """Read one chunk of a long document's pages (see ``pipeline.fan_out``)."""
    try:
        document = get_document(str(request["case_id"]), str(request["document_id"]))
    except NotFound:
        logger.warning("page chunk for an unknown document")
        return "unknown document"
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    pages = range(int(request["first"]), int(request["last"]) + 1)
    total = int(request["total"])
    return _read(
        document, lambda: pipeline.read_chunk(document, pages, total), last_attempt
    )


def read_with_job(request: dict[str, Any], last_attempt: bool) -> str:
    """Read a document whose Textract job finished (``textract_jobs``)."""
    from chalicelib import textract_jobs

    try:
        document = get_document(str(request["case_id"]), str(request["document_id"]))
    except NotFound:
        logger.warning("textract result for an unknown document")
        return "unknown document"
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    if document.textract_job_id != str(request["job_id"]):
        logger.info("textract result of a job the document no longer waits for")
        return "stale job"
    readings = textract_jobs.JobReadings(document)
    return _read(
        document, lambda: pipeline.read_text(document, primary=readings), last_attempt
    )


def _read(document: DocumentModel, read: Callable[[], None], last_attempt: bool) -> str:
    """Run ``read`` on ``document`` and say where the document stands.

    A refusal ends the document; a failure on the last try marks it failed;
    once every page is read, it goes to signing.
    """
    try:
        read()
    except pipeline.DocumentRejected as exc:
        pipeline.refuse(document, exc)
        return "rejected"
    except Exception as exc:
        if last_attempt:
            pipeline.mark_failed(
                document, f"reading failed after retries: {type(exc).__name__}"
            )
        raise
    if document.status == "OCR_DONE":
        _make_searchable(document)
        workers.send_to_signing(document.case_id, document.document_id)
    return document.status


def _make_searchable(document: DocumentModel) -> None:
    """Add the text layer; whatever goes wrong, the document goes on to signing."""
    try:
        pipeline.make_searchable(document)
    except Exception:  # noqa: BLE001 - a missing layer never blocks the seal
        count("TextLayersFailed")
        logger.exception("text layer step failed; the original will be sealed")


def record_handler(record: SQSRecord) -> None:
    """Process every object announced by one SQS message (or one request)."""
    request = workers.json_body(record)
    last_attempt = workers.is_last_attempt(record)
    if isinstance(request, dict) and "reprocess" in request:
        outcome = resume_document(request["reprocess"], last_attempt)
        logger.info("document reprocessed", extra={"outcome": outcome})
        return
    if isinstance(request, dict) and "textract" in request:
        outcome = read_with_job(request["textract"], last_attempt)
        logger.info("document read with its textract job", extra={"outcome": outcome})
        return
    if isinstance(request, dict) and "pages" in request:
        outcome = read_pages(request["pages"], last_attempt)
        logger.info("page chunk read", extra={"outcome": outcome})
        return
    for stored in workers.stored_objects(record.body):
        outcome = process_object(
            s3_object=stored.__dict__, last_attempt=workers.is_last_attempt(record)
        )
        logger.info(
            "object processed",
            extra={"object_ref": stored.reference, "outcome": outcome},
        )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Lambda entry point (SQS batch with partial failures)."""
    workers.idempotency_config().register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
