"""Demo cases for the local stack, registered through the same service as the API."""

from __future__ import annotations

from datetime import UTC

from chalicelib import audit
from chalicelib.cases import file_number_of, register_case
from chalicelib.models import RegistryModel
from chalicelib.schemas import RegisterCaseRequest

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
                "lawyer": {"bar": "Rabat", "roll_number": "1234"},
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
                "lawyer": {"bar": "Rabat", "roll_number": "1234"},
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
    if RegistryModel.count("SERIAL#TPI-RABAT#1201#" + _year()) > 0:
        return []
    described = []
    for body in DEMO_CASES:
        case = register_case(RegisterCaseRequest.model_validate(body), SEEDER)
        described.append(f"{case.court_code} {file_number_of(case)} {case.case_id}")
    return described


def _year() -> str:
    from datetime import datetime

    return str(datetime.now(UTC).year)
