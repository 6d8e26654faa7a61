"""A queue-fed function for the event loop's tests: two invocations meet.

Each message names a folder. Its invocation leaves a mark there, then waits
(at most ``WAIT_SECONDS``) for a second mark: two invocations running side by
side meet, two running one after the other do not. Each writes down which,
and the process it ran in. Loaded by its dotted name, as the event loop loads
the real handlers, in the worker processes too.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

WAIT_SECONDS = 20


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Meet another invocation for each record; no record fails."""
    for record in event["Records"]:
        meet(Path(json.loads(record["body"])["folder"]), record["messageId"])
    return {"batchItemFailures": []}


def meet(folder: Path, name: str) -> None:
    """Mark the arrival of ``name``, wait for a second one, write the outcome."""
    (folder / f"arrived-{name}").touch()
    deadline = time.monotonic() + WAIT_SECONDS
    while len(list(folder.glob("arrived-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    met = len(list(folder.glob("arrived-*"))) >= 2
    outcome = {"met": met, "process": os.getpid()}
    (folder / f"done-{name}").write_text(json.dumps(outcome))
