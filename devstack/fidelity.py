"""Make moto's DynamoDB keep the promise the code relies on: atomic writes.

DynamoDB applies a conditional write, or a whole transaction, atomically: two
transactions that each put the same item on the condition that it does not
exist cannot both succeed. moto's server handles requests in threads and
checks a transaction's conditions before applying it, so under concurrency two
such transactions can both pass (seen here: two bookings of one hearing slot
out of eight simultaneous, once in twenty trials of transactions of nine
items). Serialising moto's DynamoDB writes in this process restores the
isolation; reads are left concurrent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Any

WRITES = (
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
)
_lock = threading.RLock()


def serialise_dynamodb_writes() -> None:
    """Wrap moto's DynamoDB write operations in one lock (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in WRITES:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "serialised", False):
            setattr(DynamoDBBackend, name, _serialised(method))


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def write(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    write.serialised = True  # type: ignore[attr-defined]
    return write
