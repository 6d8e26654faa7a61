"""Judgments linked to signed documents, hearing outcomes, and public tracking."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import audit, hearings
from chalicelib.cases import find_case
from chalicelib.config import get_settings
from chalicelib.court_time import at_court, court_today
from chalicelib.models import RegistryModel
from chalicelib.schemas import HearingOutcomeRequest, ScheduleHearingRequest
from tests.functional import accounts
from tests.functional.test_proceedings import a_day, assigned_case, schedule
from tests.functional.test_signatures import signed_document, small_pdf
from tests.support import Api, new_case

CLERK = audit.Actor("clerk", "CLERK", "test")


@pytest.fixture(autouse=True)
def own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test looks up from an address of its own (the public rate limit)."""
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


@pytest.fixture(scope="module")
def judged(api: Api, as_role: Any) -> dict[str, Any]:
    """A case with a signed judgment: scheduled, then judged by its judge."""
    clerk, admin = as_role("clerk"), as_role("admin")
    judge = accounts.account(api, admin, "JUDGE")
    case_id, document = signed_document(api, clerk, small_pdf("حكم"), "application/pdf")
    _, case = api.call(
        "POST",
        f"/cases/{case_id}/assignment",
        clerk,
        {"version": 1, "judge": judge.username},
    )
    status, body = schedule(api, clerk, case, a_day(), f"J-{uuid.uuid4().hex[:6]}")
    assert status == 201, body
    status, judgment = api.call(
        "POST",
        f"/cases/{case_id}/judgments",
        judge.headers,
        {
            "version": body["case"]["version"],
            "pronounced_on": court_today().isoformat(),
            "operative_part": "حكمت المحكمة علنيا ابتدائيا وحضوريا",
            "document_id": document["document_id"],
        },
    )
    assert status == 201, judgment
    return {"judgment": judgment, "judge": judge, "document": document}


def test_a_judgment_is_numbered_and_judges_the_case(judged: dict[str, Any]) -> None:
    judgment, case = judged["judgment"]["judgment"], judged["judgment"]["case"]
    number, year = judgment["number"].split("/")
    assert int(number) >= 1 and int(year) == datetime.now(UTC).year
    assert case["status"] == "JUDGED" and case["next_hearing_at"] is None
    assert case["last_judgment"] == {
        "number": judgment["number"],
        "date": judgment["date"],
    }


def test_a_judgment_needs_a_signed_document_of_the_case(
    api: Api, as_role: Any, judged: dict[str, Any]
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judged["judge"].username)
    _, body = schedule(api, clerk, case, a_day(), f"K-{uuid.uuid4().hex[:6]}")
    request = {
        "version": body["case"]["version"],
        "pronounced_on": court_today().isoformat(),
        "operative_part": "Rejet",
        "document_id": judged["document"]["document_id"],  # another case's
    }
    path = f"/cases/{case['id']}/judgments"
    status, answer = api.call("POST", path, judged["judge"].headers, request)
    assert status == 400 and answer["error"]["details"][0]["field"] == "document_id"
    year = datetime.now(UTC).year
    taken = RegistryModel.get(f"JUDGMENT#{case['court_code']}#{year}").last_serial
    void = RegistryModel.get(f"JUDGMENT-NUMBER#{case['court_code']}#{taken}/{year}")
    assert void.void_reason == "refused", "the number the refusal took is void"
    status, _ = api.call("POST", path, clerk, request)
    assert status == 403, "clerks do not pronounce judgments"


def test_a_judged_case_cannot_be_judged_again_or_scheduled(
    api: Api, judged: dict[str, Any]
) -> None:
    case = judged["judgment"]["case"]
    headers = judged["judge"].headers
    status, body = schedule(api, headers, case, a_day(), "Z")
    assert status == 409 and body["error"]["code"] == "transition_refused"


def test_an_adjourned_hearing_books_the_next_and_counts_certainty(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    case_json = assigned_case(api, clerk, judge.username)
    then = datetime(2026, 3, 2, 8, tzinfo=UTC)
    case = find_case(case_json["id"])
    assert case is not None
    request = ScheduleHearingRequest(
        version=case.version,
        starts_at=then + timedelta(days=1),
        room=f"R-{uuid.uuid4().hex[:6]}",
    )
    hearing = hearings.schedule(case, request, CLERK, now=then)
    outcome = HearingOutcomeRequest(
        version=case.version,
        outcome="adjourned",
        decision="للإدلاء بالجواب",
        next_starts_at=then + timedelta(days=15),
    )
    following = hearings.record_outcome(
        case,
        str(hearing.record_key).split("#")[1],
        outcome,
        CLERK,
        now=then + timedelta(days=1, hours=2),
    )
    assert following is not None and following.hearing_status == "SCHEDULED"
    stored = find_case(case.case_id)
    assert stored is not None and stored.next_hearing_at == following.starts_at
    rows = {h.record_key: h for h in hearings.hearings_of(case.case_id)}
    assert rows[hearing.record_key].outcome == "adjourned"
    _, timeline = api.call("GET", f"/cases/{case.case_id}/timeline", clerk)
    adjourned = [e for e in timeline["timeline"] if e["action"] == "HEARING_ADJOURNED"]
    shown = datetime.fromisoformat(adjourned[0]["next_hearing_at"])
    assert shown == following.starts_at
    assert shown.utcoffset() == at_court(following.starts_at).utcoffset()


def test_an_outcome_before_the_hearing_is_refused(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    case = assigned_case(api, clerk, judge.username)
    _, body = schedule(api, clerk, case, a_day(), f"E-{uuid.uuid4().hex[:6]}")
    status, answer = api.call(
        "POST",
        f"/cases/{case['id']}/hearings/{body['hearing']['id']}/outcome",
        clerk,
        {"version": body["case"]["version"], "outcome": "reserved_for_judgment"},
    )
    assert status == 409, answer
    status, answer = api.call(
        "POST",
        f"/cases/{case['id']}/hearings/{body['hearing']['id']}/outcome",
        clerk,
        {"version": body["case"]["version"], "outcome": "adjourned"},
    )
    assert status == 400
    assert answer["error"]["details"][0]["field"] == "next_starts_at"


def test_the_public_card_shows_the_file_and_no_personal_data(
    api: Api, judged: dict[str, Any]
) -> None:
    case = judged["judgment"]["case"]
    serial, code, year = case["file_number"].split("/")
    query = f"court=TPI-RABAT&serial={serial}&code={code}&year={year}"
    status, card = api.call("GET", f"/public/cases?{query}")
    assert status == 200, card
    assert card["file_number"] == case["file_number"]
    assert card["national_number"] == case["national_number"]
    assert card["reporting_judge"] == "Test User"
    assert card["last_judgment"]["number"] == judged["judgment"]["judgment"]["number"]
    assert card["court"]["name_ar"] and card["case_type"]["name_fr"]
    actions = [entry["action"] for entry in card["timeline"]]
    assert actions[0] == "REGISTERED" and "JUDGMENT_PRONOUNCED" in actions
    text = json.dumps(card, ensure_ascii=False)
    for private in (
        "parties",
        "national_id",
        "سلمى",
        "AB***",
        "decision",
        "recorded_by",
    ):
        assert private not in text, private
    assert "case_id" not in text and case["id"] not in text


def test_public_tracking_refuses_bad_and_unknown_numbers(api: Api) -> None:
    for query, field in (
        ("court=TPI-RABAT&serial=1&code=12&year=2026", "code"),
        ("court=TPI-RABAT&serial=x&code=1201&year=2026", "serial"),
        ("serial=1&code=1201&year=2026", "court"),
        ("court=TPI-RABAT&serial=1&code=1201&year=2026&name=x", "name"),
    ):
        status, body = api.call("GET", f"/public/cases?{query}")
        assert status == 400 and body["error"]["details"][0]["field"] == field
    status, _ = api.call(
        "GET", "/public/cases?court=TPI-RABAT&serial=999999&code=1201&year=2026"
    )
    assert status == 404


def test_public_tracking_is_rate_limited(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUSTICIA_PUBLIC_TRACKING_PER_MINUTE", "2")
    get_settings.cache_clear()
    try:
        query = "court=TPI-RABAT&serial=999999&code=1201&year=2026"
        statuses = [api.call("GET", f"/public/cases?{query}")[0] for _ in range(3)]
        assert statuses == [404, 404, 429]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_public_hearing_table_has_no_subject_or_judge(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    case = assigned_case(api, clerk, judge.username)
    starts_at = a_day(12)
    assert schedule(api, clerk, case, starts_at, "Salle 3")[0] == 201
    status, table = api.call(
        "GET", f"/public/hearings?court=TPI-RABAT&date={starts_at[:10]}"
    )
    assert status == 200
    rows = [h for h in table["hearings"] if h["file_number"] == case["file_number"]]
    assert rows and set(rows[0]) == {
        "id",
        "file_number",
        "case_type_code",
        "starts_at",
        "room",
        "status",
    }
    status, body = api.call("GET", "/public/hearings?court=NOWHERE&date=2026-01-05")
    assert status == 400 and body["error"]["details"][0]["field"] == "court"


def test_stored_items_never_hold_a_national_id(api: Api, as_role: Any) -> None:
    from chalicelib.models import CaseModel, MembershipModel, UserModel

    case = new_case(api, as_role("clerk"))
    raw = json.dumps(CaseModel.get(case["id"]).to_simple_dict(), ensure_ascii=False)
    assert "AB123456" not in raw and "AB****56" in raw
    profile = json.dumps(UserModel.get("citizen").to_simple_dict())
    assert "AB123456" not in profile
    digest = CaseModel.get(case["id"]).parties[0].national_id_digest
    for row in MembershipModel.query(f"CIN#{digest}"):
        assert "AB123456" not in json.dumps(row.to_simple_dict(), default=str)


def test_a_document_is_read_through_a_short_audited_address(
    api: Api, as_role: Any, judged: dict[str, Any]
) -> None:
    import hashlib

    import requests

    document = judged["document"]
    case_id = judged["judgment"]["case"]["id"]
    path = f"/cases/{case_id}/documents/{document['document_id']}/content"
    clerk = as_role("clerk")
    status, link = api.call("GET", path, clerk)
    assert status == 200 and link["expires_in"] == 60
    original = requests.get(link["url"], timeout=10)
    assert original.status_code == 200
    assert hashlib.sha256(original.content).hexdigest() == document["sha256"]
    status, link = api.call("GET", f"{path}?variant=sealed", clerk)
    sealed = requests.get(link["url"], timeout=10).content
    assert sealed.startswith(b"%PDF") and b"/ByteRange" in sealed
    _, trail = api.call("GET", f"/cases/{case_id}/audit", as_role("admin"))
    reads = [e for e in trail["entries"] if e["action"] == "DOWNLOAD_DOCUMENT"]
    assert [e["details"]["variant"] for e in reads[:2]] == ["sealed", "original"]
    status, body = api.call("GET", f"{path}?variant=scan", clerk)
    assert status == 400 and body["error"]["details"][0]["field"] == "variant"
    assert api.call("GET", path, as_role("lawyer"))[0] == 200, "counsel of the case"
    stranger = accounts.account(api, as_role("admin"), "LAWYER", roll_number="999")
    assert api.call("GET", path, stranger.headers)[0] == 404


def test_the_courts_are_public(api: Api) -> None:
    status, body = api.call("GET", "/public/courts")
    assert status == 200
    codes = {court["code"] for court in body["courts"]}
    assert {"TPI-RABAT", "CC-RABAT"} <= codes
    assert all(
        court["names"]["ar"] and court["names"]["fr"] for court in body["courts"]
    )
