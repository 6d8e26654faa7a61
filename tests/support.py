"""Helpers of the functional and integration suites: the API behind Chalice's
test client, uploads through presigned forms, and a driver for the local
event loop."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from chalice.test import Client

from devstack.provision import demo_password

Headers = dict[str, str]


class Api:
    """The API through Chalice's test client, speaking JSON."""

    def __init__(self, client: Client):
        self.client = client

    def call(
        self, method: str, path: str, headers: Headers | None = None, body: Any = None
    ) -> tuple[int, Any]:
        """Send a request; ``body`` may be raw bytes or a JSON-serialisable value."""
        payload = body if isinstance(body, bytes) or body is None else json.dumps(body)
        answer = self.client.http.request(
            method,
            path,
            headers={"content-type": "application/json", **(headers or {})},
            body=payload,
        )
        text = answer.body.decode("utf-8") if answer.body else ""
        try:
            parsed = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        return answer.status_code, parsed

    def login(self, username: str, password: str | None = None) -> Headers:
        """Sign in and return the bearer header of the ID token."""
        status, body = self.call(
            "POST",
            "/auth/login",
            body={"username": username, "password": password or demo_password()},
        )
        assert status == 200, body
        return {"authorization": f"Bearer {body['id_token']}"}


def new_case(api: Api, headers: Headers, **overrides: Any) -> dict[str, Any]:
    """Register a case at TPI-RABAT (overridable) and return its JSON."""
    body = {
        "court_code": "TPI-RABAT",
        "case_type_code": "1201",
        "subject": "Revendication d'un immeuble immatriculé",
        "parties": [
            {
                "role": "plaintiff",
                "name": "سلمى المواطنة",
                "national_id": "AB123456",
                "lawyers": [{"bar": "Rabat", "roll_number": "1234"}],
            },
            {"role": "defendant", "name": "Société Atlas", "kind": "legal"},
        ],
        **overrides,
    }
    status, case = api.call("POST", "/cases", headers, body)
    assert status == 201, case
    return dict(case)


def upload(form: dict[str, Any], data: bytes, content_type: str) -> int:
    """POST bytes to a presigned form, as a browser or scanner client would."""
    answer = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", data, content_type)},
        timeout=30,
    )
    return answer.status_code


def run_pipeline(
    until: Callable[[], bool],
    seconds: float = 120,
    only: tuple[str, ...] = ("ocr", "signing"),
) -> None:
    """Drive the local event loop (the ``only`` functions) until ``until()``."""
    from chalicelib.deployment import QUEUE_FUNCTIONS
    from devstack.events import QueueTarget

    targets = [QueueTarget.connect(f) for f in QUEUE_FUNCTIONS if f.name in only]
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "pipeline did not finish in time"
        if not sum(target.deliver_batch() for target in targets):
            time.sleep(0.2)


def sample(name: str) -> Path:
    """Path of a sample scan from the shared samples folder."""
    from tests.samples import SAMPLES_DIR

    return Path(SAMPLES_DIR) / name
