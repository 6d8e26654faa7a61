"""Registering and reading cases: file numbers, validation, who sees what."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib import audit, cases
from chalicelib.changes import Change
from chalicelib.models import CaseModel, RegistryModel
from chalicelib.schemas import RegisterCaseRequest
from tests.support import Api, new_case

VALID = {
    "court_code": "TPI-RABAT",
    "case_type_code": "1101",
    "subject": "Dommages et intérêts",
    "parties": [{"role": "plaintiff", "name": "Ali Benali"}],
}


def test_register_and_read_case(api: Api, as_role: Any) -> None:
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    assert (int(serial), code, int(year)) == (case["serial"], "1201", case["year"])
    status, again = api.call("GET", f"/cases/{case['id']}", as_role("clerk"))
    assert status == 200
    assert again["file_number"] == case["file_number"]
    assert again["parties"][0]["national_id"] == "AB****56", "the CIN is masked"
    trail = audit.entries_for(f"case#{case['id']}")
    assert [e["action"] for e in trail] == ["REGISTER_CASE"]
    assert trail[0]["actor"] == "clerk"


def test_serials_follow_each_other(api: Api, as_role: Any) -> None:
    first = new_case(api, as_role("admin"), court_code="TPI-FES", case_type_code="1501")
    second = new_case(
        api, as_role("admin"), court_code="TPI-FES", case_type_code="1501"
    )
    assert second["serial"] == first["serial"] + 1


def test_fifty_concurrent_registrations_get_fifty_gapless_serials(stack: Any) -> None:
    request = RegisterCaseRequest.model_validate(
        {**VALID, "court_code": "TPI-TANGER", "case_type_code": "1601"}
    )
    actor = audit.Actor("clerk", "CLERK", "load-test")
    with ThreadPoolExecutor(max_workers=50) as pool:
        registered = list(
            pool.map(lambda _: cases.register_case(request, actor), range(50))
        )
    serials = sorted(int(case.serial) for case in registered)
    assert serials == list(range(1, 51))
    assert len({case.case_id for case in registered}) == 50


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(b"{not json", "body", id="malformed-json"),
        pytest.param({**VALID, "colour": "red"}, "colour", id="unknown-field"),
        pytest.param({**VALID, "subject": 42}, "subject", id="wrong-type"),
        pytest.param(
            {**VALID, "court_code": "TPI-NOWHERE"}, "court_code", id="unknown-court"
        ),
        pytest.param(
            {**VALID, "case_type_code": "8201"},
            "case_type_code",
            id="type-not-at-court",
        ),
        pytest.param(
            {**VALID, "case_type_code": "12"}, "case_type_code", id="bad-code"
        ),
        pytest.param({**VALID, "parties": []}, "parties", id="no-party"),
        pytest.param(
            {
                **VALID,
                "parties": [{"role": "plaintiff", "name": "A", "national_id": "12-AB"}],
            },
            "parties.0.national_id",
            id="bad-cin",
        ),
        pytest.param(
            {**VALID, "parties": [{"role": "judge", "name": "A"}]},
            "parties.0.role",
            id="bad-role",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    api: Api, as_role: Any, body: Any, field: str
) -> None:
    counter = cases.serial_counter_key("TPI-RABAT", "1101", 2026)
    before = RegistryModel.count(counter)
    status, answer = api.call("POST", "/cases", as_role("clerk"), body)
    assert status == 400, answer
    error = answer["error"]
    assert error["code"] == "validation_error"
    assert field in [detail["field"] for detail in error["details"]]
    assert error["messages"]["ar"] and error["messages"]["fr"]
    assert RegistryModel.count(counter) == before


def test_unknown_case_is_404(api: Api, as_role: Any) -> None:
    status, body = api.call("GET", "/cases/does-not-exist", as_role("admin"))
    assert status == 404
    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("admin", True),
        ("clerk", True),  # serves TPI-RABAT
        ("judge", True),  # serves TPI-RABAT
        ("lawyer", True),  # counsel of the plaintiff
        ("citizen", True),  # the plaintiff, by national ID
    ],
)
def test_who_sees_a_rabat_case(
    api: Api, as_role: Any, username: str, visible: bool
) -> None:
    case = new_case(api, as_role("clerk"))
    status, _ = api.call("GET", f"/cases/{case['id']}", as_role(username))
    assert (status == 200) is visible


@pytest.mark.parametrize("username", ["judge", "lawyer", "citizen"])
def test_others_case_is_hidden_as_404(api: Api, as_role: Any, username: str) -> None:
    other = new_case(
        api,
        as_role("admin"),
        court_code="TPI-MARRAKECH",
        parties=[{"role": "plaintiff", "name": "Autre", "national_id": "ZZ999999"}],
    )
    status, body = api.call("GET", f"/cases/{other['id']}", as_role(username))
    assert status == 404
    assert body["error"]["code"] == "not_found"
    status, _ = api.call("GET", f"/cases/{other['id']}/documents", as_role(username))
    assert status == 404


def test_clerk_registers_only_at_courts_served(api: Api, as_role: Any) -> None:
    body = {**VALID, "court_code": "TPI-MARRAKECH"}
    status, answer = api.call("POST", "/cases", as_role("clerk"), body)
    assert status == 403
    assert answer["error"]["code"] == "forbidden"
    case = new_case(api, as_role("admin"), court_code="TPI-MARRAKECH")
    assert CaseModel.get(case["id"]).court_code == "TPI-MARRAKECH"


@pytest.mark.usefixtures("stack")
def test_numbers_taken_by_a_failed_registration_are_void(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(self: Change) -> None:
        raise RuntimeError("the transaction failed")

    monkeypatch.setattr(Change, "commit", fail)
    request = RegisterCaseRequest.model_validate(
        {
            "court_code": "TPI-RABAT",
            "case_type_code": "1101",
            "subject": "Void numbers",
            "parties": [{"role": "plaintiff", "name": "Amina"}],
        }
    )
    with pytest.raises(RuntimeError):
        cases.register_case(request, audit.Actor("clerk", "CLERK", "test"))
    year = datetime.now(UTC).year
    serial = RegistryModel.get(f"SERIAL#TPI-RABAT#1101#{year}").last_serial
    national = RegistryModel.get(f"NATIONAL#{year}").last_serial
    held = cases.file_number_key(
        "TPI-RABAT", cases.FileNumber(int(serial), "1101", year)
    )
    assert RegistryModel.get(held).void_reason == "registration failed"
    national_key = f"NATIONAL-NUMBER#{cases.national_number(year, int(national))}"
    assert RegistryModel.get(national_key).void_reason == "registration failed"


def test_the_courts_come_with_the_courts_clock(api: Api, as_role: Any) -> None:
    from chalicelib.court_time import at_court, court_today

    for path, headers in (("/courts", as_role("clerk")), ("/public/courts", None)):
        status, body = api.call("GET", path, headers)
        assert status == 200, body
        assert body["court_date"] == court_today().isoformat()
        offset = at_court(datetime.now(UTC)).utcoffset()
        assert offset is not None
        assert body["court_utc_offset_minutes"] == offset.total_seconds() // 60
