"""The CEPEJ indicators, checked against a count over the cases of the test.

Cases are registered and resolved at chosen dates at a court no other test
uses, through the same services as the API; the report, read from counters
kept on writes, must equal what counting those cases gives.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib import audit
from chalicelib.cases import find_case, register_case
from chalicelib.schemas import RegisterCaseRequest, TransitionRequest
from chalicelib.statistics import court_report
from chalicelib.workflow import transition
from tests.support import Api

COURT = "TPI-TETOUAN"
CLERK = audit.Actor("clerk", "CLERK", "test")
START, END = date(2025, 4, 1), date(2025, 6, 30)


def register(on: datetime) -> str:
    """Register a case at ``COURT`` on ``on``; return its id."""
    request = RegisterCaseRequest.model_validate(
        {
            "court_code": COURT,
            "case_type_code": "1201",
            "subject": "Statistiques",
            "parties": [{"role": "plaintiff", "name": "Partie"}],
        }
    )
    return register_case(request, CLERK, now=on).case_id


def close(case_id: str, on: datetime) -> None:
    """Close a case on ``on`` (resolved without judgment)."""
    case = find_case(case_id)
    assert case is not None
    request = TransitionRequest(version=case.version, status="CLOSED")
    transition(case, request, CLERK, now=on)


@pytest.fixture(scope="module")
def history(stack: Any) -> list[tuple[datetime, datetime | None]]:
    """40 cases over 2025, two thirds resolved some days later."""
    rng = random.Random(38_15)  # noqa: S311 - reproducible test data
    cases: list[tuple[datetime, datetime | None]] = []
    for _ in range(40):
        filed = datetime(2025, 1, 1, 10, tzinfo=UTC) + timedelta(
            days=rng.randint(0, 300)
        )
        resolved = (
            filed + timedelta(days=rng.randint(0, 120)) if rng.random() < 0.66 else None
        )
        case_id = register(filed)
        if resolved is not None:
            close(case_id, resolved)
        cases.append((filed, resolved))
    return cases


def counted(
    history: list[tuple[datetime, datetime | None]], today: date
) -> dict[str, Any]:
    """The indicators by counting the cases one by one."""

    def pending_on(day: date) -> int:
        return sum(
            1
            for filed, resolved in history
            if filed.date() < day and (resolved is None or resolved.date() >= day)
        )

    incoming = sum(1 for filed, _ in history if START <= filed.date() <= END)
    resolved = [r for _, r in history if r is not None and START <= r.date() <= END]
    pending_end = pending_on(END + timedelta(days=1))
    open_now = [filed for filed, r in history if r is None]
    return {
        "incoming": incoming,
        "resolved": len(resolved),
        "pending_start": pending_on(START),
        "pending_end": pending_end,
        "clearance_rate": round(len(resolved) / incoming * 100, 2),
        "case_turnover_ratio": round(len(resolved) / pending_end, 2),
        "pending": len(open_now),
        "oldest": sum(1 for filed in open_now if (today - filed.date()).days >= 730),
    }


def test_the_report_equals_a_count_over_the_cases(
    history: list[tuple[datetime, datetime | None]],
) -> None:
    today = date(2026, 12, 4)
    report = court_report(COURT, START, END, today=today)
    expected = counted(history, today)
    for name in (
        "incoming",
        "resolved",
        "pending_start",
        "pending_end",
        "clearance_rate",
        "case_turnover_ratio",
    ):
        assert report[name] == expected[name], name
    turnover = expected["resolved"] / expected["pending_end"]
    assert report["disposition_time_days"] == round(91 / turnover, 2)
    ages = report["pending_age"]["cases"]
    assert sum(ages.values()) == expected["pending"]
    assert ages["2y+"] == expected["oldest"]


def test_the_statistics_route_checks_court_and_period(
    api: Api, as_role: Any, history: list[tuple[datetime, datetime | None]]
) -> None:
    admin = as_role("admin")
    status, report = api.call(
        "GET", f"/statistics?court={COURT}&from=2025-04-01&to=2025-06-30", admin
    )
    assert (
        status == 200
        and report["incoming"] == counted(history, date.today())["incoming"]
    )
    status, body = api.call(
        "GET", f"/statistics?court={COURT}&from=2025-06-30&to=2025-04-01", admin
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "to"
    status, _ = api.call(
        "GET",
        f"/statistics?court={COURT}&from=2025-04-01&to=2025-06-30",
        as_role("clerk"),
    )
    assert status == 403, "the demo clerk does not serve Tetouan"
