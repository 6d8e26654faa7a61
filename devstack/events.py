"""The local event loop: what AWS does for the functions in production.

Pollers deliver SQS messages to the queue-fed functions as Lambda's event source
mapping does (batches, partial failures, redrive to the dead-letter queue by
the queue's own policy), and a clock fires the EventBridge schedules, which
moto never fires.

Lambda runs the invocations of a function side by side, each in an
environment of its own: the chunks of a long document, one OCR message each,
are read at once. Here the OCR function runs ``local_concurrency`` pollers
(one per core unless ``JUSTICIA_LOCAL_OCR_CONCURRENCY`` says otherwise): one
in this process, the others each in a worker process of its own, as Lambda's
environments are. Threads would not do: PDFium, which renders the pages, is
not thread-safe, and Powertools keeps an invocation's batch, log keys and
metrics in module-level objects. The other functions run one poller each.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as StopEvent
from types import FrameType
from typing import Any, Protocol

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.deployment import MAINTENANCE_HANDLER, QUEUE_FUNCTIONS, QueueFunction
from chalicelib.schedules import SCHEDULES
from devstack.env import apply_safe_defaults

log = logging.getLogger(__name__)
RETRY_DELAY_SECONDS = 2
# How long a worker process may take to finish its batch once asked to stop,
# then once ended by SIGTERM.
STOP_GRACE_SECONDS = 5
# The functions whose invocations run side by side locally, with the
# variable that says how many (one per core when unset).
CONCURRENCY_VARIABLES = {"ocr": "JUSTICIA_LOCAL_OCR_CONCURRENCY"}

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalContext:
    """The parts of a Lambda context the handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 1024
    timeout_seconds: int = 300
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        """A Lambda-like ARN naming the local function."""
        region = get_settings().region
        return f"arn:aws:lambda:{region}:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        """Where Lambda would write this function's logs."""
        return f"/aws/lambda/{self.function_name}"

    log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout."""
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def load_handler(dotted: str) -> Handler:
    """Import ``package.module.function`` and return the function."""
    module_name, _, name = dotted.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module_name), name)
    return handler


def queue_url_of(function: QueueFunction) -> str:
    """The URL of the queue that feeds ``function``."""
    settings = get_settings()
    return {
        "document-events": settings.document_events_queue_url,
        "signing": settings.signing_queue_url,
        "textract-completions": settings.textract_completions_queue_url,
    }[function.queue]


def lambda_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """Turn an SQS message into the record Lambda's event source mapping sends."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": get_settings().region,
    }


@dataclass(frozen=True)
class QueueTarget:
    """A queue-fed function, bound to its handler and its queue."""

    function: QueueFunction
    handler: Handler
    url: str
    arn: str

    @classmethod
    def connect(cls, function: QueueFunction) -> QueueTarget:
        """Import the function's handler and look its queue up."""
        url = queue_url_of(function)
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"]
        )["Attributes"]
        return cls(
            function, load_handler(function.handler), url, attributes["QueueArn"]
        )

    def deliver_batch(self) -> int:
        """Receive one batch, invoke the function, settle each message.

        Returns the number of messages delivered (0 when the queue was empty).
        Failed messages become visible again after a short delay; the queue's
        redrive policy moves them to the dead-letter queue in the end.
        """
        sqs = client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=self.function.batch_size,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        failed = self._invoke(messages)
        for message in messages:
            receipt = message["ReceiptHandle"]
            if message["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=self.url,
                    ReceiptHandle=receipt,
                    VisibilityTimeout=RETRY_DELAY_SECONDS,
                )
            else:
                sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt)
        return len(messages)

    def _invoke(self, messages: list[dict[str, Any]]) -> set[str]:
        function = self.function
        context = LocalContext(
            function.name, function.memory_mb, function.timeout_seconds
        )
        event = {"Records": [lambda_record(m, self.arn) for m in messages]}
        try:
            result = self.handler(event, context) or {}
        except Exception:
            log.exception("function %s crashed", function.name)
            return {message["MessageId"] for message in messages}
        return {item["itemIdentifier"] for item in result.get("batchItemFailures", [])}


class StopSignal(Protocol):
    """A ``threading.Event`` or a ``multiprocessing`` one."""

    def is_set(self) -> bool:
        """Whether the pollers must stop."""

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep until set or ``timeout``; whether it is set."""


def poll(function: QueueFunction, stop: StopSignal) -> None:
    """Deliver ``function``'s batches until ``stop``; a crash never stops it."""
    target = QueueTarget.connect(function)
    while not stop.is_set():
        try:
            target.deliver_batch()
        except Exception:
            log.exception("poller %s failed; retrying", function.name)
            stop.wait(RETRY_DELAY_SECONDS)


class QueuePoller(threading.Thread):
    """Deliver one queue's messages to one function until stopped."""

    def __init__(self, function: QueueFunction, stop: threading.Event):
        super().__init__(name=f"poller-{function.name}", daemon=True)
        self.function = function
        self.stop = stop

    def run(self) -> None:
        """Poll until stopped; a crash of the handler never stops the poller."""
        poll(self.function, self.stop)


def local_concurrency(function: QueueFunction) -> int:
    """How many invocations of ``function`` run at once locally (at least one).

    >>> local_concurrency(QUEUE_FUNCTIONS[1])  # signing
    1
    """
    variable = CONCURRENCY_VARIABLES.get(function.name)
    if variable is None:
        return 1
    configured = os.environ.get(variable, "").strip()
    return max(1, int(configured) if configured else os.cpu_count() or 1)


def serve_queue(function: QueueFunction, stop: StopSignal) -> None:
    """What a worker process does: poll ``function``'s queue until ``stop``.

    Its environment is its parent's (the stack's endpoints and queues). A
    Ctrl-C reaches every process of the terminal: this one leaves it to its
    parent, which sets ``stop``. SIGTERM, the parent's last word, ends the
    batch at once; its temporary files are removed on the way out, and its
    messages come back after their visibility timeout.
    """
    apply_safe_defaults()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_at_once)
    poll(function, stop)


def _exit_at_once(signum: int, _: FrameType | None) -> None:
    raise SystemExit(128 + signum)


class WorkerProcess(threading.Thread):
    """Keep one worker process polling a function's queue; stop it with the rest.

    A process that dies (a crash of the interpreter, a kill) is started
    again, as Lambda replaces an environment. Once ``stop`` is set, the
    process is asked to stop after its batch, then ended with SIGTERM after
    ``STOP_GRACE_SECONDS``, and killed if it still runs.
    """

    def __init__(self, function: QueueFunction, stop: threading.Event, number: int):
        super().__init__(name=f"worker-{function.name}-{number}", daemon=True)
        self.function = function
        self.stop = stop

    def run(self) -> None:
        """Run a worker process until ``stop``, another when one dies."""
        spawn = multiprocessing.get_context("spawn")
        while not self.stop.is_set():
            halt = spawn.Event()
            process = spawn.Process(
                target=serve_queue,
                args=(self.function, halt),
                name=self.name,
                daemon=True,
            )
            process.start()
            while process.is_alive() and not self.stop.is_set():
                process.join(timeout=0.5)
            if self.stop.is_set():
                _end(process, halt)
                return
            log.error("%s exited (%s); starting another", self.name, process.exitcode)
            self.stop.wait(RETRY_DELAY_SECONDS)


def _end(process: BaseProcess, halt: StopEvent) -> None:
    """Ask a worker process to stop; SIGTERM, then SIGKILL, if it does not."""
    halt.set()
    process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.terminate()
        process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()


def queue_pollers(
    function: QueueFunction, stop: threading.Event, concurrency: int = 1
) -> list[threading.Thread]:
    """``concurrency`` pollers of ``function``: one here, the rest in processes."""
    pollers: list[threading.Thread] = [QueuePoller(function, stop)]
    pollers += [WorkerProcess(function, stop, n) for n in range(1, concurrency)]
    return pollers


class ScheduleClock(threading.Thread):
    """Fire each schedule of ``SCHEDULES`` on its rate, as EventBridge would."""

    def __init__(self, stop: threading.Event):
        super().__init__(name="schedules", daemon=True)
        self.stop = stop

    def run(self) -> None:
        """Sleep until the next due schedule, fire it, repeat."""
        handler = load_handler(MAINTENANCE_HANDLER)
        due = {
            schedule.name: time.monotonic() + schedule.period_seconds
            for schedule in SCHEDULES
        }
        while not self.stop.is_set():
            for schedule in SCHEDULES:
                if time.monotonic() >= due[schedule.name]:
                    due[schedule.name] += schedule.period_seconds
                    self.fire(handler, schedule.job)
            self.stop.wait(1)

    def fire(self, handler: Handler, job: str) -> None:
        """Invoke the maintenance function with the schedule's constant input."""
        try:
            handler({"job": job}, LocalContext("maintenance"))
        except Exception:
            log.exception("scheduled job %s failed", job)


def start_event_loop(stop: threading.Event) -> list[threading.Thread]:
    """Start the pollers of each queue-fed function and stream, and the clock.

    A function gets ``local_concurrency`` pollers (``queue_pollers``); every
    thread returned ends soon after ``stop`` is set, worker processes too.
    """
    threads: list[threading.Thread] = []
    for function in QUEUE_FUNCTIONS:
        threads += queue_pollers(function, stop, local_concurrency(function))
    threads.append(ScheduleClock(stop))
    from devstack.streams import stream_pollers

    threads.extend(stream_pollers(stop))
    for thread in threads:
        thread.start()
    return threads
