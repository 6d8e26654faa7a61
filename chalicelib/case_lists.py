"""Lists of cases, page by page: one query of a court's index per page.

A page is read with one ``Query`` of the ``court_code-registered_at`` index
(newest first); the year narrows the key condition, status and case type
filter the page. The cursor is opaque to callers (the encoded index position)
and is checked on its return to belong to the court asked for.

With ``judge``, the page is read from the ``reporting_judge-registered_at``
index instead, filtered to the court; with ``hearing_date``, from the court's
hearing list of that day. Lawyers and citizens list their cases
with ``GET /my/cases`` (``chalicelib.records``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.court_time import court_iso
from chalicelib.errors import ValidationFailed
from chalicelib.models import CaseModel, CaseRecordModel
from chalicelib.params import day, whole_number

MAX_PAGE = 100
# The query parameters of ``GET /cases``, in the order the API describes them.
LIST_PARAMETERS = (
    "court",
    "year",
    "status",
    "type",
    "judge",
    "hearing_date",
    "limit",
    "cursor",
)


@dataclass(frozen=True)
class CaseQuery:
    """What a caller asks of a court's case list."""

    court_code: str
    year: int | None = None
    status: str | None = None
    case_type_code: str | None = None
    judge: str | None = None
    hearing_date: date | None = None
    limit: int = 20
    cursor: str | None = None


def list_cases(query: CaseQuery) -> tuple[list[CaseModel], str | None]:
    """Return one page of a court's cases, newest first, and the next cursor."""
    condition = None
    if query.year is not None:
        condition = CaseModel.registered_at.between(
            datetime(query.year, 1, 1, tzinfo=UTC),
            datetime(query.year, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        )
    index, attribute, value, filters = _source(query)
    page = index.query(
        value,
        range_key_condition=condition,
        filter_condition=filters,
        scan_index_forward=False,
        limit=query.limit,
        last_evaluated_key=decode_key(query.cursor, attribute, value),
    )
    cases = list(page)
    return cases, encode_cursor(page.last_evaluated_key)


def _source(query: CaseQuery) -> tuple[Any, str, str, Any]:
    """The index a page is read from, its partition (name, value), the filter."""
    filters = _filters(query)
    if not query.judge:
        return CaseModel.court_index, "court_code", query.court_code, filters
    court = CaseModel.court_code == query.court_code
    combined = court if filters is None else filters & court
    return CaseModel.judge_index, "reporting_judge", query.judge, combined


def _filters(query: CaseQuery) -> Any:
    condition = None
    for attribute, value in (
        (CaseModel.status, query.status),
        (CaseModel.case_type_code, query.case_type_code),
    ):
        if value is not None:
            clause = attribute == value
            condition = clause if condition is None else condition & clause
    return condition


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    """Make the index position an opaque cursor (None at the end of the list)."""
    if not key:
        return None
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


# The key attributes of each list's position: a cursor must carry exactly these.
CURSOR_KEYS = {
    "court_code": frozenset({"court_code", "registered_at", "case_id"}),
    "reporting_judge": frozenset({"reporting_judge", "registered_at", "case_id"}),
    "court_day": frozenset({"court_day", "starts_at", "case_id", "record_key"}),
    "principal": frozenset({"principal", "case_id"}),
}


def decode_key(cursor: str | None, attribute: str, value: str) -> dict[str, Any] | None:
    """Read a cursor back; ``ValidationFailed`` unless it is one of this list's.

    ``attribute`` and ``value`` name the list's partition (``court_code`` and
    the court, say): a cursor of another list, or one not made of this list's
    key attributes as strings, is refused.
    """
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if set(key) != CURSOR_KEYS[attribute]:
            raise KeyError("attributes")
        if not all(set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()):
            raise TypeError("key")
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise ValidationFailed.field("cursor", "not a cursor of this list") from exc
    if key[attribute]["S"] != value:
        raise ValidationFailed.field("cursor", "belongs to another list")
    return dict(key)


def parse_query(params: dict[str, str]) -> CaseQuery:
    """Validate the query string of ``GET /cases``, naming any bad parameter."""
    for name in params:
        if name not in LIST_PARAMETERS:
            raise ValidationFailed.field(name, "unknown parameter")
    court = params.get("court")
    if not court:
        raise ValidationFailed.field("court", "is required")
    return CaseQuery(
        court_code=court,
        year=whole_number(params, "year", 1900, 2999),
        status=_status(params.get("status")),
        case_type_code=params.get("type") or None,
        judge=params.get("judge") or None,
        hearing_date=_hearing_date(params),
        limit=whole_number(params, "limit", 1, MAX_PAGE) or 20,
        cursor=params.get("cursor") or None,
    )


def _status(value: str | None) -> str | None:
    from chalicelib.schemas import CaseStatus

    if not value:
        return None
    if value not in {status.value for status in CaseStatus}:
        raise ValidationFailed.field("status", "must be one of the case statuses")
    return value


def _hearing_date(params: dict[str, str]) -> date | None:
    if not params.get("hearing_date"):
        return None
    for other in ("status", "year"):
        if params.get(other):
            raise ValidationFailed.field(other, "cannot be combined with hearing_date")
    return day(params, "hearing_date")


def list_by_hearing_date(query: CaseQuery) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the cases heard at the court on ``query.hearing_date``.

    Read from the hearing list's index (one query); type and judge filter it.
    """
    partition = f"{query.court_code}#{query.hearing_date}"
    condition = None
    for attribute, value in (
        (CaseRecordModel.case_type_code, query.case_type_code),
        (CaseRecordModel.judge, query.judge),
    ):
        if value is not None:
            clause = attribute == value
            condition = clause if condition is None else condition & clause
    page = CaseRecordModel.court_day_index.query(
        partition,
        filter_condition=condition,
        limit=query.limit,
        last_evaluated_key=decode_key(query.cursor, "court_day", partition),
    )
    rows = [
        {
            "id": row.case_id,
            "file_number": row.file_number,
            "court_code": query.court_code,
            "case_type_code": row.case_type_code,
            "subject": row.subject,
            "hearing_starts_at": court_iso(row.starts_at),
            "room": row.room,
        }
        for row in page
    ]
    return rows, encode_cursor(page.last_evaluated_key)
