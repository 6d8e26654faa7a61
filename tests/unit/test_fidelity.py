"""moto's DynamoDB writes run one at a time, as DynamoDB's isolation needs.

Without the lock, two simultaneous transactions putting the same item on the
condition that it does not exist could both succeed on moto's threaded server
(``devstack.fidelity`` tells how it was seen).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from devstack.fidelity import WRITES, _serialised, serialise_dynamodb_writes


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
