"""moto's DynamoDB writes run one at a time, as DynamoDB's isolation needs.

Without the lock, two simultaneous transactions putting the same item on the
condition that it does not exist could both succeed on moto's threaded server
(``devstack.fidelity`` tells how it was seen). Likewise one receiver at a
time takes the messages of a queue, so two pollers never take the same one.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from devstack.fidelity import (
    WRITES,
    _serialised,
    serialise_dynamodb_writes,
    serialise_sqs_receives,
)


def test_a_serialised_write_never_overlaps_another() -> None:
    inside, most = 0, 0
    guard = threading.Lock()

    def write(_: int) -> None:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)
        with guard:
            inside -= 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(_serialised(write), range(8)))
    assert most == 1
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    assert most > 1, "unserialised, the same writes overlap"


def test_every_write_of_the_backend_is_serialised_once() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    serialise_dynamodb_writes()
    wrapped = {name: getattr(DynamoDBBackend, name) for name in WRITES}
    serialise_dynamodb_writes()
    for name in WRITES:
        method = getattr(DynamoDBBackend, name)
        assert getattr(method, "serialised", False), name
        assert method is wrapped[name], "wrapped once, not twice"


@pytest.mark.parametrize(
    ("correction", "backend", "method"),
    [
        (
            serialise_dynamodb_writes,
            "moto.dynamodb.models.DynamoDBBackend",
            "transact_write_items",
        ),
        (serialise_sqs_receives, "moto.sqs.models.SQSBackend", "receive_message"),
    ],
    ids=["transactions", "receives"],
)
def test_a_serialised_method_is_wrapped_once(
    correction: Any, backend: str, method: str
) -> None:
    module, _, name = backend.rpartition(".")
    owner = getattr(importlib.import_module(module), name)
    correction()
    wrapped = getattr(owner, method)
    correction()
    assert getattr(wrapped, "serialised", False)
    assert getattr(owner, method) is wrapped


def test_a_cancelled_transaction_leaves_the_stream_as_it_was() -> None:
    """moto replaces a table on rollback; a reader's shard must go on."""
    import boto3
    from botocore.config import Config
    from moto import mock_aws

    serialise_dynamodb_writes()
    config = Config(account_id_endpoint_mode="disabled")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-3", config=config)
        streams = boto3.client(
            "dynamodbstreams", region_name="eu-west-3", config=config
        )
        arn = _streamed_table(dynamodb)
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        reader = _Reader(streams, arn, shard[0]["ShardId"])
        _put(dynamodb, "1")
        assert reader.versions() == ["1"]
        _cancelled_transaction(dynamodb)
        assert reader.versions() == []
        _put(dynamodb, "2")
        _put(dynamodb, "3")
        assert reader.versions() == ["2", "3"]


def _streamed_table(dynamodb: Any) -> str:
    dynamodb.create_table(
        TableName="cases",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    )
    return str(dynamodb.describe_table(TableName="cases")["Table"]["LatestStreamArn"])


def _put(dynamodb: Any, version: str) -> None:
    item = {"id": {"S": "case"}, "version": {"N": version}}
    dynamodb.put_item(TableName="cases", Item=item)


def _cancelled_transaction(dynamodb: Any) -> None:
    """The case's write passes its condition; the slot's is refused."""
    import pytest

    case = {"id": {"S": "case"}, "version": {"N": "2"}}
    slot = {"id": {"S": "slot"}, "version": {"N": "0"}}
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "cases",
                        "Item": case,
                        "ConditionExpression": "version = :read",
                        "ExpressionAttributeValues": {":read": {"N": "1"}},
                    }
                },
                {
                    "Put": {
                        "TableName": "cases",
                        "Item": slot,
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        )


class _Reader:
    """A stream reader that follows its shard iterator, as the poller does."""

    def __init__(self, streams: Any, arn: str, shard_id: str):
        self.streams = streams
        self.iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def versions(self) -> list[str]:
        answer = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = answer["NextShardIterator"]
        return [r["dynamodb"]["NewImage"]["version"]["N"] for r in answer["Records"]]


def test_s3_events_name_the_version_as_s3_does() -> None:
    """A versioned bucket's event carries ``versionId`` and ``sequencer``."""
    from types import SimpleNamespace

    from devstack.fidelity import _with_version

    def moto_event(*_: Any) -> dict[str, list[dict[str, Any]]]:
        return {"Records": [{"s3": {"object": {"key": "k", "size": 1, "eTag": "e"}}}]}

    event = _with_version(moto_event)
    versioned = event(
        "s3:ObjectCreated:Put", None, SimpleNamespace(version_id="v1"), ""
    )
    first = versioned["Records"][0]["s3"]["object"]
    assert first["versionId"] == "v1"
    plain = event("s3:ObjectCreated:Put", None, SimpleNamespace(version_id="null"), "")
    second = plain["Records"][0]["s3"]["object"]
    assert "versionId" not in second
    assert second["sequencer"] > first["sequencer"]


def test_receives_of_one_queue_take_turns_and_queues_do_not_wait() -> None:
    """Two queues, eight receivers: one receive at a time per queue, both at once."""
    from devstack.fidelity import _one_receiver_a_queue

    inside: Counter[str] = Counter()
    most: Counter[str] = Counter()
    both = False
    guard = threading.Lock()

    def receive(backend: object, queue_name: str) -> None:
        nonlocal both
        with guard:
            inside[queue_name] += 1
            most[queue_name] = max(most[queue_name], inside[queue_name])
            both = both or (inside["a"] > 0 and inside["b"] > 0)
        time.sleep(0.02)
        with guard:
            inside[queue_name] -= 1

    serialised = _one_receiver_a_queue(receive)
    backend = object()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: serialised(backend, "ab"[n % 2]), range(16)))
    assert most == {"a": 1, "b": 1}
    assert both, "receives of two queues ran side by side"
