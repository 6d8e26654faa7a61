"""The vocabulary of the procedures register: each action with its names.

The timeline of a file lists actions by code; their Arabic and French names
come from ``chalicelib/data/procedures.json``, so the vocabulary is data.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.court_time import court_iso
from chalicelib.errors import ValidationFailed
from chalicelib.models import CaseRecordModel

PROCEDURES = Path(__file__).parent / "data" / "procedures.json"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, dict[str, Any]]:
    """Every action by its code, as the data file lists it."""
    data = json.loads(PROCEDURES.read_text(encoding="utf-8"))
    return {action["code"]: action for action in data["actions"]}


def ensure_procedure(code: str) -> None:
    """Refuse an action staff may not record by hand (unknown or system's own)."""
    action = vocabulary().get(code)
    if action is None or not action["manual"]:
        manual = sorted(c for c, a in vocabulary().items() if a["manual"])
        raise ValidationFailed.field("action", f"must be one of {', '.join(manual)}")


def event_json(event: CaseRecordModel, public: bool = False) -> dict[str, Any]:
    """A timeline entry for the API; the public card omits free text and names.

    A decision is free text typed by staff and may name people, so the public
    card shows the action and the next hearing only.
    """
    names = vocabulary().get(str(event.action), {})
    occurred_at = datetime.fromisoformat(str(event.record_key).split("#")[1])
    entry: dict[str, Any] = {
        "date": court_iso(occurred_at),
        "action": event.action,
        "action_name": {"ar": names.get("name_ar"), "fr": names.get("name_fr")},
        "next_hearing_at": court_iso(event.next_hearing_at),
    }
    if not public:
        entry["decision"] = event.decision
        entry["recorded_by"] = event.recorded_by
    return entry
