"""A case file's life through the API: judge, hearings, parties, links, status.

Each test works on cases of its own and a judge of its own, so slots and
counters never collide between tests.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.statuses import TRANSITIONS
from tests.functional import accounts
from tests.support import Api, Headers, new_case


def future(days: int = 30, hour: int = 9) -> str:
    """An ISO time ``days`` ahead at ``hour``:00, in Morocco's offset."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.strftime(f"%Y-%m-%dT{hour:02d}:00:00+01:00")


def a_day(hour: int = 9) -> str:
    """A random day a year or two ahead, so tests never share a slot."""
    return future(random.randint(400, 4000), hour)  # noqa: S311 - test data


@pytest.fixture(scope="module")
def judge(api: Api, as_role: Any) -> accounts.Account:
    """A judge of TPI-RABAT for this module."""
    return accounts.account(api, as_role("admin"), "JUDGE")


def assigned_case(api: Api, clerk: Headers, judge: str) -> dict[str, Any]:
    """A new TPI-RABAT case with ``judge`` as its reporting judge."""
    case = new_case(api, clerk)
    status, case = api.call(
        "POST",
        f"/cases/{case['id']}/assignment",
        clerk,
        {"version": case["version"], "judge": judge},
    )
    assert status == 200, case
    return dict(case)


def schedule(
    api: Api, headers: Headers, case: dict[str, Any], starts_at: str, room: str
) -> tuple[int, Any]:
    """Ask for a hearing of ``case`` at ``starts_at`` in ``room``."""
    return api.call(
        "POST",
        f"/cases/{case['id']}/hearings",
        headers,
        {"version": case["version"], "starts_at": starts_at, "room": room},
    )


def test_registration_gives_national_number_and_first_procedure(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    assert case["national_number"].startswith(str(case["year"]))
    assert len(case["national_number"]) == 12
    status, body = api.call("GET", f"/cases/{case['id']}/timeline", clerk)
    assert status == 200
    assert [entry["action"] for entry in body["timeline"]] == ["REGISTERED"]
    assert body["timeline"][0]["action_name"]["ar"] == "تسجيل الملف"


def test_assignment_is_audited_and_on_the_timeline(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    assert case["reporting_judge"] == {"username": judge.username, "name": "Test User"}
    assert case["version"] == 2
    _, audit = api.call("GET", f"/cases/{case['id']}/audit", as_role("admin"))
    assigned = [e for e in audit["entries"] if e["action"] == "ASSIGN_JUDGE"]
    assert assigned[0]["details"]["after"] == {"reporting_judge": judge.username}
    assert assigned[0]["details"]["before"] == {"reporting_judge": None}


def test_only_an_active_judge_of_the_court_can_be_assigned(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    for judge in ("clerk", "nobody-at-all", "judge-of-nowhere"):
        status, body = api.call(
            "POST",
            f"/cases/{case['id']}/assignment",
            clerk,
            {"version": case["version"], "judge": judge},
        )
        assert status == 400 and body["error"]["details"][0]["field"] == "judge"
    sale_judge = accounts.account(
        api, as_role("admin"), "JUDGE", courts=["TPI-SALE"]
    ).username
    status, body = api.call(
        "POST",
        f"/cases/{case['id']}/assignment",
        clerk,
        {"version": case["version"], "judge": sale_judge},
    )
    assert status == 400 and "TPI-RABAT" in body["error"]["details"][0]["reason"]


def test_a_stale_version_gets_409_and_changes_nothing(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    path = f"/cases/{case['id']}"
    status, first = api.call("PATCH", path, clerk, {"version": 1, "subject": "Un"})
    assert status == 200 and first["version"] == 2
    status, stale = api.call("PATCH", path, clerk, {"version": 1, "subject": "Deux"})
    assert status == 409 and stale["error"]["code"] == "stale_version"
    assert stale["error"]["messages"]["ar"]
    _, now = api.call("GET", path, clerk)
    assert now["subject"] == "Un" and now["version"] == 2
    _, timeline = api.call("GET", f"{path}/timeline", clerk)
    assert [e["action"] for e in timeline["timeline"]].count("CASE_CORRECTED") == 1


def test_an_unknown_status_names_the_field(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    status, body = api.call(
        "POST", f"/cases/{case['id']}/status", clerk, {"version": 1, "status": "DONE"}
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "status"


def test_closing_then_archiving_then_nothing(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    assert case["next_statuses"] == ["CLOSED", "SCHEDULED"]
    path = f"/cases/{case['id']}/status"
    for version, target in ((1, "CLOSED"), (2, "ARCHIVED")):
        status, body = api.call(
            "POST", path, clerk, {"version": version, "status": target}
        )
        assert status == 200 and body["status"] == target, body
        assert body["next_statuses"] == sorted(TRANSITIONS[target]), body
    for target in TRANSITIONS:
        status, body = api.call("POST", path, clerk, {"version": 3, "status": target})
        assert status == 409, (target, body)


def test_lawyers_and_citizens_cannot_change_a_case_they_see(
    api: Api, as_role: Any
) -> None:
    case = new_case(api, as_role("clerk"))
    for username in ("lawyer", "citizen"):
        status, body = api.call(
            "PATCH",
            f"/cases/{case['id']}",
            as_role(username),
            {"version": 1, "subject": "Autre"},
        )
        assert status == 403, body


def test_a_clerk_of_another_court_cannot_change_the_case(
    api: Api, as_role: Any
) -> None:
    case = new_case(api, as_role("clerk"))
    other = accounts.account(api, as_role("admin"), "CLERK", courts=["TPI-FES"])
    status, _ = api.call(
        "PATCH", f"/cases/{case['id']}", other.headers, {"version": 1, "subject": "X"}
    )
    assert status == 404, "another court's case does not exist for this clerk"


def test_scheduling_postponing_and_the_court_hearing_list(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    starts_at, room = a_day(10), f"Salle {uuid.uuid4().hex[:6]}"
    status, body = schedule(api, clerk, case, starts_at, room)
    assert status == 201, body
    hearing, case = body["hearing"], body["case"]
    assert case["status"] == "SCHEDULED" and case["next_hearing_at"] is not None
    assert hearing["judge"] == judge.username and hearing["postponements"] == 0

    later = a_day(11)
    status, body = api.call(
        "POST",
        f"/cases/{case['id']}/hearings/{hearing['id']}/postponement",
        clerk,
        {"version": case["version"], "starts_at": later, "reason": "تبليغ المدعى عليه"},
    )
    assert status == 200, body
    assert body["hearing"]["postponements"] == 1
    assert body["hearing"]["first_starts_at"] == hearing["starts_at"]
    day = later[:10]
    status, listing = api.call(
        "GET", f"/courts/TPI-RABAT/hearings?date={day}", as_role("judge")
    )
    assert status == 200
    mine = [h for h in listing["hearings"] if h["case_id"] == case["id"]]
    assert len(mine) == 1 and mine[0]["file_number"] == case["file_number"]
    times = [h["starts_at"] for h in listing["hearings"]]
    assert times == sorted(times), "the hearing list is in order of time"
    _, timeline = api.call("GET", f"/cases/{case['id']}/timeline", clerk)
    postponed = [e for e in timeline["timeline"] if e["action"] == "HEARING_POSTPONED"]
    assert postponed[0]["decision"] == "تبليغ المدعى عليه"


def test_a_judge_cannot_be_booked_twice_in_one_slot(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    first = assigned_case(api, clerk, judge.username)
    second = assigned_case(api, clerk, judge.username)
    starts_at = a_day(9)
    status, _ = schedule(api, clerk, first, starts_at, f"A-{uuid.uuid4().hex[:6]}")
    assert status == 201
    same_slot = starts_at.replace(":00:00+", ":20:00+")
    status, body = schedule(api, clerk, second, same_slot, f"B-{uuid.uuid4().hex[:6]}")
    assert status == 409 and body["error"]["code"] == "slot_taken"
    _, untouched = api.call("GET", f"/cases/{second['id']}", clerk)
    assert untouched["version"] == second["version"]
    assert untouched["status"] == "REGISTERED"
    _, hearings = api.call("GET", f"/cases/{second['id']}/hearings", clerk)
    assert hearings["hearings"] == []


def test_a_room_cannot_hold_two_hearings_in_one_slot(api: Api, as_role: Any) -> None:
    clerk, admin = as_role("clerk"), as_role("admin")
    room, starts_at = f"Salle {uuid.uuid4().hex[:6]}", a_day(14)
    cases = [
        assigned_case(api, clerk, accounts.account(api, admin, "JUDGE").username)
        for _ in range(2)
    ]
    assert schedule(api, clerk, cases[0], starts_at, room)[0] == 201
    status, body = schedule(api, clerk, cases[1], starts_at, room)
    assert status == 409 and body["error"]["code"] == "slot_taken"
    next_slot = starts_at.replace("T14:00", "T14:30")
    assert schedule(api, clerk, cases[1], next_slot, room)[0] == 201


def test_a_hearing_in_the_past_is_refused_and_times_are_court_times(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    clerk = as_role("clerk")
    case = assigned_case(api, clerk, judge.username)
    status, body = schedule(api, clerk, case, "2020-01-06T09:00:00+01:00", "S1")
    assert status == 400 and body["error"]["details"][0]["field"] == "starts_at"
    status, body = schedule(api, clerk, case, "2030-06-10T09:00:00", "S1")
    assert status == 201, "a time without its offset is court time"
    assert body["hearing"]["starts_at"] == "2030-06-10T09:00:00+01:00"
    case = body["case"]
    status, body = schedule(api, clerk, case, "2030-01-14T09:00:00", "S2")
    assert status == 201
    assert body["hearing"]["starts_at"] == "2030-01-14T09:00:00+00:00", "Ramadan"


def test_a_case_without_reporting_judge_needs_a_judge_named(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    status, body = schedule(api, clerk, case, a_day(), "S1")
    assert status == 400 and body["error"]["details"][0]["field"] == "judge"


def test_parties_join_and_leave_with_their_counsel(api: Api, as_role: Any) -> None:
    clerk, admin = as_role("clerk"), as_role("admin")
    roll = uuid.uuid4().hex[:6]
    counsel = accounts.account(api, admin, "LAWYER", bar="Casablanca", roll_number=roll)
    case = new_case(api, clerk)
    _, mine = api.call("GET", "/my/cases", counsel.headers)
    assert mine["cases"] == []
    party = {
        "role": "intervener",
        "name": "Banque Populaire",
        "kind": "legal",
        "trade_register": "RC-1",
        "lawyers": [{"bar": "Casablanca", "roll_number": roll}],
    }
    status, body = api.call(
        "POST", f"/cases/{case['id']}/parties", clerk, {"version": 1, "party": party}
    )
    assert status == 201, body
    _, mine = api.call("GET", "/my/cases", counsel.headers)
    assert [row["id"] for row in mine["cases"]] == [case["id"]]
    assert api.call("GET", f"/cases/{case['id']}", counsel.headers)[0] == 200
    joined = body["parties"][-1]
    status, body = api.call(
        "DELETE",
        f"/cases/{case['id']}/parties/{joined['id']}?version={body['version']}",
        clerk,
    )
    assert status == 200 and len(body["parties"]) == 2
    _, mine = api.call("GET", "/my/cases", counsel.headers)
    assert mine["cases"] == []
    assert api.call("GET", f"/cases/{case['id']}", counsel.headers)[0] == 404


def test_the_demo_citizen_and_lawyer_see_their_cases(api: Api, as_role: Any) -> None:
    case = new_case(api, as_role("clerk"))
    for username in ("citizen", "lawyer"):
        status, mine = api.call("GET", "/my/cases?limit=100", as_role(username))
        assert status == 200
        ids = {row["id"] for row in mine["cases"]}
        while mine["next_cursor"] and case["id"] not in ids:
            _, mine = api.call(
                "GET",
                f"/my/cases?limit=100&cursor={mine['next_cursor']}",
                as_role(username),
            )
            ids |= {row["id"] for row in mine["cases"]}
        assert case["id"] in ids, username


def test_a_reassigned_judge_keeps_seeing_the_cases_assigned(
    api: Api, as_role: Any
) -> None:
    clerk, admin = as_role("clerk"), as_role("admin")
    moving = accounts.account(api, admin, "JUDGE")
    assigned = assigned_case(api, clerk, moving.username)
    unassigned = new_case(api, clerk)
    status, _ = api.call(
        "PUT",
        f"/users/{moving.username}/role",
        admin,
        {"role": "JUDGE", "courts": ["TPI-SALE"]},
    )
    assert status == 200
    time.sleep(1.1)  # tokens issued in the second of the change are refused
    fresh = accounts.sign_in(api, moving.username)
    assert api.call("GET", f"/cases/{assigned['id']}", fresh.headers)[0] == 200
    assert api.call("GET", f"/cases/{unassigned['id']}", fresh.headers)[0] == 404


def test_links_show_on_both_files_with_inverse_kinds(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    first, appeal = new_case(api, clerk), new_case(api, clerk)
    serial, code, year = first["file_number"].split("/")
    body = {
        "version": appeal["version"],
        "kind": "appeal_of",
        "court_code": "TPI-RABAT",
        "serial": int(serial),
        "case_type_code": code,
        "year": int(year),
    }
    status, answer = api.call("POST", f"/cases/{appeal['id']}/links", clerk, body)
    assert status == 201, answer
    _, links = api.call("GET", f"/cases/{appeal['id']}/links", clerk)
    assert [(x["kind"], x["case_id"]) for x in links["links"]] == [
        ("appeal_of", first["id"])
    ]
    _, links = api.call("GET", f"/cases/{first['id']}/links", clerk)
    assert [(x["kind"], x["case_id"]) for x in links["links"]] == [
        ("appealed_by", appeal["id"])
    ]
    again = {**body, "version": answer["case"]["version"]}
    status, answer = api.call("POST", f"/cases/{appeal['id']}/links", clerk, again)
    assert status == 409, "the same link twice"
    first_serial, first_code, first_year = appeal["file_number"].split("/")
    contrary = {
        **body,
        "version": api.call("GET", f"/cases/{first['id']}", clerk)[1]["version"],
        "serial": int(first_serial),
        "case_type_code": first_code,
        "year": int(first_year),
    }
    status, answer = api.call("POST", f"/cases/{first['id']}/links", clerk, contrary)
    assert status == 409, "the first file cannot also be an appeal of its appeal"
    assert answer["error"]["reason_messages"] == {
        "fr": "Ces deux dossiers sont déjà liés.",
        "ar": "هذان الملفان مرتبطان من قبل.",
    }
    unknown = {**again, "serial": 999999}
    status, answer = api.call("POST", f"/cases/{appeal['id']}/links", clerk, unknown)
    assert status == 400 and answer["error"]["details"][0]["field"] == "serial"


def test_procedures_are_recorded_from_the_vocabulary_only(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    path = f"/cases/{case['id']}/timeline"
    status, entry = api.call(
        "POST", path, clerk, {"action": "EXPERT_REPORT_ORDERED", "decision": "خبرة"}
    )
    assert status == 201 and entry["action_name"]["fr"] == "Expertise ordonnée"
    for action in ("JUDGMENT_PRONOUNCED", "WHATEVER"):
        status, body = api.call("POST", path, clerk, {"action": action})
        assert status == 400 and body["error"]["details"][0]["field"] == "action"
    status, _ = api.call("POST", path, as_role("lawyer"), {"action": "BRIEF_FILED"})
    assert status == 403


def test_simultaneous_bookings_of_one_slot_give_it_to_one(
    api: Api, as_role: Any, judge: accounts.Account
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib import audit, hearings
    from chalicelib.cases import find_case
    from chalicelib.errors import SlotTaken
    from chalicelib.schemas import ScheduleHearingRequest

    clerk = as_role("clerk")
    ids = [assigned_case(api, clerk, judge.username)["id"] for _ in range(8)]
    starts_at = datetime.fromisoformat(a_day(15))

    def book(case_id: str) -> str:
        case = find_case(case_id)
        assert case is not None
        request = ScheduleHearingRequest(
            version=case.version, starts_at=starts_at, room=uuid.uuid4().hex[:8]
        )
        try:
            hearings.schedule(case, request, audit.Actor("clerk", "CLERK", "t"))
        except SlotTaken:
            return "taken"
        return "booked"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(book, ids))
    assert sorted(outcomes) == ["booked"] + ["taken"] * 7


def test_lists_filter_by_judge_and_by_hearing_date(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    judge = accounts.account(api, as_role("admin"), "JUDGE")
    mine = [assigned_case(api, clerk, judge.username) for _ in range(2)]
    new_case(api, clerk)
    status, page = api.call(
        "GET", f"/cases?court=TPI-RABAT&judge={judge.username}&limit=1", clerk
    )
    assert status == 200 and len(page["cases"]) == 1 and page["next_cursor"]
    status, rest = api.call(
        "GET",
        f"/cases?court=TPI-RABAT&judge={judge.username}&cursor={page['next_cursor']}",
        clerk,
    )
    listed = {c["id"] for c in page["cases"] + rest["cases"]}
    assert listed == {c["id"] for c in mine}
    starts_at = a_day(11)
    assert schedule(api, clerk, mine[0], starts_at, uuid.uuid4().hex[:6])[0] == 201
    status, heard = api.call(
        "GET", f"/cases?court=TPI-RABAT&hearing_date={starts_at[:10]}", clerk
    )
    assert status == 200
    assert [c["id"] for c in heard["cases"]] == [mine[0]["id"]]
    status, body = api.call(
        "GET", f"/cases?court=TPI-RABAT&hearing_date={starts_at[:10]}&status=X", clerk
    )
    assert status == 400 and body["error"]["details"][0]["field"] == "status"


def test_every_disallowed_transition_is_refused(api: Api, as_role: Any) -> None:
    from chalicelib.models import CaseModel

    clerk = as_role("clerk")
    for current, allowed in TRANSITIONS.items():
        case = new_case(api, clerk)
        stored = CaseModel.get(case["id"])
        stored.update(actions=[CaseModel.status.set(current)])  # set up, not tested
        for target in sorted(set(TRANSITIONS) - allowed):
            status, body = api.call(
                "POST",
                f"/cases/{case['id']}/status",
                clerk,
                {"version": 1, "status": target},
            )
            assert status == 409, (current, target, body)
            refusal = "conflict" if current == "ARCHIVED" else "transition_refused"
            assert body["error"]["code"] == refusal, "an archive is read-only"
        _, again = api.call("GET", f"/cases/{case['id']}", clerk)
        assert again["status"] == current and again["version"] == 1


def test_a_stale_version_is_named_even_beside_deletes(api: Api, as_role: Any) -> None:
    """A change that deletes items (a party's memberships) still says stale."""
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    party = case["parties"][0]["id"]
    assert (
        api.call(
            "PATCH", f"/cases/{case['id']}", clerk, {"version": 1, "subject": "Un"}
        )[0]
        == 200
    )
    status, body = api.call(
        "DELETE", f"/cases/{case['id']}/parties/{party}?version=1", clerk
    )
    assert status == 409 and body["error"]["code"] == "stale_version"
    _, again = api.call("GET", f"/cases/{case['id']}", clerk)
    assert len(again["parties"]) == 2


def test_a_court_lists_its_active_judges_to_its_staff(api: Api, as_role: Any) -> None:
    admin, clerk = as_role("admin"), as_role("clerk")
    serving = accounts.account(api, admin, "JUDGE")
    away = accounts.account(api, admin, "JUDGE", courts=["TPI-FES"])
    status, body = api.call("GET", "/courts/TPI-RABAT/judges", clerk)
    assert status == 200, body
    listed = {row["username"]: row["full_name"] for row in body["judges"]}
    assert serving.username in listed and away.username not in listed
    status, _ = api.call("POST", f"/users/{serving.username}/deactivate", admin)
    assert status == 200
    _, body = api.call("GET", "/courts/TPI-RABAT/judges", clerk)
    assert serving.username not in {row["username"] for row in body["judges"]}
    status, _ = api.call("GET", "/courts/TPI-FES/judges", clerk)
    assert status == 403, "a clerk of Rabat does not list the judges of Fes"
    status, _ = api.call("GET", "/courts/TPI-NOWHERE/judges", admin)
    assert status == 404
