"""The security reports: events, failed sign-ins per user, permission changes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib.court_time import at_court, court_today
from tests.functional import accounts
from tests.support import Api

TODAY = court_today().isoformat()


def fail_sign_in(api: Api, username: str, times: int) -> None:
    """Sign in ``times`` times with a wrong password."""
    for _ in range(times):
        status, _ = api.call(
            "POST", "/auth/login", body={"username": username, "password": "Wrong-1!x"}
        )
        assert status in (401, 429)


def test_failed_sign_ins_and_role_changes_are_security_events(
    api: Api, as_role: Any
) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CLERK")
    fail_sign_in(api, user.username, 1)
    status, _ = api.call(
        "PUT",
        f"/users/{user.username}/role",
        admin,
        {"role": "JUDGE", "courts": ["TPI-SALE"]},
    )
    assert status == 200
    status, body = api.call(
        "GET", f"/audit/security?from={TODAY}&to={TODAY}&limit=1000", admin
    )
    assert status == 200
    about = [e for e in body["events"] if e["target"] == f"user#{user.username}"]
    assert [e["action"] for e in about] == ["CHANGE_ROLE", "LOGIN", "CREATE_USER"]
    assert about[1]["outcome"] == "FAILURE" and about[1]["source_ip"]
    assert about[0]["details"]["after"]["role"] == "JUDGE"
    times = [datetime.fromisoformat(e["occurred_at"]) for e in body["events"]]
    assert times == sorted(times, reverse=True)
    assert all(t.utcoffset() == at_court(t).utcoffset() for t in times), "court time"


def test_successful_sign_ins_are_not_security_events(api: Api, as_role: Any) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CLERK")
    accounts.sign_in(api, user.username)
    _, body = api.call("GET", "/audit/security?limit=1000", admin)
    logins = [
        e
        for e in body["events"]
        if e["target"] == f"user#{user.username}" and e["action"] == "LOGIN"
    ]
    assert logins == []


def test_failed_sign_ins_per_user_flag_those_past_the_threshold(
    api: Api, as_role: Any
) -> None:
    admin = as_role("admin")
    many, few = (accounts.account(api, admin, "LAWYER") for _ in range(2))
    fail_sign_in(api, many.username, 4)
    fail_sign_in(api, few.username, 2)
    status, report = api.call(
        "GET", f"/reports/failed-logins?from={TODAY}&to={TODAY}&threshold=3", admin
    )
    assert status == 200 and report["threshold"] == 3
    rows = {row["username"]: row for row in report["users"]}
    assert rows[many.username]["failures"] == 4
    assert rows[many.username]["above_threshold"] is True
    assert rows[few.username] == {
        "username": few.username,
        "failures": 2,
        "refused_while_locked": 0,
        "locks": 0,
        "above_threshold": False,
    }
    assert many.username in report["above_threshold"]
    assert few.username not in report["above_threshold"]


def test_permission_changes_over_a_period(api: Api, as_role: Any) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CLERK")
    assert api.call("POST", f"/users/{user.username}/deactivate", admin)[0] == 200
    _, report = api.call("GET", "/reports/permission-changes", admin)
    mine = [c for c in report["changes"] if c["target"] == f"user#{user.username}"]
    assert [c["action"] for c in mine] == ["DEACTIVATE_USER", "CREATE_USER"]
    assert all(c["actor"] == "admin" for c in mine)


def test_the_cli_gives_the_same_report(api: Api, as_role: Any, capsys: Any) -> None:
    from cli.main import OK, main

    user = accounts.account(api, as_role("admin"), "CITIZEN")
    fail_sign_in(api, user.username, 2)
    capsys.readouterr()  # the API's own log lines
    assert main(["reports", "failed-logins", "--threshold", "1"]) == OK
    report = json.loads(capsys.readouterr().out)
    assert user.username in report["above_threshold"]


def test_the_reports_are_for_admins_with_a_bounded_period(
    api: Api, as_role: Any
) -> None:
    for path in ("/audit/security", "/reports/failed-logins"):
        assert api.call("GET", path, as_role("clerk"))[0] == 403
    for query, field in (
        ("/audit/security?from=2026-01-01&to=2026-03-01", "to"),
        ("/audit/security?from=yesterday", "from"),
        ("/audit/security?limit=0", "limit"),
        ("/reports/failed-logins?threshold=x", "threshold"),
        ("/reports/permission-changes?user=x", "user"),
    ):
        status, body = api.call("GET", query, as_role("admin"))
        assert status == 400 and body["error"]["details"][0]["field"] == field
