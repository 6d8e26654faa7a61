"""One change of a case file, written all at once or not at all.

A change gathers what an action writes: the case's head (guarded by the
version the caller read), records of its timeline, hearings and judgments,
guards (file numbers, hearing slots), memberships, statistics counters and its
audit record. ``commit`` writes them in one DynamoDB transaction (a single
call), so no half-change and no unaudited change can exist. A refused
condition is reported as what it means: a stale version, a taken slot.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import audit
from chalicelib.errors import Conflict, JusticiaError, SlotTaken, StaleVersion
from chalicelib.models import (
    CaseModel,
    CaseRecordModel,
    StatisticsModel,
    connection,
)

WRITE_ATTEMPTS = 5
Operation = Callable[[TransactWrite], None]


@dataclass
class Change:
    """The writes of one action on one case, committed together."""

    case: CaseModel
    actor: audit.Actor
    action: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    details: dict[str, Any] = field(default_factory=dict)
    # PynamoDB sends a transaction's deletes, then puts, then updates; the
    # reasons of a cancellation come in that order, so each kind is kept apart.
    _operations: dict[str, list[tuple[Operation, JusticiaError]]] = field(
        default_factory=lambda: {"check": [], "delete": [], "put": [], "update": []}
    )
    _counters: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def update_case(self, expected_version: int | None) -> None:
        """Write the case's head; ``None`` means it must not exist yet."""
        self.case.updated_at = self.now
        condition: Condition
        if expected_version is None:
            condition = CaseModel.case_id.does_not_exist()
        else:
            condition = CaseModel.version == expected_version
            self.case.version = expected_version + 1
        case = self.case
        self._add(
            "put",
            lambda tx: tx.save(case, condition=condition),
            StaleVersion(f"case {case.case_id} is no longer at this version"),
        )

    def save_new(self, item: Model, refusal: JusticiaError | None = None) -> None:
        """Create an item that must not exist yet (a guard, a new record)."""
        key_name = str(type(item)._hash_keyname)
        condition = getattr(type(item), key_name).does_not_exist()
        self._add(
            "put",
            lambda tx: tx.save(item, condition=condition),
            refusal or Conflict("already exists"),
        )

    def save(self, item: Model) -> None:
        """Create or replace an item of this case (a record, a membership)."""
        self._add("put", lambda tx: tx.save(item), Conflict("could not write"))

    def delete(self, item: Model) -> None:
        """Remove an item (a released slot, a membership)."""
        self._add("delete", lambda tx: tx.delete(item), Conflict("could not delete"))

    def require(
        self,
        model: type[Model],
        key: tuple[str, str],
        condition: Condition,
        refusal: JusticiaError,
    ) -> None:
        """Write nothing unless ``condition`` holds on the item of ``key`` then.

        A check inside the transaction: no read before it, no race after it.
        """
        self._add(
            "check",
            lambda tx: tx.condition_check(model, key[0], key[1], condition=condition),
            refusal,
        )

    def take_slot(self, item: Model) -> None:
        """Book a judge's or a room's slot; refused if someone holds it."""
        self.save_new(item, SlotTaken("the judge or the room is already booked"))

    def count(self, court_code: str, day: str, **increments: int) -> None:
        """Add to a court's counters of ``day`` (``incoming=1``, say).

        Increments of one day are merged: a transaction touches an item once.
        """
        totals = self._counters.setdefault((court_code, day), {})
        for name, value in increments.items():
            totals[name] = totals.get(name, 0) + value

    def add_event(
        self,
        action: str,
        decision: str | None = None,
        next_hearing_at: datetime | None = None,
        occurred_at: datetime | None = None,
    ) -> CaseRecordModel:
        """Add an entry to the case's timeline (procedures register)."""
        moment = occurred_at or self.now
        event = CaseRecordModel(
            case_id=self.case.case_id,
            record_key=f"EVENT#{moment.isoformat()}#{uuid.uuid4().hex[:12]}",
            recorded_at=self.now,
            recorded_by=self.actor.username,
            action=action,
            decision=decision,
            next_hearing_at=next_hearing_at,
        )
        self.save_new(event)
        return event

    def commit(self) -> None:
        """Write everything with the audit record in one transaction.

        A transient refusal (a conflicting transaction, throttling) is retried;
        a refused condition raises the error registered with its operation.
        """
        record = audit.build_record(
            self.actor,
            audit.AuditEntry(
                action=self.action,
                target=f"case#{self.case.case_id}",
                details=self.details,
            ),
            self.now,
        )
        self._add_counters()
        self._add("put", lambda tx: tx.save(record), Conflict("audit record exists"))
        sent = self._in_order()
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with TransactWrite(connection=connection()) as transaction:
                    for operation, _ in sent:
                        operation(transaction)
                return
            except TransactWriteError as exc:
                refusal = self._refusal_of(exc, sent)
                if refusal is not None:
                    raise refusal from exc
                if not is_transient(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311

    def _add_counters(self) -> None:
        for (court_code, day), totals in self._counters.items():
            counters = StatisticsModel(court_code=court_code, day=day)
            actions = [
                getattr(StatisticsModel, name).add(value)
                for name, value in totals.items()
            ]
            self._add(
                "update", partial(_update, counters, actions), Conflict("counters")
            )
        self._counters.clear()

    def _add(self, kind: str, operation: Operation, refusal: JusticiaError) -> None:
        self._operations[kind].append((operation, refusal))

    def _in_order(self) -> list[tuple[Operation, JusticiaError]]:
        """Every operation, in the order the transaction sends them."""
        return [
            *self._operations["check"],
            *self._operations["delete"],
            *self._operations["put"],
            *self._operations["update"],
        ]

    def _refusal_of(
        self, exc: TransactWriteError, sent: list[tuple[Operation, JusticiaError]]
    ) -> JusticiaError | None:
        for index, reason in enumerate(exc.cancellation_reasons or []):
            failed = reason is not None and reason.code == "ConditionalCheckFailed"
            if failed and index < len(sent):
                return sent[index][1]
        return None


def _update(item: Model, actions: list[Any], transaction: TransactWrite) -> None:
    transaction.update(item, actions=actions)


def is_transient(exc: TransactWriteError) -> bool:
    """Tell whether a refused transaction may succeed if tried again."""
    reasons = exc.cancellation_reasons or []
    return any(
        r is not None and r.code in ("TransactionConflict", "ThrottlingError")
        for r in reasons
    )
