"""Sealing the audit trail, so that an altered, removed or added record shows.

Every audit record carries the hour it was written in (``hour``, indexed). Each
hour, once it is over, is sealed: the SHA-256 of its records in a canonical
form, chained with the previous hour's seal, is written to the seals bucket
under S3 Object Lock in compliance mode (kept for the audit retention, seven
years): nobody, an administrator included, can change or delete a seal before
then. ``verify`` recomputes the digests from the table and compares them with
the seals and with the chain.

What this detects: any change to a record of a sealed hour, a record removed
from it or added to it, and a seal replaced out of chain. What it cannot: a
change made within the current hour, before its seal (at most an hour and a
few minutes of exposure).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.audit import entry_json
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.models import AuditModel, RegistryModel

HOUR_FORMAT = "%Y-%m-%dT%H"
GENESIS = "0" * 64
# An hour is sealed once it has been over this long (writes in flight land).
GRACE = timedelta(minutes=5)
LAST_SEAL = "AUDITSEAL#LAST"
RETENTION_DAYS = 2555


def hour_of(moment: datetime) -> str:
    """The hour bucket of a moment, e.g. ``2026-12-04T13`` (UTC)."""
    return moment.astimezone(UTC).strftime(HOUR_FORMAT)


def canonical(row: AuditModel) -> str:
    """One record as the digest reads it: every field, in a fixed order."""
    return json.dumps(
        {**entry_json(row), "entry_key": row.entry_key},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def hour_digest(hour: str, previous: str) -> tuple[str, int]:
    """The digest of an hour's records chained with ``previous``; and their count."""
    rows = sorted(
        (canonical(row) for row in AuditModel.hour_index.query(hour)),
    )
    digest = hashlib.sha256(f"{hour}\n{previous}\n".encode())
    for line in rows:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest(), len(rows)


@dataclass(frozen=True)
class Seal:
    """The seal of one hour of the audit trail."""

    hour: str
    digest: str
    previous: str
    records: int

    def as_json(self) -> dict[str, Any]:
        """The seal as stored and shown."""
        return {
            "hour": self.hour,
            "digest": self.digest,
            "previous": self.previous,
            "records": self.records,
        }


def seal_hours(
    now: datetime | None = None, first_hour: str | None = None
) -> list[Seal]:
    """Seal every finished hour since the last seal; return the new seals.

    The first run seals from ``first_hour`` (default: the previous hour).
    """
    now = now or datetime.now(UTC)
    last = _last_seal()
    if last is None:
        start = first_hour or hour_of(now - timedelta(hours=1))
        hour, previous = parse_hour(start), GENESIS
    else:
        hour, previous = parse_hour(last.hour) + timedelta(hours=1), last.digest
    sealed: list[Seal] = []
    while hour + timedelta(hours=1) + GRACE <= now:
        seal = _seal(hour_of(hour), previous)
        try:
            _advance(last, seal)
        except PutError:  # another run sealed this hour first
            break
        sealed.append(seal)
        last, hour, previous = seal, hour + timedelta(hours=1), seal.digest
    return sealed


def _seal(hour: str, previous: str) -> Seal:
    digest, records = hour_digest(hour, previous)
    seal = Seal(hour, digest, previous, records)
    retain_until = datetime.now(UTC) + timedelta(days=RETENTION_DAYS)
    client("s3").put_object(
        Bucket=get_settings().audit_seals_bucket,
        Key=f"seals/{hour}.json",
        Body=json.dumps(seal.as_json()).encode("utf-8"),
        ContentType="application/json",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=retain_until,
        ChecksumAlgorithm="SHA256",
    )
    return seal


def _advance(last: Seal | None, seal: Seal) -> None:
    """Record ``seal`` as the last one, unless another run moved it meanwhile."""
    condition = (
        RegistryModel.pk.does_not_exist()
        if last is None
        else RegistryModel.hour == last.hour
    )
    marker = RegistryModel(pk=LAST_SEAL, hour=seal.hour, digest=seal.digest)
    marker.save(condition=condition)


def _last_seal() -> Seal | None:
    try:
        item = RegistryModel.get(LAST_SEAL, consistent_read=True)
    except RegistryModel.DoesNotExist:
        return None
    return Seal(str(item.hour), str(item.digest), "", 0)


def stored_seal(hour: str) -> Seal | None:
    """The seal of ``hour`` as first written to the seals bucket, or None.

    The first version is read: it is locked, while a later version could have
    been written by anyone allowed to put objects. A forged seal is ignored.
    """
    s3 = client("s3")
    bucket, key = get_settings().audit_seals_bucket, f"seals/{hour}.json"
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    versions = [v for v in listing.get("Versions", []) if v["Key"] == key]
    if not versions:
        return None
    first = versions[-1]  # S3 lists a key's versions newest first
    answer = s3.get_object(Bucket=bucket, Key=key, VersionId=first["VersionId"])
    return Seal(**json.loads(answer["Body"].read()))


def verify(start: str, end: str) -> dict[str, Any]:
    """Recompute the hours from ``start`` to ``end`` and compare with their seals.

    Returns the hours checked, the hours whose records no longer match their
    seal (``altered``), the hours without a seal (``unsealed``), and whether
    the seals' own chain holds.
    """
    altered, unsealed, chain_broken = [], [], []
    hour, previous_digest = parse_hour(start), None
    checked = 0
    while hour <= parse_hour(end):
        name = hour_of(hour)
        seal = stored_seal(name)
        if seal is None:
            unsealed.append(name)
        else:
            checked += 1
            if previous_digest is not None and seal.previous != previous_digest:
                chain_broken.append(name)
            if hour_digest(name, seal.previous)[0] != seal.digest:
                altered.append(name)
            previous_digest = seal.digest
        hour += timedelta(hours=1)
    return {
        "checked": checked,
        "altered": altered,
        "unsealed": unsealed,
        "chain_broken": chain_broken,
        "intact": not altered and not chain_broken,
    }


def parse_hour(hour: str) -> datetime:
    """The UTC start of an hour named ``YYYY-MM-DDTHH``; ValueError if not one."""
    return datetime.strptime(hour, HOUR_FORMAT).replace(tzinfo=UTC)
