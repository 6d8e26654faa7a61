"""Rules found missing by trying to break case management, kept by tests.

Each test names what an attacker did and what must hold instead.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import audit, hearings
from chalicelib.cases import find_case
from chalicelib.config import get_settings
from chalicelib.court_time import court_today
from chalicelib.schemas import HearingOutcomeRequest, ScheduleHearingRequest
from tests.functional import accounts
from tests.functional.test_proceedings import a_day, assigned_case, schedule
from tests.support import Api, Headers, new_case

CLERK = audit.Actor("clerk", "CLERK", "rules")


@pytest.fixture(scope="module")
def judge(api: Api, as_role: Any) -> accounts.Account:
    """A judge of TPI-RABAT for this module."""
    return accounts.account(api, as_role("admin"), "JUDGE")


def status_to(api: Api, headers: Headers, case: dict[str, Any], target: str) -> Any:
    """Move ``case`` to ``target``; return the case after."""
    status, body = api.call(
        "POST",
        f"/cases/{case['id']}/status",
        headers,
        {"version": case["version"], "status": target},
    )
    assert status == 200, body
    return body


def test_closing_cancels_hearings_frees_slots_and_refuses_outcomes(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    starts_at, room = a_day(10), f"P-{uuid.uuid4().hex[:6]}"
    _, booked = schedule(api, clerk, case, starts_at, room)
    hearing = booked["hearing"]
    closed = status_to(api, clerk, booked["case"], "CLOSED")
    assert closed["next_hearing_at"] is None
    _, rows = api.call("GET", f"/cases/{case['id']}/hearings", clerk)
    assert [h["status"] for h in rows["hearings"]] == ["CANCELLED"]
    other = assigned_case(api, clerk, judge.username)
    assert schedule(api, clerk, other, starts_at, room)[0] == 201, "slot freed"
    archived = status_to(api, clerk, closed, "ARCHIVED")
    path = f"/cases/{case['id']}/hearings/{hearing['id']}"
    for route, body in (
        ("outcome", {"outcome": "reserved_for_judgment"}),
        ("postponement", {"starts_at": a_day(), "reason": "x"}),
    ):
        body = {"version": archived["version"], **body}
        status, answer = api.call("POST", f"{path}/{route}", clerk, body)
        assert status == 409, (route, answer)


def test_an_outcome_never_reopens_a_judged_case(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case_json = assigned_case(api, clerk, judge.username)
    then = datetime(2026, 6, 1, 8, tzinfo=UTC)
    case = find_case(case_json["id"])
    assert case is not None
    request = ScheduleHearingRequest(
        version=case.version, starts_at=then + timedelta(days=1), room=uuid.uuid4().hex
    )
    hearing = hearings.schedule(case, request, CLERK, now=then)
    case.status = "JUDGED"
    case.save()
    outcome = HearingOutcomeRequest(
        version=case.version, outcome="reserved_for_judgment"
    )
    with pytest.raises(Exception, match="JUDGED case has no hearings"):
        hearings.record_outcome(
            case,
            str(hearing.record_key).split("#")[1],
            outcome,
            CLERK,
            now=then + timedelta(days=2),
        )


def test_postponing_moves_the_next_hearing_and_not_within_its_slot(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    first = a_day(10)
    _, booked = schedule(api, clerk, case, first, uuid.uuid4().hex[:6])
    path = f"/cases/{case['id']}/hearings/{booked['hearing']['id']}/postponement"
    version = booked["case"]["version"]
    same_slot = first.replace("T10:00", "T10:10")
    status, body = api.call(
        "POST", path, clerk, {"version": version, "starts_at": same_slot, "reason": "x"}
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "starts_at"
    later = a_day(11)
    status, body = api.call(
        "POST", path, clerk, {"version": version, "starts_at": later, "reason": "x"}
    )
    assert status == 200
    assert datetime.fromisoformat(body["case"]["next_hearing_at"]) == (
        datetime.fromisoformat(later)
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "salle 9",
        "SALLE  9",
        "Salle ٩",
        "Ｓａｌｌｅ 9",
        "Sálle 9",
        "Salle-09",
        "salle9.",
    ],
)
def test_a_room_is_one_room_however_it_is_spelt(
    api: Api, as_role: Any, spelling: str
) -> None:
    clerk, admin = as_role("clerk"), as_role("admin")
    starts_at = a_day(16)
    room = f"Salle 9 {uuid.uuid4().hex[:4]}"
    cases = [
        assigned_case(api, clerk, accounts.account(api, admin, "JUDGE").username)
        for _ in range(2)
    ]
    assert schedule(api, clerk, cases[0], starts_at, room)[0] == 201
    other_spelling = spelling + room.removeprefix("Salle 9")
    status, body = schedule(api, clerk, cases[1], starts_at, other_spelling)
    assert status == 409 and body["error"]["code"] == "slot_taken"


def test_an_archived_case_is_read_only(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    archived = status_to(api, clerk, status_to(api, clerk, case, "CLOSED"), "ARCHIVED")
    path = f"/cases/{case['id']}"
    version = archived["version"]
    for method, suffix, body in (
        ("PATCH", "", {"version": version, "subject": "X"}),
        ("POST", "/timeline", {"action": "NOTICE_SERVED"}),
        (
            "POST",
            "/documents",
            {"filename": "a.pdf", "content_type": "application/pdf", "size": 10},
        ),
    ):
        status, answer = api.call(method, path + suffix, clerk, body)
        assert status == 409, (suffix, answer)


def test_a_judge_who_left_the_court_reads_but_no_longer_changes(
    api: Api, as_role: Any
) -> None:
    import time

    clerk, admin = as_role("clerk"), as_role("admin")
    moving = accounts.account(api, admin, "JUDGE")
    case = assigned_case(api, clerk, moving.username)
    api.call(
        "PUT",
        f"/users/{moving.username}/role",
        admin,
        {"role": "JUDGE", "courts": ["TPI-SALE"]},
    )
    time.sleep(1.1)
    again = accounts.sign_in(api, moving.username)
    assert api.call("GET", f"/cases/{case['id']}", again.headers)[0] == 200
    status, _ = api.call(
        "POST",
        f"/cases/{case['id']}/status",
        again.headers,
        {"version": case["version"], "status": "CLOSED"},
    )
    assert status == 403
    status, body = schedule(api, clerk, case, a_day(), "Z1")
    assert status == 400 and body["error"]["details"][0]["field"] == "judge"


def test_dates_before_the_case_and_far_ahead_are_refused(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    status, body = schedule(api, clerk, case, "9999-12-31T23:00:00-01:00", "R")
    assert status == 400 and body["error"]["details"][0]["field"] == "starts_at"
    status, body = api.call(
        "POST",
        f"/cases/{case['id']}/timeline",
        clerk,
        {"action": "NOTICE_SERVED", "occurred_on": "2001-01-01"},
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "occurred_on"


def test_short_national_ids_are_masked_whole(api: Api, as_role: Any) -> None:
    party = {"role": "plaintiff", "name": "Court", "national_id": "AB12"}
    case = new_case(api, as_role("clerk"), parties=[party])
    assert case["parties"][0]["national_id"] == "AB**"


@pytest.mark.parametrize("subject", ["\u3164\u3164", "A\ue000B"])
def test_blank_and_private_characters_are_refused(
    api: Api, as_role: Any, subject: str
) -> None:
    status, body = api.call(
        "POST",
        "/cases",
        as_role("clerk"),
        {
            "court_code": "TPI-RABAT",
            "case_type_code": "1201",
            "subject": subject,
            "parties": [{"role": "plaintiff", "name": "A"}],
        },
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "subject"


@pytest.mark.parametrize(
    "key",
    [
        {"court_code": {"S": "TPI-RABAT"}},
        {
            "court_code": {"S": "TPI-RABAT"},
            "registered_at": {"N": "1"},
            "case_id": {"S": "x"},
        },
        {"court_day": {"S": "TPI-RABAT#2026-12-04"}, "case_id": {"S": "x"}},
    ],
)
def test_forged_cursors_are_refused(
    api: Api, as_role: Any, key: dict[str, Any]
) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    for query in ("", "&hearing_date=2026-12-04"):
        status, body = api.call(
            "GET", f"/cases?court=TPI-RABAT{query}&cursor={cursor}", as_role("clerk")
        )
        assert status == 400 and body["error"]["details"][0]["field"] == "cursor"


def test_a_party_filing_is_sealed_as_received_never_as_a_judgment(
    api: Api, as_role: Any
) -> None:
    from tests.functional.test_documents import announce, settled
    from tests.functional.test_signatures import small_pdf
    from tests.support import run_pipeline, upload

    clerk, lawyer = as_role("clerk"), as_role("lawyer")
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    case = assigned_case(api, clerk, judge.username)
    data = small_pdf("Conclusions du demandeur")
    filed = announce(api, lawyer, case["id"], data, "application/pdf")
    assert upload(filed["upload"], data, "application/pdf") == 204
    run_pipeline(lambda: settled(case["id"], filed["document_id"]))
    path = f"/cases/{case['id']}/documents/{filed['document_id']}"
    _, document = api.call("GET", path, clerk)
    assert document["status"] == "SIGNED" and document["origin"] == "filing"
    status, public = api.call("GET", f"/public/verification/{document['sha256']}")
    assert status == 200 and public["origin"] == "filing"
    case = status_to(api, clerk, case, "SCHEDULED")
    status, body = api.call(
        "POST",
        f"/cases/{case['id']}/judgments",
        judge.headers,
        {
            "version": case["version"],
            "pronounced_on": court_today().isoformat(),
            "operative_part": "Rejet",
            "document_id": filed["document_id"],
        },
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "document_id"


def test_password_answers_are_limited_per_address(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", "2001:db8::77")
    monkeypatch.setenv("JUSTICIA_LOGIN_IP_PER_MINUTE", "2")
    get_settings.cache_clear()
    try:
        body = {
            "username": "admin",
            "session": "x" * 20,
            "new_password": "Whatever-123!",
        }
        statuses = [api.call("POST", "/auth/password", body=body)[0] for _ in range(3)]
        assert statuses == [401, 401, 429]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_an_unknown_status_filter_is_refused(api: Api, as_role: Any) -> None:
    status, body = api.call(
        "GET", "/cases?court=TPI-RABAT&status=NOPE", as_role("clerk")
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "status"
