"""Reading a case's records (timeline, links) and "my cases", one query each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.case_lists import MAX_PAGE, decode_key, encode_cursor
from chalicelib.court_time import court_iso
from chalicelib.errors import ValidationFailed
from chalicelib.models import CaseModel, CaseRecordModel, MembershipModel
from chalicelib.params import whole_number

if TYPE_CHECKING:
    from chalicelib.identity import Caller


def events_of(case: CaseModel) -> list[CaseRecordModel]:
    """The timeline of a case, oldest first."""
    return list(
        CaseRecordModel.query(
            case.case_id, CaseRecordModel.record_key.startswith("EVENT#")
        )
    )


def links_of(case: CaseModel) -> list[CaseRecordModel]:
    """The files linked to a case."""
    return list(
        CaseRecordModel.query(
            case.case_id, CaseRecordModel.record_key.startswith("LINK#")
        )
    )


def link_json(link: CaseRecordModel) -> dict[str, Any]:
    """A linked file for the API."""
    return {
        "kind": link.link_kind,
        "case_id": link.linked_case_id,
        "court_code": link.linked_court_code,
        "file_number": link.file_number,
        "case_type_code": link.case_type_code,
        "linked_at": court_iso(link.recorded_at),
    }


def principal_of(caller: Caller) -> str:
    """The membership key of a lawyer or a citizen."""
    scope = caller.scope
    if caller.role == "LAWYER" and scope.bar and scope.roll_number:
        return f"LAWYER#{scope.bar}#{scope.roll_number}"
    if caller.role == "CITIZEN" and scope.national_id_digest:
        return f"CIN#{scope.national_id_digest}"
    return "NONE#"


def my_cases(caller: Caller, params: dict[str, str]) -> dict[str, Any]:
    """One page of the caller's cases, newest registration id last read."""
    for name in params:
        if name not in ("limit", "cursor"):
            raise ValidationFailed.field(name, "unknown parameter")
    limit = whole_number(params, "limit", 1, MAX_PAGE) or 20
    principal = principal_of(caller)
    page = MembershipModel.query(
        principal,
        limit=limit,
        last_evaluated_key=decode_key(params.get("cursor"), "principal", principal),
    )
    rows = list(page)
    return {
        "cases": [
            {
                "id": row.case_id,
                "court_code": row.court_code,
                "file_number": row.file_number,
                "case_type_code": row.case_type_code,
                "subject": row.subject,
                "registered_at": court_iso(row.registered_at),
            }
            for row in rows
        ],
        "next_cursor": encode_cursor(page.last_evaluated_key),
    }
