"""Reference data: the judicial map (courts) and the case-type codes.

The data lives in ``chalicelib/data/judicial_map.json`` and is loaded into the
reference table at provisioning; requests read the table (two queries, cached
for a few minutes per process).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.models import ReferenceModel

JUDICIAL_MAP = Path(__file__).parent / "data" / "judicial_map.json"
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Court:
    """A court of the judicial map and the case types it registers."""

    code: str
    court_type: str
    city: str
    appeal_court: str | None
    name_ar: str
    name_fr: str
    case_types: tuple[dict[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        """Render for the API."""
        return {
            "code": self.code,
            "type": self.court_type,
            "city": self.city,
            "appeal_court": self.appeal_court,
            "names": {"ar": self.name_ar, "fr": self.name_fr},
            "case_types": list(self.case_types),
        }


def load_judicial_map(path: Path = JUDICIAL_MAP) -> int:
    """Write the courts and case types of ``path`` into the reference table.

    Idempotent: re-running it overwrites the same items. Returns the number of
    items written.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [_court_item(court) for court in data["courts"]]
    items += [_case_type_item(case_type) for case_type in data["case_types"]]
    with ReferenceModel.batch_write() as batch:
        for item in items:
            batch.save(item)
    _cache.clear()
    return len(items)


def _court_item(court: dict[str, Any]) -> ReferenceModel:
    return ReferenceModel(
        kind="COURT",
        code=court["code"],
        name_ar=court["name_ar"],
        name_fr=court["name_fr"],
        court_type=court["type"],
        city=court["city"],
        appeal_court=court["appeal_court"],
    )


def _case_type_item(case_type: dict[str, Any]) -> ReferenceModel:
    return ReferenceModel(
        kind="CASE_TYPE",
        code=case_type["code"],
        name_ar=case_type["name_ar"],
        name_fr=case_type["name_fr"],
        court_types=case_type["court_types"],
    )


_cache: dict[str, tuple[float, dict[str, Court]]] = {}


def list_courts() -> dict[str, Court]:
    """Return every court by code, with the case types each accepts."""
    cached = _cache.get("courts")
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    case_types = list(ReferenceModel.query("CASE_TYPE"))
    courts = {
        row.code: Court(
            code=row.code,
            court_type=row.court_type or "",
            city=row.city or "",
            appeal_court=row.appeal_court,
            name_ar=row.name_ar,
            name_fr=row.name_fr,
            case_types=tuple(
                {"code": ct.code, "name_ar": ct.name_ar, "name_fr": ct.name_fr}
                for ct in case_types
                if row.court_type in (ct.court_types or [])
            ),
        )
        for row in ReferenceModel.query("COURT")
    }
    _cache["courts"] = (time.monotonic(), courts)
    return courts


def check_court_and_type(court_code: str, case_type_code: str) -> Court:
    """Return the court, or raise ``ValidationFailed`` naming the bad field.

    >>> check_court_and_type("TPI-RABAT", "1201").code
    'TPI-RABAT'
    """
    court = list_courts().get(court_code)
    if court is None:
        raise ValidationFailed.field("court_code", f"unknown court {court_code!r}")
    if case_type_code not in {ct["code"] for ct in court.case_types}:
        raise ValidationFailed.field(
            "case_type_code",
            f"case type {case_type_code!r} is not registered at {court_code}",
        )
    return court
