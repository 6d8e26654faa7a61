"""The audit trail: one append-only record per mutating action and per login.

Records are written in the same DynamoDB transaction as the change they
describe whenever there is one, so no change goes unaudited.

NOTE: the trail is append-only by permission (the functions may only put) but
not yet tamper-evident: records are not chained by hash, so an operator with
write access to the table could alter one unnoticed. A hash chain per target,
verified by a scheduled job, is what the product promises.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.models import AuditModel


@dataclass(frozen=True)
class Actor:
    """Who acted and from where; ``system`` for the pipeline's own actions."""

    username: str
    role: str
    request_id: str
    source_ip: str | None = None


SYSTEM = Actor(username="system", role="SYSTEM", request_id="-")


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
    )


def record(actor: Actor, entry: AuditEntry) -> None:
    """Append the audit record of an action that has no transaction of its own."""
    build_record(actor, entry).save(condition=AuditModel.entry_key.does_not_exist())


def entries_for(target: str, limit: int = 100) -> list[dict[str, Any]]:
    """Return the newest audit records of ``target`` (e.g. ``case#<id>``)."""
    rows = AuditModel.query(target, scan_index_forward=False, limit=limit)
    return [
        {
            "occurred_at": row.occurred_at.isoformat(),
            "actor": row.actor,
            "role": row.role,
            "action": row.action,
            "target": row.target,
            "outcome": row.outcome,
            "request_id": row.request_id,
            "details": row.details.as_dict() if row.details else {},
        }
        for row in rows
    ]
