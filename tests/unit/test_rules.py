"""Validation rules, schedules, access rules and the route table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.access import PERMISSIONS, can_see_case
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.identity import Caller, Scope
from chalicelib.models import CaseModel, CounselMap, PartyMap
from chalicelib.schedules import SCHEDULES, rate_seconds
from chalicelib.schemas import Party, RegisterCaseRequest


def test_national_id_is_normalised() -> None:
    party = Party.model_validate(
        {"role": "plaintiff", "name": "A", "national_id": " bk123456 "}
    )
    assert party.national_id == "BK123456"


@pytest.mark.parametrize(
    "party",
    [
        {"role": "plaintiff", "name": "A", "national_id": "123456"},
        {"role": "plaintiff", "name": "A", "kind": "legal", "national_id": "AB1"},
        {"role": "plaintiff", "name": ""},
        {"role": "plaintiff", "name": "A", "age": 3},
        {"role": "plaintiff", "name": "\u200b"},
        {"role": "plaintiff", "name": "Ali\u0000"},
        {"role": "plaintiff", "name": "A", "kind": "legal", "trade_register": ""},
    ],
)
def test_bad_party_is_refused(party: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Party.model_validate(party)


def test_case_request_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        RegisterCaseRequest.model_validate(
            {
                "court_code": "TPI-RABAT",
                "case_type_code": "1201",
                "subject": "s",
                "parties": [{"role": "plaintiff", "name": "A"}],
                "serial": 7,
            }
        )
    assert caught.value.errors()[0]["loc"] == ("serial",)


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(15 minutes)", 900),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
    ],
)
def test_rate_expressions(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minutes)",
        "rate(2 hour)",
        "rate(0 minutes)",
        "cron(0 3 * * ? *)",
        "rate(5 weeks)",
    ],
)
def test_bad_rate_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        rate_seconds(expression)


def test_every_schedule_names_a_maintenance_job() -> None:
    from functions.maintenance.handler import JOBS

    for schedule in SCHEDULES:
        assert schedule.period_seconds > 0
        assert schedule.job in JOBS


DIGEST = "d" * 64


def _case(court: str = "TPI-RABAT", judge: str | None = None) -> CaseModel:
    return CaseModel(
        case_id="c1",
        court_code=court,
        case_type_code="1201",
        serial=1,
        year=2026,
        subject="s",
        status="REGISTERED",
        registered_at=datetime(2026, 1, 5, tzinfo=UTC),
        registered_by="clerk",
        reporting_judge=judge,
        parties=[
            PartyMap(
                role="plaintiff",
                kind="natural",
                name="A",
                national_id_digest=DIGEST,
                lawyers=[CounselMap(bar="Rabat", roll_number="1234")],
            ),
            PartyMap(role="defendant", kind="legal", name="B"),
        ],
    )


def _caller(role: str, **scope: Any) -> Caller:
    return Caller("u", role, "id", scope=Scope(**scope))


@pytest.mark.parametrize(
    ("caller", "court", "visible"),
    [
        (_caller("ADMIN"), "TPI-FES", True),
        (_caller("CLERK", courts=("TPI-RABAT",)), "TPI-RABAT", True),
        (_caller("CLERK", courts=("TPI-RABAT",)), "TPI-FES", False),
        (_caller("JUDGE", courts=("TPI-SALE",)), "TPI-RABAT", False),
        (_caller("LAWYER", bar="Rabat", roll_number="1234"), "TPI-FES", True),
        (_caller("LAWYER", bar="Fès", roll_number="1234"), "TPI-FES", False),
        (_caller("LAWYER", bar="Rabat", roll_number="12345"), "TPI-FES", False),
        (_caller("CITIZEN", national_id_digest=DIGEST), "TPI-FES", True),
        (_caller("CITIZEN", national_id_digest="e" * 64), "TPI-FES", False),
        (_caller("CITIZEN"), "TPI-FES", False),
        (_caller("CITIZEN", courts=("TPI-FES",)), "TPI-FES", False),
        (_caller("LAWYER", courts=("TPI-FES",)), "TPI-FES", False),
    ],
)
def test_who_may_see_a_case(caller: Caller, court: str, visible: bool) -> None:
    assert can_see_case(caller, _case(court)) is visible


def test_a_judge_sees_the_cases_assigned_outside_the_courts_served() -> None:
    judge = Caller("qadi", "JUDGE", "id", scope=Scope(courts=("TPI-SALE",)))
    assert can_see_case(judge, _case("TPI-RABAT", judge="qadi"))
    assert not can_see_case(judge, _case("TPI-RABAT", judge="other"))


def test_the_scope_survives_the_authorizer_context() -> None:
    caller = _caller("CLERK", courts=("TPI-RABAT", "TC-CASABLANCA"))
    assert Caller.from_context(caller.as_context()) == caller
    citizen = _caller("CITIZEN", national_id_digest=DIGEST)
    assert Caller.from_context(citizen.as_context()) == citizen


def test_every_allowed_transition_leads_to_a_known_status() -> None:
    from chalicelib.schemas import CaseStatus
    from chalicelib.workflow import PENDING, TRANSITIONS

    statuses = {status.value for status in CaseStatus}
    assert set(TRANSITIONS) == statuses
    for targets in TRANSITIONS.values():
        assert targets <= statuses
    assert all("JUDGED" not in targets for targets in TRANSITIONS.values())
    assert all(TRANSITIONS[s] - PENDING for s in PENDING), "every case can end"


def test_a_masked_national_id_keeps_letters_and_two_digits() -> None:
    from chalicelib.personal import mask_national_id, national_id_digest

    assert mask_national_id("BK123456") == "BK****56"
    assert mask_national_id("A9") == "A*"
    assert mask_national_id("AB1234") == "AB****", "four digits or fewer: all hidden"
    assert mask_national_id("AB12345") == "AB***45"
    assert mask_national_id("AB123456") == "AB****56"
    assert national_id_digest("BK123456", key=b"a") != national_id_digest(
        "BK123456", key=b"b"
    )


def test_every_route_declares_a_known_action() -> None:
    from app import app
    from chalicelib.http import ROUTE_ACTIONS

    for path, methods in app.routes.items():
        for method, entry in methods.items():
            action = ROUTE_ACTIONS[(method, path)]
            if action == "public":
                assert path in (
                    "/health",
                    "/auth/login",
                    "/auth/password",
                    "/auth/refresh",
                    "/public/verification/{sha256}",
                    "/public/verification",
                    "/public/cases",
                    "/public/hearings",
                    "/public/courts",
                )
                assert entry.authorizer is None
            else:
                assert action in PERMISSIONS
                assert entry.authorizer is not None, (
                    f"{method} {path} has no authorizer"
                )


def test_errors_speak_arabic_and_french() -> None:
    error = ValidationFailed.field("court_code", "unknown court 'X'")
    arabic = error.body("ar", "r1")["error"]
    french = error.body("fr", "r1")["error"]
    assert arabic["message"] != french["message"]
    assert arabic["details"] == [
        {
            "field": "court_code",
            "reason": "unknown court 'X'",
            "messages": {"fr": "Juridiction inconnue.", "ar": "محكمة غير معروفة."},
        }
    ]
    assert NotFound().status_code == 404


def test_passwords_are_taken_exactly_as_typed() -> None:
    from chalicelib.schemas import LoginRequest

    login = LoginRequest.model_validate_json(
        '{"username": " clerk ", "password": " p w "}'
    )
    assert login.username == "clerk"
    assert login.password == " p w "


@pytest.mark.parametrize(
    "character", ["\u061c", "\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028"]
)
def test_invisible_characters_are_refused_in_text(character: str) -> None:
    with pytest.raises(ValidationError):
        Party.model_validate({"role": "plaintiff", "name": f"Sal{character}ma"})


def test_usernames_are_case_insensitive_at_login() -> None:
    from chalicelib.schemas import LoginRequest

    login = LoginRequest.model_validate_json('{"username": "JUDGE", "password": "x"}')
    assert login.username == "judge"


def test_every_field_error_of_a_body_reads_in_arabic_and_french() -> None:
    from chalicelib.http import parse_body
    from chalicelib.schemas import RegisterCaseRequest

    class Body:
        raw_body = (
            b'{"court_code": "x", "case_type_code": 12, "subject": "",'
            b' "parties": [], "extra": 1}'
        )

    with pytest.raises(ValidationFailed) as refused:
        parse_body(Body(), RegisterCaseRequest)  # type: ignore[arg-type]
    details = refused.value.details
    assert {d["field"] for d in details} >= {
        "court_code",
        "subject",
        "parties",
        "extra",
    }
    for detail in details:
        assert detail["messages"]["fr"] and detail["messages"]["ar"], detail
        assert detail["messages"]["fr"] != "Valeur invalide.", detail
