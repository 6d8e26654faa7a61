"""Public tracking: anyone with a file's court and number sees its public card.

The card holds what the courts' public portal shows: court, file number,
national number, type, subject, registration date, reporting judge, next
hearing, last judgment, and the timeline of procedures without personal data
(no party, no free-text decision). A court's hearing table of a day is public
too, with file numbers, types, times and rooms only. Both are rate-limited per
address. A lookup is one query of the file-number index and one of the
timeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chalicelib.cases import FileNumber, file_key, file_number_of
from chalicelib.config import get_settings
from chalicelib.court_time import at_court, court_iso
from chalicelib.courts import list_courts
from chalicelib.errors import NotFound, TooManyRequests, ValidationFailed
from chalicelib.hearings import court_list, hearing_json
from chalicelib.limits import count_this_minute
from chalicelib.models import CaseModel, CaseRecordModel
from chalicelib.procedures import event_json

TRACKING_PARAMETERS = ("court", "serial", "code", "year")


def limit_public_lookups(address: str | None) -> None:
    """Refuse an address past the public lookups allowed per minute (429)."""
    limit = get_settings().public_tracking_per_minute
    if count_this_minute("TRACKIP", address, datetime.now(UTC)) > limit:
        raise TooManyRequests(f"more than {limit} lookups a minute")


def parse_file_number(params: dict[str, str]) -> tuple[str, FileNumber]:
    """Validate ``court``, ``serial``, ``code`` and ``year``, naming a bad one."""
    for name in params:
        if name not in TRACKING_PARAMETERS:
            raise ValidationFailed.field(name, "unknown parameter")
    for name in TRACKING_PARAMETERS:
        if not params.get(name):
            raise ValidationFailed.field(name, "is required")
    serial, code, year = params["serial"], params["code"], params["year"]
    if not (serial.isascii() and serial.isdigit() and 0 < len(serial) <= 9):
        raise ValidationFailed.field("serial", "must be a whole number")
    if not (code.isascii() and code.isdigit() and len(code) == 4):
        raise ValidationFailed.field("code", "must be four digits")
    if not (year.isascii() and year.isdigit() and len(year) == 4):
        raise ValidationFailed.field("year", "must be four digits")
    return params["court"], FileNumber(int(serial), code, int(year))


def public_card(court_code: str, number: FileNumber) -> dict[str, Any]:
    """The public card of a file, or ``NotFound``."""
    found = list(CaseModel.file_number_index.query(file_key(court_code, number)))
    if not found:
        raise NotFound("no such file")
    case = found[0]
    events = CaseRecordModel.query(
        case.case_id, CaseRecordModel.record_key.startswith("EVENT#")
    )
    return card_json(case) | {
        "timeline": [event_json(event, public=True) for event in events]
    }


def card_json(case: CaseModel) -> dict[str, Any]:
    """The head of the public card: the file, never its parties."""
    court = list_courts().get(case.court_code)
    case_type = _case_type(court.case_types if court else (), case.case_type_code)
    return {
        "court": {
            "code": case.court_code,
            "name_ar": court.name_ar if court else None,
            "name_fr": court.name_fr if court else None,
        },
        "file_number": str(file_number_of(case)),
        "national_number": case.national_number,
        "case_type": case_type,
        "subject": case.subject,
        "status": case.status,
        "registered_on": at_court(case.registered_at).date().isoformat(),
        "reporting_judge": case.reporting_judge_name,
        "next_hearing_at": court_iso(case.next_hearing_at),
        "last_judgment": (
            {"number": case.last_judgment_number, "date": case.last_judgment_date}
            if case.last_judgment_number
            else None
        ),
    }


def _case_type(case_types: tuple[dict[str, str], ...], code: str) -> dict[str, str]:
    for case_type in case_types:
        if case_type["code"] == code:
            return dict(case_type)
    return {"code": code}


def public_hearing_list(court_code: str, day: date) -> dict[str, Any]:
    """A court's public hearing table of ``day``."""
    if court_code not in list_courts():
        raise ValidationFailed.field("court", f"unknown court {court_code!r}")
    return {
        "court_code": court_code,
        "date": day.isoformat(),
        "hearings": [hearing_json(h, public=True) for h in court_list(court_code, day)],
    }
