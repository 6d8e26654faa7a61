"""The local event loop reads a long document's chunks side by side, as Lambda does.

Lambda runs each message of the OCR queue (a chunk of pages) in an invocation
of its own, at the same time as the others. Locally the OCR function gets
several pollers, the extra ones in worker processes, on moto's server; a stub
function (``tests.functional.rendezvous``), loaded by name as the real
handlers are, shows two chunk messages handled at once, and the loop stopped
with no process left behind.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.deployment import QUEUE_FUNCTIONS, QueueFunction
from devstack.events import local_concurrency, queue_pollers

OCR = next(function for function in QUEUE_FUNCTIONS if function.name == "ocr")
# The OCR function's place (its name, its queue, one message a batch), with
# the stub's handler.
MEETING = QueueFunction(
    "ocr", "tests.functional.rendezvous.lambda_handler", "document-events", 1, 60, 128
)


@pytest.fixture
def chunk_queue(stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A queue of its own as the OCR function's (the stack's is the suite's)."""
    sqs = client("sqs")
    url = str(sqs.create_queue(QueueName=f"chunks-{uuid.uuid4().hex}")["QueueUrl"])
    with monkeypatch.context() as patched:
        patched.setenv("JUSTICIA_DOCUMENT_EVENTS_QUEUE_URL", url)
        get_settings.cache_clear()
        yield url
    get_settings.cache_clear()
    sqs.delete_queue(QueueUrl=url)


def test_two_chunks_are_read_at_the_same_time(chunk_queue: str, tmp_path: Path) -> None:
    stop = threading.Event()
    pollers = queue_pollers(MEETING, stop, concurrency=2)
    for poller in pollers:
        poller.start()
    try:
        for first in (1, 11):
            request = {"folder": str(tmp_path), "first": first, "last": first + 9}
            client("sqs").send_message(
                QueueUrl=chunk_queue, MessageBody=json.dumps(request)
            )
        done = _outcomes(tmp_path, 2, seconds=90)
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)

    assert [outcome["met"] for outcome in done] == [True, True]
    assert len({outcome["process"] for outcome in done}) == 2
    assert not any(poller.is_alive() for poller in pollers)
    assert not multiprocessing.active_children(), "a worker process outlived stop"
    left = client("sqs").get_queue_attributes(
        QueueUrl=chunk_queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert left["ApproximateNumberOfMessages"] == "0", "each message was deleted"


def _outcomes(folder: Path, count: int, seconds: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while len(found := sorted(folder.glob("done-*"))) < count:
        assert time.monotonic() < deadline, "the chunks were not all handled"
        time.sleep(0.2)
    return [json.loads(path.read_text()) for path in found]


@pytest.mark.parametrize(
    ("configured", "expected"), [("3", 3), ("1", 1), ("0", 1), (" ", None)]
)
def test_the_ocr_function_runs_one_poller_per_core_unless_told(
    monkeypatch: pytest.MonkeyPatch, configured: str, expected: int | None
) -> None:
    import os

    monkeypatch.setenv("JUSTICIA_LOCAL_OCR_CONCURRENCY", configured)

    assert local_concurrency(OCR) == (expected or os.cpu_count() or 1)
    signing = next(f for f in QUEUE_FUNCTIONS if f.name == "signing")
    assert local_concurrency(signing) == 1
