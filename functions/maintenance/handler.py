"""Maintenance function, fired by EventBridge schedules (locally by devstack).

``sweep_documents``: an announced upload that never arrived within a day ends
``FAILED``; documents stuck between steps for an hour are counted in a metric
so an alarm can call an operator.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import pipeline
from chalicelib.models import DocumentModel
from chalicelib.observability import count, logger, metrics, tracer

UPLOAD_WINDOW = timedelta(days=1)
STUCK_AFTER = timedelta(hours=1)


def sweep_documents(now: datetime) -> dict[str, int]:
    """Expire missing uploads and count stuck documents; return the figures."""
    expired = 0
    for document in DocumentModel.status_index.query(
        "AWAITING_UPLOAD", DocumentModel.updated_at < now - UPLOAD_WINDOW
    ):
        pipeline.mark_failed(document, "the upload never arrived")
        expired += 1
    stuck = sum(
        1
        for status in ("RECEIVED", "OCR_DONE")
        for _ in DocumentModel.status_index.query(
            status, DocumentModel.updated_at < now - STUCK_AFTER
        )
    )
    count("UploadsExpired", expired)
    count("DocumentsStuck", stuck)
    return {"expired": expired, "stuck": stuck}


JOBS = {"sweep_documents": sweep_documents}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the job named in the scheduled event's input (``{"job": ...}``)."""
    job = JOBS[event["job"]]
    result = job(datetime.now(UTC))
    logger.info("maintenance job done", extra={"job": event["job"], **result})
    return result
