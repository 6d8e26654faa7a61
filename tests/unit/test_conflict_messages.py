"""Every reason a 409 gives a court user is said in Arabic and French."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.field_messages import reason_messages

ROOT = Path(__file__).resolve().parents[2]
# Refusals of a transaction's own bookkeeping: a user never causes them alone,
# and the generic conflict message is what they mean.
INTERNAL = {
    "already exists",
    "could not write",
    "could not delete",
    "audit record exists",
    "counters",
}


def test_every_conflict_reason_has_its_messages() -> None:
    reasons = {
        reason
        for path in (ROOT / "chalicelib").rglob("*.py")
        for reason in re.findall(r'Conflict\("([^"]+)"\)', path.read_text())
    }
    assert reasons, "the search finds the conflicts"
    missing = sorted(r for r in reasons - INTERNAL if reason_messages(r) is None)
    assert missing == []
