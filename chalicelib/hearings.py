"""Hearings: schedule, postpone with a reason, record the outcome; a court's list.

A hearing is a record of its case (``HEARING#<id>``) carrying ``court_day``,
so a court's hearing list for a day is one query of an index, in order of
time. A judge and a room each hold one hearing per slot (``hearing_slot_minutes``
long, from the hour): booking takes a guard item per judge and per room in the
same transaction as the hearing, so two bookings of the same slot cannot both
succeed, whatever their timing.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.changes import Change
from chalicelib.config import get_settings
from chalicelib.court_time import court_iso, court_zone
from chalicelib.errors import Conflict, NotFound, TransitionRefused, ValidationFailed
from chalicelib.models import CaseModel, CaseRecordModel, RegistryModel
from chalicelib.schemas import (
    HearingOutcome,
    HearingOutcomeRequest,
    PostponeHearingRequest,
    ScheduleHearingRequest,
)
from chalicelib.statuses import PENDING
from chalicelib.workflow import active_judge, move_status

if TYPE_CHECKING:
    from chalicelib.audit import Actor

HORIZON = timedelta(days=5 * 366)
OUTCOME_STATUS = {
    HearingOutcome.RESERVED_FOR_JUDGMENT: "DELIBERATION",
    HearingOutcome.STRUCK_OFF: "CLOSED",
}


def schedule(
    case: CaseModel,
    request: ScheduleHearingRequest,
    actor: Actor,
    now: datetime | None = None,
) -> CaseRecordModel:
    """Set a hearing of a pending case; the case is then ``SCHEDULED``."""
    if case.status not in PENDING:
        raise TransitionRefused(f"a {case.status} case has no hearings")
    change = Change(case, actor, "SCHEDULE_HEARING", now or datetime.now(UTC))
    judge = _judge_of(case, request.judge)
    hearing = _book(change, judge, request.room, _future(request.starts_at, change))
    if case.status != "SCHEDULED":
        move_status(change, "SCHEDULED")
    change.details.update({"hearing_id": _hearing_id(hearing), "judge": judge})
    change.update_case(request.version)
    change.add_event("HEARING_SCHEDULED", next_hearing_at=hearing.starts_at)
    change.commit()
    return hearing


def postpone(
    case: CaseModel,
    hearing_id: str,
    request: PostponeHearingRequest,
    actor: Actor,
    now: datetime | None = None,
) -> CaseRecordModel:
    """Move a scheduled hearing to a new time, with the reason; slots follow."""
    _ensure_pending(case)
    hearings = hearings_of(case.case_id)
    hearing = _scheduled(hearings, hearing_id)
    change = Change(case, actor, "POSTPONE_HEARING", now or datetime.now(UTC))
    starts_at = _future(request.starts_at, change)
    before, held = hearing.starts_at, set(_slot_keys(hearing))
    hearing.room = request.room or hearing.room
    _place(hearing, case, starts_at)
    wanted = set(_slot_keys(hearing))
    if wanted == held:
        raise ValidationFailed.field("starts_at", "is in the same slot as before")
    for key in sorted(held - wanted):
        change.delete(RegistryModel(pk=key))
    for key in sorted(wanted - held):
        change.take_slot(RegistryModel(pk=key, case_id=case.case_id))
    hearing.postponements = int(hearing.postponements or 0) + 1
    hearing.reason = request.reason
    change.save(hearing)
    case.next_hearing_at = next_hearing(hearings, change.now)
    change.details.update(
        {
            "hearing_id": hearing_id,
            "before": court_iso(before),
            "after": court_iso(starts_at),
        }
    )
    change.update_case(request.version)
    change.add_event(
        "HEARING_POSTPONED", decision=request.reason, next_hearing_at=starts_at
    )
    change.commit()
    return hearing


def record_outcome(
    case: CaseModel,
    hearing_id: str,
    request: HearingOutcomeRequest,
    actor: Actor,
    now: datetime | None = None,
) -> CaseRecordModel | None:
    """Record what a hearing ended with; an adjournment books the next one.

    Returns the next hearing when adjourned, else None. Striking the case off
    cancels its other scheduled hearings.
    """
    _ensure_pending(case)
    hearings = hearings_of(case.case_id)
    hearing = _scheduled(hearings, hearing_id)
    change = Change(case, actor, "RECORD_HEARING_OUTCOME", now or datetime.now(UTC))
    if hearing.starts_at is None or hearing.starts_at > change.now:
        raise Conflict("a hearing's outcome is recorded once it has started")
    hearing.hearing_status = "HELD"
    hearing.outcome = request.outcome.value
    hearing.decision = request.decision
    change.save(hearing)
    _count_held(change, hearing)
    following = None
    if request.next_starts_at is not None:
        starts_at = _future(request.next_starts_at, change, "next_starts_at")
        following = _book(change, str(hearing.judge), str(hearing.room), starts_at)
        hearings.append(following)
    else:
        move_status(change, OUTCOME_STATUS[request.outcome])
        if case.status not in PENDING:
            cancel_scheduled(change, hearings)
    case.next_hearing_at = next_hearing(hearings, change.now)
    change.details.update({"hearing_id": hearing_id, "outcome": request.outcome.value})
    change.update_case(request.version)
    change.add_event(
        f"HEARING_{request.outcome.value.upper()}",
        decision=request.decision,
        next_hearing_at=following.starts_at if following else None,
    )
    change.commit()
    return following


def cancel_scheduled(change: Change, hearings: list[CaseRecordModel]) -> None:
    """Cancel every scheduled hearing in ``change`` and free their slots.

    For a case that leaves the pending statuses (closed, struck off, judged).
    """
    for hearing in hearings:
        if hearing.hearing_status != "SCHEDULED":
            continue
        hearing.hearing_status = "CANCELLED"
        change.save(hearing)
        for key in _slot_keys(hearing):
            change.delete(RegistryModel(pk=key))
    change.case.next_hearing_at = None


def next_hearing(hearings: list[CaseRecordModel], now: datetime) -> datetime | None:
    """The earliest scheduled hearing still to come, or None."""
    ahead = [
        h.starts_at
        for h in hearings
        if h.hearing_status == "SCHEDULED" and h.starts_at and h.starts_at > now
    ]
    return min(ahead, default=None)


def _count_held(change: Change, hearing: CaseRecordModel) -> None:
    """Count a hearing held, and whether on the first date set (certainty)."""
    change.count(
        change.case.court_code,
        change.now.date().isoformat(),
        hearings_held=1,
        held_on_first_date=0 if hearing.postponements else 1,
    )


def _ensure_pending(case: CaseModel) -> None:
    if case.status not in PENDING:
        raise TransitionRefused(f"a {case.status} case has no hearings")


def hearings_of(case_id: str) -> list[CaseRecordModel]:
    """The hearings of a case, one query."""
    return list(
        CaseRecordModel.query(
            case_id, CaseRecordModel.record_key.startswith("HEARING#")
        )
    )


def court_list(court_code: str, day: date) -> list[CaseRecordModel]:
    """A court's hearings of ``day``, in order of time (the hearing table)."""
    rows = CaseRecordModel.court_day_index.query(f"{court_code}#{day.isoformat()}")
    return sorted(rows, key=lambda row: (row.starts_at, str(row.room)))


def hearing_json(hearing: CaseRecordModel, public: bool = False) -> dict[str, Any]:
    """A hearing for the API; the public list has no subject, judge or reason."""
    data: dict[str, Any] = {
        "id": _hearing_id(hearing),
        "case_id": hearing.case_id,
        "file_number": hearing.file_number,
        "case_type_code": hearing.case_type_code,
        "starts_at": court_iso(hearing.starts_at),
        "room": hearing.room,
        "status": hearing.hearing_status,
    }
    if public:
        data.pop("case_id")
        return data
    return {
        **data,
        "subject": hearing.subject,
        "judge": hearing.judge,
        "first_starts_at": court_iso(hearing.first_starts_at),
        "postponements": int(hearing.postponements or 0),
        "postponement_reason": hearing.reason,
        "outcome": hearing.outcome,
        "decision": hearing.decision,
    }


def _book(
    change: Change, judge: str, room: str, starts_at: datetime
) -> CaseRecordModel:
    """Create a hearing of the change's case and take its judge's and room's slot."""
    case = change.case
    hearing = CaseRecordModel(
        case_id=case.case_id,
        record_key=f"HEARING#{uuid.uuid4().hex[:12]}",
        recorded_at=change.now,
        recorded_by=change.actor.username,
        judge=judge,
        room=room,
        hearing_status="SCHEDULED",
        first_starts_at=starts_at,
        postponements=0,
    )
    _place(hearing, case, starts_at)
    _take_slots(change, hearing)
    change.save_new(hearing)
    if case.next_hearing_at is None or case.next_hearing_at < change.now:
        case.next_hearing_at = starts_at
    else:
        case.next_hearing_at = min(case.next_hearing_at, starts_at)
    return hearing


def _place(hearing: CaseRecordModel, case: CaseModel, starts_at: datetime) -> None:
    """Put the hearing at ``starts_at`` on its court's list of that local day."""
    from chalicelib.cases import file_number_of

    local_day = starts_at.astimezone(court_zone()).date()
    hearing.starts_at = starts_at.astimezone(UTC)
    hearing.court_day = f"{case.court_code}#{local_day.isoformat()}"
    hearing.file_number = str(file_number_of(case))
    hearing.case_type_code = case.case_type_code
    hearing.subject = case.subject


def _slot_keys(hearing: CaseRecordModel) -> list[str]:
    minutes = get_settings().hearing_slot_minutes
    starts_at = hearing.starts_at or datetime.now(UTC)
    stamp = int(starts_at.timestamp()) // (minutes * 60) * (minutes * 60)
    slot = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M")
    court = str(hearing.court_day).split("#")[0]
    return [
        f"SLOT#JUDGE#{hearing.judge}#{slot}",
        f"SLOT#ROOM#{court}#{room_key(str(hearing.room))}#{slot}",
    ]


def room_key(room: str) -> str:
    """A room's name as its slots know it: one spelling per room.

    Compatibility forms folded, accents and case dropped, digits made ASCII,
    spaces and punctuation dropped, numbers without leading zeros:
    ``Ｓálle  ٩``, ``Salle-09`` and ``salle9`` are the same room.

    >>> room_key("Ｓálle  ٩"), room_key("Salle-09.")
    ('salle9', 'salle9')
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", room))
    plain = "".join(
        str(unicodedata.digit(c)) if c.isdigit() else c
        for c in folded
        if not unicodedata.combining(c)
    )
    letters = "".join(c for c in plain.casefold() if c.isalnum())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", letters)


def _take_slots(change: Change, hearing: CaseRecordModel) -> None:
    for key in _slot_keys(hearing):
        change.take_slot(RegistryModel(pk=key, case_id=hearing.case_id))


def _scheduled(hearings: list[CaseRecordModel], hearing_id: str) -> CaseRecordModel:
    for hearing in hearings:
        if hearing.record_key == f"HEARING#{hearing_id}":
            if hearing.hearing_status != "SCHEDULED":
                raise Conflict(f"the hearing is already {hearing.hearing_status}")
            return hearing
    raise NotFound("hearing not found")


def _judge_of(case: CaseModel, requested: str | None) -> str:
    """The hearing's judge: the one asked for, else the reporting judge.

    Either way an active judge serving the case's court, read now.
    """
    username = requested or case.reporting_judge
    if not username:
        raise ValidationFailed.field("judge", "is required: no reporting judge yet")
    return str(active_judge(case.court_code, username).username)


def _future(starts_at: datetime, change: Change, field: str = "starts_at") -> datetime:
    if starts_at <= change.now:
        raise ValidationFailed.field(field, "must be in the future")
    return starts_at.astimezone(UTC)


def _hearing_id(hearing: CaseRecordModel) -> str:
    return str(hearing.record_key).removeprefix("HEARING#")
