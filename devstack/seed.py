"""Demo cases for the local stack, registered through the same service as the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib import audit, hearings, workflow
from chalicelib.cases import file_number_of, register_case
from chalicelib.config import get_settings
from chalicelib.models import CaseModel, RegistryModel
from chalicelib.schemas import (
    AssignJudgeRequest,
    ProcedureRequest,
    RegisterCaseRequest,
    ScheduleHearingRequest,
)

SEEDER = audit.Actor(username="seed", role="SYSTEM", request_id="seed")
DEMO_CASES = (
    {
        "court_code": "TPI-RABAT",
        "case_type_code": "1201",
        "subject": "نزاع حول ملكية عقار محفظ بحي أكدال",
        "parties": [
            {
                "role": "plaintiff",
                "name": "سلمى المواطنة",
                "name_latin": "Salma Mouwatina",
                "national_id": "AB123456",
                "lawyers": [{"bar": "Rabat", "roll_number": "1234"}],
            },
            {
                "role": "defendant",
                "kind": "legal",
                "name": "شركة البناء الحديث",
                "trade_register": "RC-45871",
            },
        ],
    },
    {
        "court_code": "TPI-RABAT",
        "case_type_code": "1601",
        "subject": "Demande de divorce pour discorde (chiqaq)",
        "parties": [
            {
                "role": "plaintiff",
                "name": "نادية العلوي",
                "name_latin": "Nadia Alaoui",
                "national_id": "A987654",
            },
            {
                "role": "defendant",
                "name": "كريم العلوي",
                "name_latin": "Karim Alaoui",
                "national_id": "BK554433",
            },
        ],
    },
    {
        "court_code": "TC-CASABLANCA",
        "case_type_code": "8201",
        "subject": "Recouvrement de créance commerciale",
        "parties": [
            {
                "role": "plaintiff",
                "kind": "legal",
                "name": "Atlas Distribution SARL",
                "trade_register": "RC-112233",
                "lawyers": [{"bar": "Rabat", "roll_number": "1234"}],
            },
            {
                "role": "defendant",
                "kind": "legal",
                "name": "Sahara Logistique SA",
                "trade_register": "RC-998877",
            },
        ],
    },
)


def seed_demo_cases() -> list[str]:
    """Register the demo cases once; describe each as ``court file-number id``.

    Skipped (an empty list) when the stack already has cases.
    """
    filed = _this_morning() - timedelta(days=20)
    if RegistryModel.count(f"SERIAL#TPI-RABAT#1201#{filed.year}") > 0:
        return []
    cases = [
        register_case(RegisterCaseRequest.model_validate(body), SEEDER, now=filed)
        for body in DEMO_CASES
    ]
    rabat = [case for case in cases if case.court_code == "TPI-RABAT"]
    for hour, case in zip((9, 10), rabat, strict=False):
        _put_on_todays_list(case, hour)
    return [f"{c.court_code} {file_number_of(c)} {c.case_id}" for c in cases]


def _put_on_todays_list(case: CaseModel, hour: int) -> None:
    """Assign the demo judge, record a notice, and hear the case today at ``hour``.

    Dated in the past weeks, so the hearings are on the judge's list of today
    whatever the time the stack starts, and the timeline reads in order.
    """
    morning = _this_morning()
    workflow.assign_judge(
        case,
        AssignJudgeRequest(version=int(case.version), judge="judge"),
        SEEDER,
        now=morning - timedelta(days=19),
    )
    notice = ProcedureRequest(action="NOTICE_SERVED", decision="تم التبليغ")
    workflow.record_procedure(case, notice, SEEDER, now=morning - timedelta(days=12))
    request = ScheduleHearingRequest(
        version=int(case.version),
        starts_at=morning.replace(hour=hour),
        room="Salle 1 / القاعة 1",
    )
    hearings.schedule(case, request, SEEDER, now=morning - timedelta(days=10))


def _this_morning() -> datetime:
    """07:00 today, court time."""
    zone = ZoneInfo(get_settings().court_timezone)
    return datetime.now(zone).replace(hour=7, minute=0, second=0, microsecond=0)
