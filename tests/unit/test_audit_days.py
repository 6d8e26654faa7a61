"""Security events are filed under the court's day, not the server's."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.audit import Actor, AuditEntry, build_record

ADMIN = Actor("admin", "ADMIN", "test")


def test_a_security_event_after_midnight_in_morocco_is_of_the_next_day() -> None:
    # 23:30 UTC on 4 December is 00:30 on 5 December in Morocco (UTC+1).
    late = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    entry = AuditEntry(action="CREATE_USER", target="user#amina")
    record = build_record(ADMIN, entry, late)
    assert record.category == "SECURITY#2026-12-05"
    assert record.hour == "2026-12-04T23", "seals keep UTC hours"


def test_events_that_are_not_security_events_have_no_day() -> None:
    entry = AuditEntry(action="REGISTER_CASE", target="case#1")
    assert (
        build_record(ADMIN, entry, datetime(2026, 12, 4, 9, tzinfo=UTC)).category
        is None
    )
