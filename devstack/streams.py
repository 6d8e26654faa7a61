"""Local DynamoDB Streams: what Lambda's stream event source mapping does.

The cases and documents tables stream ``NEW_AND_OLD_IMAGES`` to the indexer
function. A poller per table reads each shard in order, hands the function a
batch, and on a partial failure retries from the first failed record; after
``MAX_ATTEMPTS`` it sends that record's position (not its data) to the
indexing dead-letter queue, as the mapping's on-failure destination does, and
moves on.

moto only serves streams with ``account_id_endpoint_mode`` disabled.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from chalicelib.config import get_settings

log = logging.getLogger(__name__)
STREAMED_TABLES = ("cases", "documents")
INDEXER_HANDLER = "functions.indexer.handler.lambda_handler"
BATCH_SIZE = 100
MAX_ATTEMPTS = 3
IDLE_SECONDS = 0.5

Handler = Callable[[dict[str, Any], Any], Any]


@cache
def _client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    factory: Any = boto3.client
    return factory(
        service,
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=Config(account_id_endpoint_mode="disabled"),
    )


def reset_stream_clients() -> None:
    """Forget the clients (tests switch stacks)."""
    _client.cache_clear()


def enable_streams(tables: tuple[str, ...] = STREAMED_TABLES) -> None:
    """Turn on ``NEW_AND_OLD_IMAGES`` streams where they are off (idempotent)."""
    dynamodb = _client("dynamodb")
    for table in tables:
        name = get_settings().table_name(table)
        described = dynamodb.describe_table(TableName=name)["Table"]
        if (described.get("StreamSpecification") or {}).get("StreamEnabled"):
            continue
        dynamodb.update_table(
            TableName=name,
            StreamSpecification={
                "StreamEnabled": True,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        )


def dead_letter_queue_url() -> str:
    """The indexing dead-letter queue (created on first use)."""
    name = f"justicia-{get_settings().stage}-search-indexing-dlq"
    url: str = _client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda delivers it: with its source ARN, epoch times."""
    data = dict(record["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": data, "eventSourceARN": stream_arn}


@dataclass
class StreamTarget:
    """One table's stream bound to the indexer: shard positions and retries."""

    table: str
    stream_arn: str
    handler: Handler
    positions: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def connect(cls, table: str) -> StreamTarget:
        """Find the table's stream and start at its oldest record."""
        from devstack.events import load_handler

        name = get_settings().table_name(table)
        arn = _client("dynamodb").describe_table(TableName=name)["Table"][
            "LatestStreamArn"
        ]
        target = cls(table, arn, load_handler(INDEXER_HANDLER))
        target.discover_shards()
        return target

    def discover_shards(self) -> None:
        """Start reading every shard not read yet, from its oldest record."""
        streams = _client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)[
            "StreamDescription"
        ]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.positions:
                self.positions[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]

    def deliver_batch(self) -> int:
        """Deliver one batch of each shard; return the records delivered."""
        delivered = 0
        for shard_id in list(self.positions):
            delivered += self._deliver_shard(shard_id)
        return delivered

    def _deliver_shard(self, shard_id: str) -> int:
        streams = _client("dynamodbstreams")
        answer = streams.get_records(
            ShardIterator=self.positions[shard_id], Limit=BATCH_SIZE
        )
        records = answer.get("Records", [])
        following = answer.get("NextShardIterator")
        if not records:
            if following:
                self.positions[shard_id] = following
            else:
                del self.positions[shard_id]
            return 0
        failed = self._invoke(records)
        if failed is None:
            self.positions[shard_id] = following
        else:
            self._retry_or_dead_letter(shard_id, failed)
        return len(records)

    def _invoke(self, records: list[dict[str, Any]]) -> str | None:
        """Run the indexer; return the first failed sequence number, if any."""
        from devstack.events import LocalContext

        event = {"Records": [lambda_record(r, self.stream_arn) for r in records]}
        try:
            result = self.handler(event, LocalContext("indexer")) or {}
        except Exception:
            log.exception("indexer crashed on a %s batch", self.table)
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = [i["itemIdentifier"] for i in result.get("batchItemFailures", [])]
        return min(failures, key=int) if failures else None

    def _retry_or_dead_letter(self, shard_id: str, sequence: str) -> None:
        self.attempts[sequence] = self.attempts.get(sequence, 0) + 1
        kind = "AT_SEQUENCE_NUMBER"
        if self.attempts[sequence] >= MAX_ATTEMPTS:
            self._dead_letter(shard_id, sequence)
            kind = "AFTER_SEQUENCE_NUMBER"
        self.positions[shard_id] = _client("dynamodbstreams").get_shard_iterator(
            StreamArn=self.stream_arn,
            ShardId=shard_id,
            ShardIteratorType=kind,
            SequenceNumber=sequence,
        )["ShardIterator"]

    def _dead_letter(self, shard_id: str, sequence: str) -> None:
        log.error("stream record dead-lettered (%s, %s)", self.table, sequence)
        _client("sqs").send_message(
            QueueUrl=dead_letter_queue_url(),
            MessageBody=json.dumps(
                {
                    "table": self.table,
                    "streamArn": self.stream_arn,
                    "shardId": shard_id,
                    "sequenceNumber": sequence,
                    "attempts": self.attempts.pop(sequence),
                }
            ),
        )


class StreamPoller(threading.Thread):
    """Deliver one table's stream to the indexer until stopped."""

    def __init__(self, table: str, stop: threading.Event):
        super().__init__(name=f"stream-{table}", daemon=True)
        self.table = table
        self.stop = stop

    def run(self) -> None:
        """Poll until stopped; a failing batch never stops the poller."""
        target = StreamTarget.connect(self.table)
        while not self.stop.is_set():
            try:
                if not target.deliver_batch():
                    self.stop.wait(IDLE_SECONDS)
            except Exception:
                log.exception("stream poller %s failed; retrying", self.table)
                self.stop.wait(IDLE_SECONDS * 4)


def stream_pollers(stop: threading.Event) -> list[threading.Thread]:
    """A poller per streamed table (none when no search node is configured)."""
    if not get_settings().search_url:
        return []
    return [StreamPoller(table, stop) for table in STREAMED_TABLES]


def drain_streams(targets: list[StreamTarget], seconds: float = 300) -> int:
    """Deliver every pending record of ``targets`` (tests); return how many."""
    deadline = time.monotonic() + seconds
    total = 0
    while time.monotonic() < deadline:
        delivered = sum(target.deliver_batch() for target in targets)
        if not delivered:
            return total
        total += delivered
    raise TimeoutError(f"streams still busy after {seconds} s")
