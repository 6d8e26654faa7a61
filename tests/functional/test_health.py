"""The health route checks each dependency for real."""

from __future__ import annotations

import pytest

from chalicelib import health
from chalicelib.aws import reset_clients
from tests.support import Api


def test_healthy_stack(api: Api) -> None:
    health._cache.clear()
    status, body = api.call("GET", "/health")
    assert status == 200
    assert body["status"] == "healthy"
    assert set(body["checks"]) == {"tables", "bucket", "queues", "hsm", "ocr"}
    assert all(check["ok"] for check in body["checks"].values())


def test_missing_bucket_is_named(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUSTICIA_DOCUMENTS_BUCKET", "justicia-test-no-such-bucket")
    reset_clients()
    health._cache.clear()
    try:
        status, body = api.call("GET", "/health")
    finally:
        monkeypatch.undo()
        reset_clients()
        health._cache.clear()
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["failed"] == ["bucket"]
    assert body["checks"]["bucket"]["ok"] is False
