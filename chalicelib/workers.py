"""Shared plumbing of the queue-driven functions.

S3 notifications arrive through SQS; keys arrive URL-encoded. A record that
fails is retried by the queue; on its last attempt the document is marked
``FAILED`` first, so nothing is stuck silently once the event is dead-lettered.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from chalicelib.config import get_settings
from chalicelib.pipeline import StoredObject

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )


def stored_objects(message_body: str) -> list[StoredObject]:
    """Return the created objects an S3 notification announces.

    The ``s3:TestEvent`` S3 sends when notifications are configured announces
    none. Keys are URL-decoded: ``incoming%2FTPI-RABAT%2F17-1201-2026%2Fp1.pdf``
    becomes ``incoming/TPI-RABAT/17-1201-2026/p1.pdf``.
    """
    notification = json.loads(message_body)
    return [
        StoredObject(
            bucket=record["s3"]["bucket"]["name"],
            key=unquote_plus(record["s3"]["object"]["key"]),
            size=int(record["s3"]["object"].get("size", 0)),
            etag=str(record["s3"]["object"].get("eTag", "")),
            version_id=record["s3"]["object"].get("versionId"),
        )
        for record in notification.get("Records", [])
        if str(record.get("eventName", "")).startswith("ObjectCreated")
    ]


def is_last_attempt(record: SQSRecord) -> bool:
    """True when the queue will dead-letter this message if it fails again."""
    received = int(record.attributes.approximate_receive_count or 1)
    return received >= get_settings().max_receive_count


@lru_cache(maxsize=1)
def idempotency_store() -> DynamoDBPersistenceLayer:
    """The Powertools idempotency store, on the ``idempotency`` table."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from chalicelib.aws import client

    return DynamoDBPersistenceLayer(
        table_name=get_settings().table_name("idempotency"),
        boto3_client=client("dynamodb"),
    )


@lru_cache(maxsize=1)
def idempotency_config() -> IdempotencyConfig:
    """Idempotency settings: a delivery is remembered for a day."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        expires_after_seconds=24 * 3600, raise_on_no_idempotency_key=True
    )


def send_to_signing(case_id: str, document_id: str) -> None:
    """Queue a read document for the signing function."""
    from chalicelib.aws import client

    client("sqs").send_message(
        QueueUrl=get_settings().signing_queue_url,
        MessageBody=json.dumps({"case_id": case_id, "document_id": document_id}),
    )


def json_body(record: SQSRecord) -> Any:
    """The record's body parsed as JSON."""
    return json.loads(record.body)
