"""Case registration and retrieval.

A file number is three stored parts, serial, case-type code and year, shown as
``serial/code/year`` (``17/1201/2026``). Serials are allocated per court, code
and year by one atomic counter increment, then the case, a guard item that
makes its file number unique, its memberships ("my cases" of its counsel and
parties), its first procedure, the court's counters and its audit record are
written in one DynamoDB transaction: serials never repeat and nothing is
half-written. A registration that fails after taking its serial records that
serial void, so the register shows the gap for what it is.

NOTE: a process killed between the increment and the transaction leaves a gap
with no void record; the court sees a missing number, never a duplicate.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib import access, audit
from chalicelib.changes import Change
from chalicelib.court_time import court_iso
from chalicelib.courts import check_court_and_type
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.models import (
    CaseModel,
    CounselMap,
    MembershipModel,
    PartyMap,
    RegistryModel,
    UserModel,
)
from chalicelib.observability import count, logger
from chalicelib.personal import mask_national_id, national_id_digest
from chalicelib.schemas import Party, RegisterCaseRequest
from chalicelib.statuses import next_statuses

if TYPE_CHECKING:
    from chalicelib.identity import Caller

SCANNER_FOLDER = re.compile(r"[0-9]{1,9}-[0-9]{4}-[0-9]{4}", re.ASCII)
WRITTEN = re.compile(r"([0-9]{1,9})/([0-9]{4})/([0-9]{4})", re.ASCII)
LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class FileNumber:
    """A court file number: ``serial/code/year``."""

    serial: int
    code: str
    year: int

    def __str__(self) -> str:
        return f"{self.serial}/{self.code}/{self.year}"

    def isolated(self) -> str:
        """The number as one left-to-right unit, safe inside Arabic text.

        Wrapped in LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE, so the
        bidirectional algorithm never reorders its parts around the slashes.

        >>> FileNumber(17, "1201", 2026).isolated()
        '\u206617/1201/2026\u2069'
        """
        return f"{LRI}{self}{PDI}"

    @classmethod
    def parse(cls, text: str) -> FileNumber:
        """Parse ``serial/code/year`` as people write it, isolates allowed.

        >>> FileNumber.parse(" \u206617/1201/2026\u2069 ")
        FileNumber(serial=17, code='1201', year=2026)
        """
        match = WRITTEN.fullmatch(text.strip().removeprefix(LRI).removesuffix(PDI))
        if not match:
            raise ValueError(f"not a file number: {text!r}")
        serial, code, year = match.groups()
        if int(serial) < 1:
            raise ValueError("a serial starts at 1")
        return cls(int(serial), code, int(year))

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


def file_key(court_code: str, number: FileNumber) -> str:
    """The value of the file-number index: court and the number's three parts."""
    return f"{court_code}#{number.serial}#{number.code}#{number.year}"


def national_number(year: int, sequence: int) -> str:
    """The national file number: the year and a national sequence of 8 digits.

    >>> national_number(2026, 17)
    '202600000017'
    """
    return f"{year}{sequence:08d}"


def register_case(
    request: RegisterCaseRequest, actor: audit.Actor, now: datetime | None = None
) -> CaseModel:
    """Register a new case and give it the next file number of its court.

    Raises ``ValidationFailed`` for an unknown court or case type before any
    write, so a refused request consumes no serial. A serial taken by a
    registration that then fails is recorded void, never reused.
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
        parties=[party_map(party) for party in request.parties],
        registered_at=registered_at,
        registered_by=actor.username,
        version=1,
    )
    case.serial = reserve_serial(
        serial_counter_key(case.court_code, case.case_type_code, registered_at.year)
    )
    number = file_number_of(case)
    case.file_key = file_key(case.court_code, number)
    case.national_number = national_number(
        registered_at.year, reserve_serial(f"NATIONAL#{registered_at.year}")
    )
    try:
        _registration(case, actor, registered_at).commit()
    except Exception:
        record_void(file_number_key(case.court_code, number), "registration failed")
        record_void(f"NATIONAL-NUMBER#{case.national_number}", "registration failed")
        raise
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


def _registration(case: CaseModel, actor: audit.Actor, now: datetime) -> Change:
    """The case, its file-number guard, memberships, first procedure, counters."""
    number = file_number_of(case)
    change = Change(
        case,
        actor,
        "REGISTER_CASE",
        now,
        details={"file_number": str(number), "court_code": case.court_code},
    )
    change.update_case(None)
    change.save_new(
        RegistryModel(pk=file_number_key(case.court_code, number), case_id=case.case_id)
    )
    for principal in sorted(principals_of(case)):
        change.save(membership(case, principal))
    change.add_event("REGISTERED")
    change.count(case.court_code, now.date().isoformat(), incoming=1, open=1)
    return change


def record_void(register_key: str, reason: str) -> None:
    """Record a number taken by a write that then failed as void, with why.

    ``register_key`` names the number in the register (a file number, a
    national number, a judgment number). Nothing is written if the key is
    already held: the number was used after all.
    """
    void = RegistryModel(pk=register_key, void_reason=reason)
    try:
        void.save(condition=RegistryModel.pk.does_not_exist())
    except PutError:
        logger.info("number already held", extra={"register_key": register_key})
    else:
        count("NumbersVoided")


def party_map(party: Party) -> PartyMap:
    """Store a party: its CIN as a keyed digest and a masked form only."""
    return PartyMap(
        party_id=uuid.uuid4().hex[:12],
        role=party.role.value,
        kind=party.kind.value,
        name=party.name,
        name_latin=party.name_latin,
        national_id_digest=(
            national_id_digest(party.national_id) if party.national_id else None
        ),
        national_id_masked=(
            mask_national_id(party.national_id) if party.national_id else None
        ),
        trade_register=party.trade_register,
        lawyers=[
            CounselMap(bar=counsel.bar, roll_number=counsel.roll_number)
            for counsel in party.lawyers
        ],
    )


def principals_of(case: CaseModel) -> set[str]:
    """Whom the case concerns: its counsel and its parties with a national ID."""
    principals = set()
    for party in case.parties:
        if party.national_id_digest:
            principals.add(f"CIN#{party.national_id_digest}")
        for counsel in party.lawyers or []:
            principals.add(f"LAWYER#{counsel.bar}#{counsel.roll_number}")
    return principals


def membership(case: CaseModel, principal: str) -> MembershipModel:
    """The "my cases" item of ``principal`` for ``case``."""
    return MembershipModel(
        principal=principal,
        case_id=case.case_id,
        court_code=case.court_code,
        file_number=str(file_number_of(case)),
        case_type_code=case.case_type_code,
        subject=case.subject,
        registered_at=case.registered_at,
    )


def find_case(case_id: str) -> CaseModel | None:
    """Return the case, or None when there is none with this id."""
    try:
        return CaseModel.get(case_id)
    except DoesNotExist:
        return None


def find_case_by_file_number(court_code: str, number: FileNumber) -> CaseModel | None:
    """Return the case holding ``number`` at ``court_code``, or None (one query)."""
    found = CaseModel.file_number_index.query(file_key(court_code, number), limit=1)
    return next(iter(found), None)


def profile_of(username: str) -> UserModel | None:
    """Return the user's profile, or None when the user has none."""
    try:
        return UserModel.get(username)
    except DoesNotExist:
        return None


def case_visible_to(caller: Caller, case_id: str) -> CaseModel:
    """Return the case if ``caller`` may see it; otherwise raise ``NotFound``."""
    return access.ensure_can_see_case(caller, find_case(case_id))


def case_to_change(caller: Caller, case_id: str) -> CaseModel:
    """Return the case if ``caller`` may change it (404 unseen, 403 unserved)."""
    case = case_visible_to(caller, case_id)
    access.ensure_may_change_case(caller, case)
    ensure_open(case)
    return case


def ensure_open(case: CaseModel) -> None:
    """Refuse any change to an archived case: the archive is read-only (409)."""
    if case.status == "ARCHIVED":
        raise Conflict("an archived case is read-only")


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
        "registered_at": court_iso(case.registered_at),
    }


def case_json(case: CaseModel) -> dict[str, Any]:
    """Render a case for the API: its summary, the file number's parts, parties."""
    number = file_number_of(case)
    return {
        **case_summary(case),
        "serial": number.serial,
        "year": number.year,
        "national_number": case.national_number,
        "registered_by": case.registered_by,
        "version": case.version,
        "next_statuses": next_statuses(case.status),
        "reporting_judge": _judge_json(case),
        "next_hearing_at": court_iso(case.next_hearing_at),
        "last_judgment": (
            {"number": case.last_judgment_number, "date": case.last_judgment_date}
            if case.last_judgment_number
            else None
        ),
        "parties": [party_json(party) for party in case.parties],
    }


def _judge_json(case: CaseModel) -> dict[str, Any] | None:
    if not case.reporting_judge:
        return None
    return {"username": case.reporting_judge, "name": case.reporting_judge_name}


def party_json(party: PartyMap) -> dict[str, Any]:
    """A party as the API shows it: the CIN masked, never its digest."""
    data = {
        "id": party.party_id,
        "role": party.role,
        "kind": party.kind,
        "name": party.name,
        "name_latin": party.name_latin,
        "national_id": party.national_id_masked,
        "trade_register": party.trade_register,
        "lawyers": [
            {"bar": counsel.bar, "roll_number": counsel.roll_number}
            for counsel in party.lawyers or []
        ],
    }
    return {key: value for key, value in data.items() if value is not None}


def version_parameter(params: dict[str, str]) -> int:
    """The ``version`` query parameter of a change without a body."""
    value = params.get("version", "")
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise ValidationFailed.field("version", "is required: the version read")
    return int(value)
