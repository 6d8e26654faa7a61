"""Case registration and retrieval.

A file number is three stored parts, serial, case-type code and year, shown as
``serial/code/year`` (``17/1201/2026``). Serials are allocated per court, code
and year by one atomic counter increment, then the case, a guard item that
makes its file number unique, and its audit record are written in one DynamoDB
transaction: serials never repeat and nothing is half-written.

NOTE: a process that dies between the increment and the transaction leaves a
gap in the serials (an unused number). Courts need to see such a number as
void; the reconciliation that records it belongs to the case-management issue.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import access, audit
from chalicelib.courts import check_court_and_type
from chalicelib.errors import Forbidden
from chalicelib.models import CaseModel, PartyMap, RegistryModel, UserModel, connection
from chalicelib.observability import count, logger
from chalicelib.schemas import Party, RegisterCaseRequest

WRITE_ATTEMPTS = 5
SCANNER_FOLDER = re.compile(r"[0-9]{1,9}-[0-9]{4}-[0-9]{4}", re.ASCII)


@dataclass(frozen=True)
class FileNumber:
    """A court file number: ``serial/code/year``."""

    serial: int
    code: str
    year: int

    def __str__(self) -> str:
        return f"{self.serial}/{self.code}/{self.year}"

    @classmethod
    def parse_scanner_folder(cls, folder: str) -> FileNumber:
        """Parse a scanner folder name ``<serial>-<code>-<year>``.

        >>> str(FileNumber.parse_scanner_folder("17-1201-2026"))
        '17/1201/2026'
        """
        if not SCANNER_FOLDER.fullmatch(folder):
            raise ValueError(f"not a file number folder: {folder!r}")
        serial, code, year = folder.split("-")
        return cls(int(serial), code, int(year))


def serial_counter_key(court_code: str, code: str, year: int) -> str:
    """Key of the serial counter of a court, case-type code and year."""
    return f"SERIAL#{court_code}#{code}#{year}"


def file_number_key(court_code: str, number: FileNumber) -> str:
    """Key of the guard that makes a file number unique within a court."""
    return f"FILE#{court_code}#{number.serial}#{number.code}#{number.year}"


def register_case(
    request: RegisterCaseRequest, actor: audit.Actor, now: datetime | None = None
) -> CaseModel:
    """Register a new case and give it the next file number of its court.

    Raises ``ValidationFailed`` for an unknown court or case type before any
    write, so a refused request consumes no serial.
    """
    check_court_and_type(request.court_code, request.case_type_code)
    registered_at = now or datetime.now(UTC)
    case = CaseModel(
        case_id=str(uuid.uuid4()),
        court_code=request.court_code,
        case_type_code=request.case_type_code,
        year=registered_at.year,
        subject=request.subject,
        status="REGISTERED",
        parties=[_party_map(party) for party in request.parties],
        registered_at=registered_at,
        registered_by=actor.username,
        version=1,
    )
    case.serial = reserve_serial(
        serial_counter_key(case.court_code, case.case_type_code, registered_at.year)
    )
    _write_registration(case, actor, registered_at)
    count("CasesRegistered")
    logger.info("case registered", extra={"case_id": case.case_id})
    return case


def reserve_serial(counter_key: str) -> int:
    """Take the next serial of a counter with one atomic increment.

    Concurrent callers each get a distinct number, with no retry storm.
    """
    counter = RegistryModel(pk=counter_key)
    counter.update(actions=[RegistryModel.last_serial.add(1)])
    return int(counter.last_serial or 0)


def _write_registration(case: CaseModel, actor: audit.Actor, now: datetime) -> None:
    """Write the case, its file-number guard and its audit record atomically.

    A transient refusal (a conflicting transaction, throttling) is retried with
    the same reserved serial.
    """
    number = file_number_of(case)
    entry = audit.AuditEntry(
        action="REGISTER_CASE",
        target=f"case#{case.case_id}",
        details={"file_number": str(number), "court_code": case.court_code},
    )
    guard = RegistryModel(
        pk=file_number_key(case.court_code, number), case_id=case.case_id
    )
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(guard, condition=RegistryModel.pk.does_not_exist())
                transaction.save(case, condition=CaseModel.case_id.does_not_exist())
                transaction.save(audit.build_record(actor, entry, now))
            return
        except TransactWriteError as exc:
            if not _transient(exc) or attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter


def _transient(exc: TransactWriteError) -> bool:
    reasons = exc.cancellation_reasons or []
    return any(
        r is not None and r.code in ("TransactionConflict", "ThrottlingError")
        for r in reasons
    )


def _party_map(party: Party) -> PartyMap:
    return PartyMap(
        role=party.role.value,
        kind=party.kind.value,
        name=party.name,
        name_latin=party.name_latin,
        national_id=party.national_id,
        trade_register=party.trade_register,
        lawyer_bar=party.lawyer.bar if party.lawyer else None,
        lawyer_roll=party.lawyer.roll_number if party.lawyer else None,
    )


def find_case(case_id: str) -> CaseModel | None:
    """Return the case, or None when there is none with this id."""
    try:
        return CaseModel.get(case_id)
    except DoesNotExist:
        return None


def find_case_by_file_number(court_code: str, number: FileNumber) -> CaseModel | None:
    """Return the case holding ``number`` at ``court_code``, or None."""
    try:
        guard = RegistryModel.get(file_number_key(court_code, number))
    except DoesNotExist:
        return None
    return find_case(guard.case_id or "")


def profile_of(username: str) -> UserModel | None:
    """Return the user's profile, or None when the user has none."""
    try:
        return UserModel.get(username)
    except DoesNotExist:
        return None


def ensure_serves_court(username: str, court_code: str) -> None:
    """Raise ``Forbidden`` unless the user works at ``court_code``.

    Admins act at any court; clerks and judges at the courts they serve. It
    guards registering cases and listing a court's cases.
    """
    profile = profile_of(username)
    if profile is None or not profile.active:
        raise Forbidden("no active profile")
    if profile.role != "ADMIN" and court_code not in (profile.courts or []):
        raise Forbidden(f"{username} does not serve {court_code}")


def case_visible_to(username: str, case_id: str) -> CaseModel:
    """Return the case if ``username`` may see it; otherwise raise ``NotFound``."""
    return access.ensure_can_see_case(profile_of(username), find_case(case_id))


def file_number_of(case: CaseModel) -> FileNumber:
    """Return the file number of a stored case."""
    return FileNumber(int(case.serial), case.case_type_code, int(case.year))


def case_summary(case: CaseModel) -> dict[str, Any]:
    """A case as lists show it: no parties."""
    number = file_number_of(case)
    return {
        "id": case.case_id,
        "file_number": str(number),
        "court_code": case.court_code,
        "case_type_code": number.code,
        "subject": case.subject,
        "status": case.status,
        "registered_at": case.registered_at.isoformat(),
    }


def case_json(case: CaseModel) -> dict[str, Any]:
    """Render a case for the API: its summary, the file number's parts, parties."""
    number = file_number_of(case)
    return {
        **case_summary(case),
        "serial": number.serial,
        "year": number.year,
        "registered_by": case.registered_by,
        "version": case.version,
        "parties": [_party_json(party) for party in case.parties],
    }


def _party_json(party: PartyMap) -> dict[str, Any]:
    data = {
        k: v
        for k, v in party.as_dict().items()
        if v is not None and not k.startswith("lawyer")
    }
    if party.lawyer_bar:
        data["lawyer"] = {"bar": party.lawyer_bar, "roll_number": party.lawyer_roll}
    return data
