"""Health of the dependencies the system needs to do its work.

Each check really touches its dependency. Results are cached for a few seconds
so the unauthenticated health route cannot be used to hammer them.
``JUSTICIA_HEALTH_CHECKS`` selects the checks a process can run: locally all of
them; in AWS the API checks tables, bucket and queues, because the HSM (in the
signing function's VPC) and Tesseract (in the OCR function's layer) are not
reachable from it.

NOTE: in AWS nothing reports the HSM and OCR engines' health yet; heartbeats
written by the signing and OCR functions, read here, are the planned way.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

from chalicelib.aws import client
from chalicelib.config import get_settings

CACHE_SECONDS = 5.0
OCR_LANGUAGES = ("ara", "fra", "spa")

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def _tables() -> str:
    from chalicelib.models import ALL_MODELS

    dynamodb = client("dynamodb")
    for model in ALL_MODELS:
        status = dynamodb.describe_table(TableName=model.Meta.table_name)["Table"][
            "TableStatus"
        ]
        if status != "ACTIVE":
            raise RuntimeError(f"{model.Meta.table_name} is {status}")
    return f"{len(ALL_MODELS)} tables active"


def _bucket() -> str:
    bucket = get_settings().documents_bucket
    client("s3").head_bucket(Bucket=bucket)
    return bucket


def _queues() -> str:
    settings = get_settings()
    sqs = client("sqs")
    for url in (settings.document_events_queue_url, settings.signing_queue_url):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return "document events and signing queues reachable"


def _hsm() -> str:
    from chalicelib.signing import token_ready

    return token_ready()


def _ocr() -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise RuntimeError("tesseract not found")
    listed = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=10, check=True
    ).stdout.split()
    missing = [lang for lang in OCR_LANGUAGES if lang not in listed]
    if missing:
        raise RuntimeError(f"tesseract lacks {', '.join(missing)}")
    return f"tesseract with {'+'.join(OCR_LANGUAGES)}"


CHECKS: dict[str, Callable[[], str]] = {
    "tables": _tables,
    "bucket": _bucket,
    "queues": _queues,
    "hsm": _hsm,
    "ocr": _ocr,
}


def check_health() -> dict[str, Any]:
    """Run every check; ``status`` is ``healthy`` only when all pass."""
    cached = _cache.get("report")
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    selected = get_settings().health_checks
    checks = {name: _run(CHECKS[name]) for name in selected if name in CHECKS}
    healthy = all(result["ok"] for result in checks.values())
    report: dict[str, Any] = {
        "status": "healthy" if healthy else "unhealthy",
        "checks": checks,
    }
    if not healthy:
        report["failed"] = [name for name, result in checks.items() if not result["ok"]]
    _cache["report"] = (time.monotonic(), report)
    return report


def _run(check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
        detail, ok = f"{type(exc).__name__}: {str(exc)[:200]}", False
    return {
        "ok": ok,
        "detail": detail,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
