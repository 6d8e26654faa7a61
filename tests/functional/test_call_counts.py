"""What one request costs in AWS calls: a read at most 2, a write at most 4.

Every botocore call the request makes is counted (PynamoDB goes through
botocore too). The authorizer's read of the caller's standing is cached for a
few seconds per process: the tests keep it cached, and warm each route
once, so that only what the route itself costs is counted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.functional import accounts
from tests.functional.test_proceedings import a_day, assigned_case
from tests.support import Api, Headers, new_case


@pytest.fixture(autouse=True)
def standing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the authorizer's cached standing for the test: only routes count."""
    from chalicelib import identity

    monkeypatch.setattr(identity, "STANDING_SECONDS", 3600.0)


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record the name of every AWS operation made inside the block."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def counted(self: BaseClient, operation: str, params: Any) -> Any:
        calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    try:
        yield calls
    finally:
        monkeypatch.setattr(BaseClient, "_make_api_call", original)


def cost(
    monkeypatch: pytest.MonkeyPatch,
    api: Api,
    request: tuple[str, str, Headers, Any],
) -> list[str]:
    """The AWS operations of one successful ``(method, path, headers, body)``."""
    with counting(monkeypatch) as calls:
        status, answer = api.call(*request)
    assert status < 300, answer
    return calls


@pytest.fixture()
def case(api: Api, as_role: Any) -> dict[str, Any]:
    """A case with a reporting judge, read once (to warm the caches)."""
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    case = assigned_case(api, as_role("clerk"), judge.username)
    api.call("GET", f"/cases/{case['id']}", as_role("clerk"))
    return case


@pytest.mark.parametrize(
    "path",
    ["", "/timeline", "/hearings", "/judgments", "/links", "/documents"],
)
def test_a_read_costs_at_most_two_calls(
    api: Api,
    as_role: Any,
    case: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    clerk = as_role("clerk")
    calls = cost(monkeypatch, api, ("GET", f"/cases/{case['id']}{path}", clerk, None))
    assert len(calls) <= 2, calls


def test_lists_cost_one_call(
    api: Api, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.call("GET", "/cases?court=TPI-RABAT", as_role("clerk"))
    api.call("GET", "/my/cases", as_role("lawyer"))
    for username, path in (
        ("clerk", "/cases?court=TPI-RABAT&limit=5"),
        ("clerk", "/courts/TPI-RABAT/hearings?date=2031-01-06"),
        ("lawyer", "/my/cases"),
    ):
        calls = cost(monkeypatch, api, ("GET", path, as_role(username), None))
        assert calls == ["Query"], (path, calls)


def test_writes_cost_at_most_four_calls(
    api: Api, as_role: Any, case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = as_role("clerk")
    base = f"/cases/{case['id']}"
    version = case["version"]
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", base, {"subject": "Objet corrigé"}),
        ("POST", f"{base}/timeline", {"action": "NOTICE_SERVED"}),
        (
            "POST",
            f"{base}/hearings",
            {"starts_at": a_day(), "room": uuid.uuid4().hex[:6]},
        ),
        ("POST", f"{base}/status", {"status": "DELIBERATION"}),
    ]
    for method, path, body in requests:
        if method != "POST" or not path.endswith("/timeline"):
            body = {**body, "version": version}
        calls = cost(monkeypatch, api, (method, path, clerk, body))
        assert len(calls) <= 4, (path, calls)
        assert calls.count("TransactWriteItems") == 1, (path, calls)
        version = api.call("GET", base, clerk)[1]["version"]


def test_a_registration_costs_three_calls(
    api: Api, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_case(api, as_role("clerk"))
    with counting(monkeypatch) as calls:
        new_case(api, as_role("clerk"))
    assert sorted(calls) == sorted(
        ["UpdateItem", "UpdateItem", "TransactWriteItems"]
    ), calls
