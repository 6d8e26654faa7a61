"""Security reports of the operations manual (ADMIN), from the audit trail.

Read from the audit table's security index (``SECURITY#<day>``), one query a
day of the period, never a scan:

- security events: failed and refused sign-ins, locks, permission changes;
- failed sign-ins per user, with those above a threshold (the manual flags
  more than 10 in 30 days);
- permission changes: users created, roles changed, passwords reset, users
  deactivated and reactivated, passwords expired, with the before and after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any

from chalicelib.audit import entry_json, security_events
from chalicelib.errors import ValidationFailed
from chalicelib.params import day, whole_number

MAX_DAYS = 31
MAX_EVENTS = 1000
DEFAULT_THRESHOLD = 10
PERMISSION_ACTIONS = frozenset(
    {
        "CREATE_USER",
        "RESET_PASSWORD",
        "CHANGE_ROLE",
        "DEACTIVATE_USER",
        "REACTIVATE_USER",
        "EXPIRE_PASSWORD",
    }
)


@dataclass(frozen=True)
class Period:
    """The days a report covers (inclusive) and its other parameters."""

    start: date
    end: date
    limit: int = 200
    threshold: int = DEFAULT_THRESHOLD

    def as_json(self) -> dict[str, str]:
        """The period as the reports state it."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_period(params: dict[str, str], today: date, extra: tuple[str, ...]) -> Period:
    """``from`` and ``to`` (the last 30 days by default), and ``extra`` ones.

    ``extra`` may name ``limit`` (of events, 1 to 1000) and ``threshold``.
    """
    for name in params:
        if name not in ("from", "to", *extra):
            raise ValidationFailed.field(name, "unknown parameter")
    end = day(params, "to") or today
    start = day(params, "from") or end - timedelta(days=MAX_DAYS - 1)
    if not 0 <= (end - start).days < MAX_DAYS:
        raise ValidationFailed.field("to", f"from 0 to {MAX_DAYS - 1} days after from")
    return Period(
        start,
        end,
        limit=whole_number(params, "limit", 1, MAX_EVENTS) or 200,
        threshold=whole_number(params, "threshold", 1, 100_000) or DEFAULT_THRESHOLD,
    )


def events_report(period: Period) -> dict[str, Any]:
    """The security events of the period, newest first, at most ``limit``."""
    events = islice(security_events(period.start, period.end), period.limit)
    return period.as_json() | {"events": [entry_json(row) for row in events]}


def failed_logins_report(period: Period) -> dict[str, Any]:
    """Failed sign-ins per user over the period, most first.

    Users with more failures than the threshold are flagged; sign-ins refused
    while locked, and the locks, are counted apart.
    """
    failures: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    locks: Counter[str] = Counter()
    for row in security_events(period.start, period.end):
        username = str(row.target).removeprefix("user#")
        if row.action == "LOGIN" and row.outcome == "FAILURE":
            failures[username] += 1
        elif row.action == "LOGIN" and row.outcome == "REFUSED":
            refused[username] += 1
        elif row.action == "ACCOUNT_LOCKED":
            locks[username] += 1
    names = sorted(set(failures) | set(refused) | set(locks))
    users = [
        {
            "username": name,
            "failures": failures[name],
            "refused_while_locked": refused[name],
            "locks": locks[name],
            "above_threshold": failures[name] > period.threshold,
        }
        for name in sorted(names, key=lambda n: (-failures[n], n))
    ]
    return period.as_json() | {
        "threshold": period.threshold,
        "users": users,
        "above_threshold": [u["username"] for u in users if u["above_threshold"]],
    }


def permission_changes_report(period: Period) -> dict[str, Any]:
    """Every change of a user's permissions over the period, newest first."""
    changes = [
        entry_json(row)
        for row in security_events(period.start, period.end)
        if row.action in PERMISSION_ACTIONS
    ]
    return period.as_json() | {"changes": changes}
