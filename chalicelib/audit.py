"""The audit trail: one append-only record per mutating action and per login.

Records are written in the same DynamoDB transaction as the change they
describe whenever there is one, so no change goes unaudited.

The trail is append-only by permission (the functions may only put) and
tamper-evident by its hourly seals (``chalicelib.audit_seals``): a record
altered, removed or added after its hour was sealed is found by ``justicia
audit verify`` and by the daily verification job.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.court_time import at_court, court_iso
from chalicelib.models import AuditModel


@dataclass(frozen=True)
class Actor:
    """Who acted and from where; ``system`` for the pipeline's own actions."""

    username: str
    role: str
    request_id: str
    source_ip: str | None = None


SYSTEM = Actor(username="system", role="SYSTEM", request_id="-")

# Changes of who may do what: always security events.
PERMISSION_CHANGES = frozenset(
    {
        "CREATE_USER",
        "RESET_PASSWORD",
        "CHANGE_ROLE",
        "DEACTIVATE_USER",
        "REACTIVATE_USER",
        "EXPIRE_PASSWORD",
        "ACCOUNT_LOCKED",
        "LOGIN_RATE_LIMITED",
    }
)


@dataclass
class AuditEntry:
    """What happened, to what, and with which outcome."""

    action: str
    target: str
    outcome: str = "SUCCESS"
    details: dict[str, Any] = field(default_factory=dict)


def build_record(
    actor: Actor, entry: AuditEntry, now: datetime | None = None
) -> AuditModel:
    """Build (without saving) the audit record of ``entry`` done by ``actor``."""
    occurred_at = now or datetime.now(UTC)
    return AuditModel(
        target=entry.target,
        entry_key=f"{occurred_at.isoformat()}#{uuid.uuid4().hex}",
        occurred_at=occurred_at,
        actor=actor.username,
        role=actor.role,
        action=entry.action,
        outcome=entry.outcome,
        request_id=actor.request_id,
        source_ip=actor.source_ip,
        details=entry.details or None,
        hour=occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H"),
        category=(
            f"SECURITY#{at_court(occurred_at).date().isoformat()}"
            if is_security_event(entry)
            else None
        ),
    )


def is_security_event(entry: AuditEntry) -> bool:
    """A sign-in that failed or was refused, or a change of permissions."""
    if entry.action in PERMISSION_CHANGES:
        return True
    failed = entry.outcome in ("FAILURE", "REFUSED")
    return failed and entry.action in ("LOGIN", "CHANGE_PASSWORD")


def record(actor: Actor, entry: AuditEntry) -> None:
    """Append the audit record of an action that has no transaction of its own."""
    build_record(actor, entry).save(condition=AuditModel.entry_key.does_not_exist())


def entries_for(target: str, limit: int = 100) -> list[dict[str, Any]]:
    """Return the newest audit records of ``target`` (e.g. ``case#<id>``)."""
    rows = AuditModel.query(target, scan_index_forward=False, limit=limit)
    return [entry_json(row) for row in rows]


def entry_json(row: AuditModel) -> dict[str, Any]:
    """An audit record for the API."""
    return {
        "occurred_at": court_iso(row.occurred_at),
        "actor": row.actor,
        "role": row.role,
        "action": row.action,
        "target": row.target,
        "outcome": row.outcome,
        "request_id": row.request_id,
        "source_ip": row.source_ip,
        "details": row.details.as_dict() if row.details else {},
    }


def security_events(start: date, end: date) -> Iterator[AuditModel]:
    """Security events from ``end`` back to ``start``, newest first.

    One query of the security index per day of the period.
    """
    day = end
    while day >= start:
        yield from AuditModel.security_index.query(
            f"SECURITY#{day.isoformat()}", scan_index_forward=False
        )
        day -= timedelta(days=1)
