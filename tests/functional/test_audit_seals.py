"""The audit trail's hourly seals find a record altered, removed or added.

Each test's records are dated at two hours of 2020 of its own, which nobody
else writes in (a seal, once written, is locked for good); the marker of the
last seal is removed afterwards so that no other test continues the chain.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import audit
from chalicelib.audit_seals import LAST_SEAL, hour_of, seal_hours, stored_seal, verify
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.models import AuditModel, RegistryModel

CLERK = audit.Actor("clerk", "CLERK", "seal-test", "192.0.2.10")
DAYS = itertools.count()


def write(hour: datetime, minute: int) -> AuditModel:
    """An audit record written at ``hour`` + ``minute``."""
    entry = audit.AuditEntry("REGISTER_CASE", "case#seal-test", details={"n": minute})
    record = audit.build_record(CLERK, entry, hour + timedelta(minutes=minute))
    record.save()
    return record


@pytest.fixture()
def hours() -> tuple[str, str]:
    """Two consecutive hours of this test alone, as ``YYYY-MM-DDTHH``."""
    first = datetime(2020, 1, 6, 10, tzinfo=UTC) + timedelta(days=next(DAYS))
    return hour_of(first), hour_of(first + timedelta(hours=1))


@pytest.fixture()
def sealed(stack: Any, hours: tuple[str, str]) -> Iterator[list[AuditModel]]:
    """Three records in the first hour and one in the second, both sealed."""
    first = datetime.strptime(hours[0], "%Y-%m-%dT%H").replace(tzinfo=UTC)
    second = first + timedelta(hours=1)
    records = [write(first, 5), write(first, 20), write(first, 40), write(second, 30)]
    seals = seal_hours(now=second + timedelta(hours=1, minutes=10), first_hour=hours[0])
    assert [(s.hour, s.records) for s in seals] == [(hours[0], 3), (hours[1], 1)]
    try:
        yield records
    finally:
        RegistryModel(pk=LAST_SEAL).delete()
        for row in AuditModel.query("case#seal-test"):
            row.delete()


def test_sealed_hours_verify_intact(
    sealed: list[AuditModel], hours: tuple[str, str]
) -> None:
    assert verify(*hours) == {
        "checked": 2,
        "altered": [],
        "unsealed": [],
        "chain_broken": [],
        "intact": True,
    }


def test_an_altered_record_is_found(
    sealed: list[AuditModel], hours: tuple[str, str]
) -> None:
    sealed[1].update(actions=[AuditModel.actor.set("someone-else")])
    result = verify(*hours)
    assert result["altered"] == [hours[0]] and not result["intact"]


def test_a_removed_or_added_record_is_found(
    sealed: list[AuditModel], hours: tuple[str, str]
) -> None:
    sealed[3].delete()
    write(sealed[0].occurred_at.replace(minute=0), 50)
    assert verify(*hours)["altered"] == list(hours)


def test_a_forged_seal_is_ignored(
    sealed: list[AuditModel], hours: tuple[str, str]
) -> None:
    sealed[0].update(actions=[AuditModel.outcome.set("FAILURE")])
    forged = {"hour": hours[0], "digest": "f" * 64, "previous": "0" * 64, "records": 3}
    client("s3").put_object(
        Bucket=get_settings().audit_seals_bucket,
        Key=f"seals/{hours[0]}.json",
        Body=json.dumps(forged).encode(),
    )
    seal = stored_seal(hours[0])
    assert seal is not None and seal.digest != "f" * 64, "the first, locked version"
    assert verify(hours[0], hours[0])["altered"] == [hours[0]]


def test_seals_are_locked_in_compliance_mode(
    sealed: list[AuditModel], hours: tuple[str, str]
) -> None:
    head = client("s3").head_object(
        Bucket=get_settings().audit_seals_bucket, Key=f"seals/{hours[0]}.json"
    )
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=2500)


def test_the_cli_says_what_was_tampered(
    sealed: list[AuditModel], hours: tuple[str, str], capsys: Any
) -> None:
    from cli.main import OK, REFUSED, main

    command = ["audit", "verify", "--from", hours[0], "--to", hours[1], "--lang", "fr"]
    assert main(command) == OK
    sealed[2].update(actions=[AuditModel.action.set("NOTHING")])
    assert main(command) == REFUSED
    assert hours[0] in capsys.readouterr().out


def test_the_cli_never_calls_unsealed_hours_intact(stack: Any, capsys: Any) -> None:
    from cli.main import REFUSED, main

    command = ["audit", "verify", "--from", "2001-01-01T00", "--to", "2001-01-01T03"]
    assert main([*command, "--lang", "fr"]) == REFUSED, "nothing was confirmed"
    said = capsys.readouterr().out
    assert "Aucune heure scellée" in said and "intact" not in said


def test_the_cli_refuses_hours_it_cannot_read(stack: Any, capsys: Any) -> None:
    from cli.main import USAGE, main

    assert main(["audit", "verify", "--from", "garbage"]) == USAGE
    assert "from" in capsys.readouterr().err
    reversed_period = ["--from", "2026-12-05T00", "--to", "2026-12-04T00"]
    assert main(["audit", "verify", *reversed_period]) == USAGE


def test_every_record_carries_its_hour(api: Any, as_role: Any) -> None:
    from tests.support import new_case

    case = new_case(api, as_role("clerk"))
    rows = list(AuditModel.query(f"case#{case['id']}"))
    assert rows
    assert all(row.hour == row.occurred_at.strftime("%Y-%m-%dT%H") for row in rows)
