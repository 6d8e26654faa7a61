"""The event-driven functions and the queues that feed them.

One definition for the CDK app (AWS) and for the local event loop (devstack).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueFunction:
    """A Lambda function fed by an SQS queue (with its dead-letter queue)."""

    name: str
    handler: str
    queue: str
    batch_size: int
    timeout_seconds: int
    memory_mb: int


QUEUE_FUNCTIONS: tuple[QueueFunction, ...] = (
    QueueFunction(
        "ocr", "functions.ocr.handler.lambda_handler", "document-events", 1, 300, 2048
    ),
    QueueFunction(
        "signing", "functions.signing.handler.lambda_handler", "signing", 5, 60, 512
    ),
    # Textract's job completions (SNS -> SQS): fetch, parse and keep the
    # result, then queue the document back to the OCR function.
    QueueFunction(
        "textract",
        "functions.textract.handler.lambda_handler",
        "textract-completions",
        5,
        300,
        1024,
    ),
)
MAINTENANCE_HANDLER = "functions.maintenance.handler.lambda_handler"
