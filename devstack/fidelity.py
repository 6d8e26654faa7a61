"""Make moto keep the promises of AWS the code relies on.

Atomic writes. DynamoDB applies a conditional write, or a whole transaction,
atomically: two transactions that each put the same item on the condition
that it does not exist cannot both succeed. moto's server handles requests in
threads and checks a transaction's conditions before applying it, so under
concurrency two such transactions can both pass (seen here: two bookings of
one hearing slot out of eight simultaneous, once in twenty trials of
transactions of nine items). Serialising moto's DynamoDB writes in this
process restores the isolation; item reads are left concurrent.

A cancelled transaction leaves no stream record, and the stream goes on. moto
applies a transaction's writes one by one (each adds its stream record) and,
when one is refused, puts back deep copies of the tables it touched, stream
shards included. A shard iterator handed out before holds the replaced shard:
its reader is shown the records of the cancelled writes and then nothing more,
ever (the search index stopped following a case after a refused booking).
Here the table keeps its shard, the cancelled records are cut off it, and
stream reads wait for a transaction to finish, so no reader sees them.

One receiver of a queue at a time. SQS hands a message to one receiver,
then hides it for its visibility timeout. moto's receive checks that a
message is visible and then marks it received, without a lock: receivers
long-polling one queue are woken together when messages arrive, and two can
take the same message (seen here: 3 and 1 messages of 800 and 1000, sent two
at a time to 8 and 16 receivers, were each handed to two receivers within
their visibility timeout). The local event loop runs several OCR pollers on
one queue, so each queue's receives are serialised; receives from different
queues still run side by side.

S3 events name the object version. For a versioned bucket, S3's notification
carries ``s3.object.versionId`` (and a ``sequencer``); moto's carries neither,
so a worker could only read "the current version", which a second upload to
the same key has already replaced (a scanner re-drop was read, sealed and
recorded in place of the first scan, which was then referenced nowhere). Here
moto's events carry both, as S3's do.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

WRITES = ("put_item", "update_item", "delete_item", "batch_write_item")
_lock = threading.RLock()
_receiving: dict[tuple[int, str], threading.Lock] = {}
_sequence = itertools.count(1)


def make_moto_faithful() -> None:
    """Apply every correction of this module to moto (idempotent)."""
    serialise_dynamodb_writes()
    serialise_sqs_receives()
    versioned_s3_events()


def serialise_sqs_receives() -> None:
    """Let one receiver at a time take messages from each of moto's queues."""
    from moto.sqs.models import SQSBackend

    _patch(SQSBackend, "receive_message", _one_receiver_a_queue)


def _one_receiver_a_queue(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def receive(backend: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        with _receiving.setdefault((id(backend), queue_name), threading.Lock()):
            return method(backend, queue_name, *args, **kwargs)

    receive.serialised = True  # type: ignore[attr-defined]
    return receive


def versioned_s3_events() -> None:
    """Give moto's S3 notifications the ``versionId`` and ``sequencer`` of S3's."""
    from moto.s3 import notifications

    event_of = notifications._get_s3_event
    if not getattr(event_of, "versioned", False):
        notifications._get_s3_event = _with_version(event_of)


def _with_version(event_of: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(event_of)
    def event(
        event_name: str, bucket: Any, key: Any, notification_id: str
    ) -> dict[str, list[dict[str, Any]]]:
        body: dict[str, list[dict[str, Any]]] = event_of(
            event_name, bucket, key, notification_id
        )
        for record in body["Records"]:
            described = record["s3"]["object"]
            version = str(getattr(key, "version_id", "null") or "null")
            if version != "null":
                described["versionId"] = version
            described["sequencer"] = f"{next(_sequence):016X}"
        return body

    event.versioned = True  # type: ignore[attr-defined]
    return event


def serialise_dynamodb_writes() -> None:
    """Patch moto's DynamoDB as the module says (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for name in WRITES:
        _patch(DynamoDBBackend, name, _serialised)
    _patch(DynamoDBBackend, "transact_write_items", _streams_kept)
    _patch(DynamoDBStreamsBackend, "get_records", _serialised)


def _patch(
    backend: type, name: str, wrapper: Callable[[Callable[..., Any]], Any]
) -> None:
    method = getattr(backend, name)
    if not getattr(method, "serialised", False):
        setattr(backend, name, wrapper(method))


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    write.serialised = True  # type: ignore[attr-defined]
    return write


def _streams_kept(method: Callable[..., Any]) -> Callable[..., Any]:
    """``transact_write_items``, serialised, whose rollback spares the streams."""

    @wraps(method)
    def transact(backend: Any, transact_items: list[dict[str, Any]]) -> Any:
        with _lock:
            marks = stream_marks(backend, transact_items)
            try:
                return method(backend, transact_items)
            except Exception:
                restore_streams(backend, marks)
                raise

    transact.serialised = True  # type: ignore[attr-defined]
    return transact


def stream_marks(
    backend: Any, transact_items: list[dict[str, Any]]
) -> dict[str, tuple[Any, int]]:
    """Each streamed table of a transaction: its shard and its length now."""
    marks: dict[str, tuple[Any, int]] = {}
    for item in transact_items:
        for operation in item.values():
            name = str(operation.get("TableName", ""))
            table = backend.tables.get(name)
            if table is not None and table.stream_shard is not None:
                marks[name] = (table.stream_shard, len(table.stream_shard.items))
    return marks


def restore_streams(backend: Any, marks: dict[str, tuple[Any, int]]) -> None:
    """Give each table back its own shard, without the cancelled records."""
    for name, (shard, length) in marks.items():
        del shard.items[length:]
        table = backend.tables.get(name)
        if table is not None and table.stream_shard is not shard:
            table.stream_shard = shard
            shard.table = table
