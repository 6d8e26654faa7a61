"""Textract completion function: SNS -> SQS ``textract-completions`` -> here.

Each message is Textract's completion of an asynchronous text detection
(``chalicelib.textract_jobs``), wrapped by SNS. The job is matched to the
document that records it; its pages are fetched, parsed and kept, and the
document is queued back to the OCR function, ``{"textract": {"case_id",
"document_id", "job_id"}}``, which reads it with them.

A completion is processed once (Powertools idempotency, keyed on the job and
its status). One that matches a document no longer waiting for that job is
ignored, with its reason logged and ``TextractCompletionsIgnored`` counted.
One that matches no document is counted (``TextractCompletionsUnmatched``) and
reported failed: the record of a job may lag its completion by a moment, so
the queue retries it, and after ``JUSTICIA_MAX_RECEIVE_COUNT`` receives it
rests in the dead-letter queue (14 days, alarmed), never dropped silently.
Logs carry the job id and status only: the message also names the object key,
which may carry a file name, and it is never logged.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import idempotent_function

from chalicelib import textract_jobs, workers
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.observability import count, logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


@idempotent_function(
    data_keyword_argument="completion",
    persistence_store=workers.idempotency_store(),
    config=workers.idempotency_config(),
)
def process_completion(*, completion: dict[str, Any]) -> str:
    """Collect one finished job for its document; return the outcome."""
    finished = textract_jobs.Completion.model_validate(completion)
    document = textract_jobs.document_of(finished)
    logger.append_keys(case_id=document.case_id, document_id=document.document_id)
    reason = textract_jobs.why_ignored(document, finished)
    if reason is not None:
        count("TextractCompletionsIgnored")
        logger.info("textract completion ignored", extra={"reason": reason})
        return "ignored"
    textract_jobs.collect(document, finished)
    request = {
        "case_id": document.case_id,
        "document_id": document.document_id,
        "job_id": finished.job_id,
    }
    client("sqs").send_message(
        QueueUrl=get_settings().document_events_queue_url,
        MessageBody=json.dumps({"textract": request}),
    )
    return "collected"


def record_handler(record: SQSRecord) -> None:
    """Handle one completion message; an unmatched job fails the record."""
    completion = textract_jobs.completion_of(record.body)
    logger.append_keys(job_id=completion.job_id, job_status=completion.status)
    try:
        outcome = process_completion(completion=completion.model_dump())
    except textract_jobs.UnknownJob:
        count("TextractCompletionsUnmatched")
        logger.warning("textract completion for a job no document records")
        raise
    logger.info("textract completion processed", extra={"outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Lambda entry point (SQS batch with partial failures)."""
    workers.idempotency_config().register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
