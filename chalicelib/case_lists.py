"""Lists of cases, page by page: one query of a court's index per page.

A page is read with one ``Query`` of the ``court_code-registered_at`` index
(newest first); the year narrows the key condition, status and case type
filter the page. The cursor is opaque to callers (the encoded index position)
and is checked on its return to belong to the court asked for.

NOTE: lawyers and citizens have no list yet: "my cases" needs an index of
cases by counsel and by party, which comes with case management (issue 4).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.models import CaseModel

MAX_PAGE = 100


@dataclass(frozen=True)
class CaseQuery:
    """What a caller asks of a court's case list."""

    court_code: str
    year: int | None = None
    status: str | None = None
    case_type_code: str | None = None
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
    page = CaseModel.court_index.query(
        query.court_code,
        range_key_condition=condition,
        filter_condition=_filters(query),
        scan_index_forward=False,
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, query.court_code),
    )
    cases = list(page)
    return cases, encode_cursor(page.last_evaluated_key)


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


def decode_cursor(cursor: str | None, court_code: str) -> dict[str, Any] | None:
    """Read a cursor back; ``ValidationFailed`` if it is not one of this list's."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        court = key["court_code"]["S"]
        if not isinstance(key["case_id"]["S"], str):
            raise TypeError("case_id")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationFailed.field("cursor", "not a cursor of this list") from exc
    if court != court_code:
        raise ValidationFailed.field("cursor", "belongs to another court's list")
    return dict(key)


def parse_query(params: dict[str, str]) -> CaseQuery:
    """Validate the query string of ``GET /cases``, naming any bad parameter."""
    known = {"court", "year", "status", "type", "limit", "cursor"}
    for name in params:
        if name not in known:
            raise ValidationFailed.field(name, "unknown parameter")
    court = params.get("court")
    if not court:
        raise ValidationFailed.field("court", "is required")
    return CaseQuery(
        court_code=court,
        year=_int(params, "year", 1900, 2999),
        status=params.get("status") or None,
        case_type_code=params.get("type") or None,
        limit=_int(params, "limit", 1, MAX_PAGE) or 20,
        cursor=params.get("cursor") or None,
    )


def _int(params: dict[str, str], name: str, low: int, high: int) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValidationFailed.field(
            name, f"must be a whole number from {low} to {high}"
        )
    return int(value)
