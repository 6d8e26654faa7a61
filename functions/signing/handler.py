"""Signing function: documents read by OCR -> signed in the HSM.

Messages ``{"case_id", "document_id"}`` come from the signing queue. HSM faults
are retried by the queue; the last attempt marks the document ``FAILED``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import pipeline, workers
from chalicelib.documents import get_document
from chalicelib.errors import NotFound
from chalicelib.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    """Sign the document named by one message (no-op if already signed)."""
    message = workers.json_body(record)
    try:
        document = get_document(message["case_id"], message["document_id"])
    except NotFound:
        logger.warning("signing request for an unknown document")
        return
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    try:
        pipeline.sign(document)
    except pipeline.DocumentRejected as exc:
        pipeline.refuse(document, exc)
    except Exception as exc:
        if workers.is_last_attempt(record):
            pipeline.mark_failed(document, f"signing failed after retries: {exc}")
        raise


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Lambda entry point (SQS batch with partial failures)."""
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
