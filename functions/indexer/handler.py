"""Indexer function: DynamoDB stream changes of cases and documents -> search.

Fed by the streams of the ``cases`` and ``documents`` tables (the outbox).
Every record is applied idempotently (external versions), so Lambda's retries
and a replayed batch are harmless. A failed record is reported by its sequence
number (partial batch response): Lambda retries from it, splits the batch, and
after the mapping's retry limit sends the record's position to the indexing
dead-letter queue, from which ``justicia search reconcile`` repairs the index.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.config import get_settings
from chalicelib.observability import count, logger, metrics, tracer
from chalicelib.search.changes import StreamChange, apply_change
from chalicelib.search.client import search_client
from chalicelib.search.indices import ensure_indices

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def prepared_client() -> OpenSearch:
    """The search client, once its indices and aliases exist."""
    client = search_client()
    _ensure_indices_once(get_settings().search_url, client)
    return client


@cache
def _ensure_indices_once(url: str, client: OpenSearch) -> None:
    """Create missing indices once per endpoint and container."""
    ensure_indices(client)


def record_handler(record: DynamoDBRecord) -> None:
    """Apply one stream record to the index (raises to have it retried)."""
    change = StreamChange.from_record(record.raw_event)
    logger.append_keys(table=change.table, stream_event=change.event)
    apply_change(prepared_client(), change)
    count("SearchChangesIndexed")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    """Lambda entry point (DynamoDB stream batch with partial failures)."""
    prepared_client()
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
