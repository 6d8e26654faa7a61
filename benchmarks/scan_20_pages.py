"""A 20-page scan read and signed through the local pipeline, fanned out or not.

Run on demand: ``python benchmarks/scan_20_pages.py`` (issue 5's target: a
20-page scan read and signed in under 60 s locally, pages fanned out).

A scanned PDF of ``SCAN_PAGES`` pages (default 20) is made from the real
sample scans of ``shared/samples`` in turn (the French law and the Arabic
judgment at 300 dpi, the French report at 400 dpi), each page the sample's
JPEG embedded as it is (img2pdf: no re-encoding, page size from its dpi), as
a court scanner makes it. The system runs as the functional suite runs it:
a moto server on a free port of 127.0.0.1 provisioned by
``devstack.run.prepare`` (with a SoftHSM token in a temporary folder), the
API behind Chalice's test client. A clerk registers a case, announces the
document and uploads its bytes with the presigned form into moto's S3, whose
notification queues the document for the OCR function, as in production.
Not ``python -m devstack``: it also starts the OpenSearch node and the web
app, which this does not need, and could not read chunks in parallel.

The workers are the devstack's own event loop (``devstack.events.QueuePoller``,
what ``make run`` starts for the ``ocr`` and ``signing`` functions), run in
worker processes started for each run, so that the serial run has exactly one
(``make run`` itself gives the OCR function one poller per core, all but one
in worker processes: ``devstack.events.local_concurrency``). Two
runs, in the same invocation, each with fresh workers, repeated ``SCAN_ROUNDS``
times (default 2) in the order serial, fan-out, fan-out, serial (the machine
may be busy; the quickest of each is kept, every wall time is saved):

* ``serial`` (baseline): one worker process, ``JUSTICIA_OCR_PAGES_PER_CHUNK``
  set to the page count, so the OCR function reads every page itself;
* ``fan_out``: ``SCAN_WORKERS`` worker processes (default: one per core),
  chunks of ``SCAN_CHUNK`` pages (default: the stage's default, 10), one
  queue message each, read in parallel.

Wall time runs from the upload's answer (bytes stored) until the document is
seen SIGNED (polled every 0.1 s). Phases come from the document's audit
records (RECEIVED, OCR_DONE, SIGNED) and its text layer's own timing. Prints
both wall times, their ratio and seconds per page, with the load average (the
machine may be busy); writes ``benchmarks/results/scan_20_pages.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from devstack.env import apply_safe_defaults  # noqa: E402

apply_safe_defaults()
os.environ.update(
    {
        "POWERTOOLS_METRICS_NAMESPACE": "Justicia",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "JUSTICIA_STAGE": "bench",
        "JUSTICIA_LOGIN_IP_PER_MINUTE": "100000",
    }
)
# Powertools warns when an invocation added no metric; that is expected.
warnings.filterwarnings("ignore", "No application metrics to publish")
PAGES = int(os.environ.get("SCAN_PAGES", "20"))
WORKERS = int(os.environ.get("SCAN_WORKERS", str(os.cpu_count() or 1)))
ROUNDS = int(os.environ.get("SCAN_ROUNDS", "2"))
SCANS = (
    "fr_loi_43-20_mild.jpg",
    "ar_judgment_commercial_sans_mild.jpg",
    "fr_tapus_bnf_rapport1984_p8.jpg",
)
FUNCTIONS = ("ocr", "signing")
TIMEOUT_SECONDS = 900


def chunk_size() -> int:
    """Pages per chunk of the fanned-out run: ``SCAN_CHUNK``, else the default."""
    from chalicelib.config import DEFAULT_OCR_PAGES_PER_CHUNK

    return int(os.environ.get("SCAN_CHUNK", str(DEFAULT_OCR_PAGES_PER_CHUNK)))


def scanned_pdf() -> bytes:
    """``PAGES`` image-only pages, the sample JPEGs in turn, embedded as they are."""
    import img2pdf

    from tests.samples import SAMPLES_DIR

    scans = [(SAMPLES_DIR / SCANS[i % len(SCANS)]).read_bytes() for i in range(PAGES)]
    data: bytes = img2pdf.convert(scans)
    return data


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker(chunk: int, ready: Any, stop: Any) -> None:
    """One worker process: the devstack's pollers of the OCR and signing functions.

    The handlers are imported before ``ready`` is set, so that no import is
    timed; the pollers run until ``stop`` is set.
    """
    os.environ["JUSTICIA_OCR_PAGES_PER_CHUNK"] = str(chunk)
    from chalicelib.deployment import QUEUE_FUNCTIONS
    from devstack.events import QueuePoller, QueueTarget

    functions = [f for f in QUEUE_FUNCTIONS if f.name in FUNCTIONS]
    for function in functions:
        QueueTarget.connect(function)
    halt = threading.Event()
    pollers = [QueuePoller(function, halt) for function in functions]
    for poller in pollers:
        poller.start()
    ready.set()
    stop.wait()
    halt.set()
    for poller in pollers:
        poller.join(timeout=30)


class Workers:
    """``count`` worker processes reading chunks of ``chunk`` pages."""

    def __init__(self, count: int, chunk: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        readies = [context.Event() for _ in range(count)]
        self.processes = [
            context.Process(target=worker, args=(chunk, ready, self.stop))
            for ready in readies
        ]
        for process in self.processes:
            process.start()
        for ready in readies:
            if not ready.wait(timeout=120):
                self.close()
                raise SystemExit("a worker process did not start")

    def close(self) -> None:
        """Stop the pollers and wait for the processes to end."""
        self.stop.set()
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()


def start_stack(state_dir: Path) -> Any:
    """A provisioned moto server on a free port, as the ``stack`` fixture makes it."""
    import logging

    os.environ["JUSTICIA_STATE_DIR"] = str(state_dir)
    port = free_port()
    os.environ["JUSTICIA_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    from moto.server import ThreadedMotoServer

    from devstack.api import emulate_api_gateway
    from devstack.fidelity import make_moto_faithful
    from devstack.run import prepare

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_moto_faithful()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    prepare(port, seed_demo=False)
    emulate_api_gateway()
    return server


def upload_scan(api: Any, clerk: dict[str, str], data: bytes) -> tuple[str, str]:
    """Register a case, announce the scan and upload it; its case and document."""
    from tests.support import new_case, upload

    case = new_case(api, clerk)
    status, document = api.call(
        "POST",
        f"/cases/{case['id']}/documents",
        clerk,
        {
            "filename": "bundle.pdf",
            "content_type": "application/pdf",
            "size": len(data),
        },
    )
    if status != 201:
        raise SystemExit(f"announcement refused ({status}): {document}")
    if upload(document["upload"], data, "application/pdf") != 204:
        raise SystemExit("the presigned upload was refused")
    return case["id"], document["document_id"]


def wait_until_settled(case_id: str, document_id: str) -> Any:
    """Poll the document every 0.1 s until SIGNED or FAILED; return it."""
    from chalicelib.models import DocumentModel

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        document = DocumentModel.get(case_id, document_id, consistent_read=True)
        if document.status in ("SIGNED", "FAILED"):
            return document
        time.sleep(0.1)
    raise SystemExit(f"document still {document.status} after {TIMEOUT_SECONDS} s")


def transitions(case_id: str, document_id: str) -> dict[str, datetime]:
    """When the document entered each status, from its audit records."""
    from chalicelib.audit import entry_json
    from chalicelib.models import AuditModel

    found: dict[str, datetime] = {}
    for row in AuditModel.query(f"case#{case_id}"):
        details = entry_json(row)["details"]
        if details.get("document_id") == document_id and row.action.startswith(
            "DOCUMENT_"
        ):
            found.setdefault(row.action.removeprefix("DOCUMENT_"), row.occurred_at)
    return found


def phases(document: Any, stored_at: datetime) -> dict[str, float]:
    """Seconds of each phase: accept, read (with fan-out), text layer, seal."""
    at = transitions(document.case_id, document.document_id)

    def since(start: datetime, status: str) -> float:
        return round((at[status] - start).total_seconds(), 2)

    layer = document.text_layer
    return {
        "stored_to_received": since(stored_at, "RECEIVED"),
        "received_to_ocr_done": since(at["RECEIVED"], "OCR_DONE"),
        "text_layer": round(float(layer.seconds or 0), 2) if layer else 0.0,
        "ocr_done_to_signed": since(at["OCR_DONE"], "SIGNED"),
        "stored_to_signed_audit": since(stored_at, "SIGNED"),
    }


def chunks_done(document: Any, chunk: int) -> list[float]:
    """Seconds after RECEIVED when each chunk's last page was kept (1 s steps).

    The pages kept under ``tmp/ocr/`` are removed once the text is stored, but
    the bucket is versioned: their versions still tell when each was written
    (moto gives whole seconds).
    """
    from chalicelib.aws import client
    from chalicelib.config import get_settings
    from chalicelib.documents import page_progress_prefix

    prefix = page_progress_prefix(document.case_id, document.document_id)
    listing = client("s3").get_paginator("list_object_versions")
    kept: dict[int, datetime] = {}
    for answer in listing.paginate(
        Bucket=get_settings().documents_bucket, Prefix=prefix
    ):
        for version in answer.get("Versions", []):
            number = int(version["Key"].rsplit("-", 1)[1].removesuffix(".json"))
            kept[number] = min(
                kept.get(number, version["LastModified"]), version["LastModified"]
            )
    received = transitions(document.case_id, document.document_id)["RECEIVED"]
    ends = [
        max(kept[n] for n in range(first, min(first + chunk, PAGES + 1)) if n in kept)
        for first in range(1, PAGES + 1, chunk)
    ]
    return [round((end - received).total_seconds(), 1) for end in ends]


def check(document: Any) -> None:
    """Stop when the document did not end as a 20-page sealed searchable PDF."""
    if document.status != "SIGNED":
        raise SystemExit(f"document {document.status}: {document.failure_reason}")
    layer = document.text_layer.status if document.text_layer else None
    if document.pages != PAGES or document.signature.format != "PAdES":
        raise SystemExit(f"{document.pages} pages, {document.signature.format}")
    if layer != "ADDED":
        print(f"  warning: text layer {layer}", flush=True)


def run(api: Any, clerk: dict[str, str], data: bytes, workers: int, chunk: int) -> Any:
    """Upload the scan with ``workers`` processes running; time it until SIGNED."""
    pool = Workers(workers, chunk)
    try:
        load = os.getloadavg()
        started = time.perf_counter()
        case_id, document_id = upload_scan(api, clerk, data)
        stored_at, stored = datetime.now(UTC), time.perf_counter()
        document = wait_until_settled(case_id, document_id)
        wall = time.perf_counter() - stored
    finally:
        pool.close()
    check(document)
    return {
        "workers": workers,
        "pages_per_chunk": chunk,
        "chunks": -(-PAGES // chunk),
        "upload_seconds": round(stored - started, 2),
        "wall_seconds": round(wall, 2),
        "seconds_per_page": round(wall / PAGES, 3),
        "phases": phases(document, stored_at),
        "chunks_done_after_received": chunks_done(document, chunk),
        "language": document.language,
        "text_layer": document.text_layer.method if document.text_layer else None,
        "load_average_before": [round(value, 2) for value in load],
    }


def measure(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """``ROUNDS`` of both runs on one stack, their order alternating.

    Serial, fan-out, fan-out, serial...: a busy neighbour slows both alike.
    """
    from chalice.test import Client

    from app import app
    from tests.support import Api

    setups = {"serial": (1, PAGES), "fan_out": (WORKERS, chunk_size())}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in setups}
    with Client(app) as client:
        api = Api(client)
        clerk = api.login("clerk")
        for round_number in range(ROUNDS):
            names = list(setups) if round_number % 2 == 0 else list(setups)[::-1]
            for name in names:
                runs[name].append(run(api, clerk, data, *setups[name]))
                print_run(name, runs[name][-1])
    return runs


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The quickest run, with every run's wall time."""
    quickest = min(runs, key=lambda figures: figures["wall_seconds"])
    return {**quickest, "wall_seconds_all": [r["wall_seconds"] for r in runs]}


def print_run(name: str, figures: dict[str, Any]) -> None:
    """One line per run, and its phases."""
    print(
        f"{name:<8} {figures['workers']} worker(s), {figures['chunks']} chunk(s): "
        f"{figures['wall_seconds']:6.1f} s stored -> SIGNED, "
        f"{figures['seconds_per_page']:.2f} s/page",
        flush=True,
    )
    for phase, seconds in figures["phases"].items():
        print(f"           {phase:<24}{seconds:7.2f} s", flush=True)
    print(
        f"           chunks done at (s after RECEIVED) "
        f"{figures['chunks_done_after_received']}",
        flush=True,
    )


def main() -> None:
    """Make the scan, start the stack, measure both runs; print and save."""
    data = scanned_pdf()
    print(f"{PAGES}-page scan, {len(data) / 1024 / 1024:.1f} MB", flush=True)
    state_dir = Path(tempfile.mkdtemp(prefix="justicia-bench-scan-"))
    server = start_stack(state_dir)
    try:
        runs = measure(data)
    finally:
        server.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
    serial, fanned = best(runs["serial"]), best(runs["fan_out"])
    figures = {
        "pages": PAGES,
        "pdf_mb": round(len(data) / 1024 / 1024, 1),
        "scans": list(SCANS),
        "cpu_count": os.cpu_count(),
        "rounds": ROUNDS,
        "serial": serial,
        "fan_out": fanned,
        "ratio_serial_to_fan_out": round(
            serial["wall_seconds"] / fanned["wall_seconds"], 2
        ),
        "target_seconds": 60,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
    }
    print(
        f"best of {ROUNDS}: serial {serial['wall_seconds']:.1f} s, fan-out "
        f"{fanned['wall_seconds']:.1f} s (target 60 s), serial / fan-out "
        f"{figures['ratio_serial_to_fan_out']:.2f}x"
    )
    print(f"load average after: {figures['load_average_after']}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "scan_20_pages.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
