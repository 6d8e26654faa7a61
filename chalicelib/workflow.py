"""What happens to a case file after registration.

Corrections, status changes along the allowed transitions, assignment of the
reporting judge, parties joining or leaving, linked files, and procedures
recorded on the timeline. Each is one ``Change``: the case's head guarded by
the version the caller read (a stale one gets 409), a timeline entry, the
audit record with the before and after, and what follows (memberships, the
court's counters), in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from chalicelib import access
from chalicelib.cases import (
    FileNumber,
    file_number_of,
    find_case_by_file_number,
    membership,
    party_map,
    principals_of,
)
from chalicelib.changes import Change
from chalicelib.court_time import at_court, court_today
from chalicelib.errors import Conflict, NotFound, TransitionRefused, ValidationFailed
from chalicelib.models import CaseModel, CaseRecordModel, MembershipModel, UserModel
from chalicelib.procedures import ensure_procedure
from chalicelib.schemas import (
    AddPartyRequest,
    AssignJudgeRequest,
    LinkCaseRequest,
    LinkKind,
    ProcedureRequest,
    TransitionRequest,
    UpdateCaseRequest,
)
from chalicelib.statuses import PENDING, TRANSITIONS

if TYPE_CHECKING:
    from chalicelib.audit import Actor
    from chalicelib.identity import Caller

INVERSE_LINKS = {
    LinkKind.APPEAL_OF: LinkKind.APPEALED_BY,
    LinkKind.APPEALED_BY: LinkKind.APPEAL_OF,
    LinkKind.JOINED_WITH: LinkKind.JOINED_WITH,
    LinkKind.REFERRED_FROM: LinkKind.REFERRED_TO,
    LinkKind.REFERRED_TO: LinkKind.REFERRED_FROM,
}


def update_case(case: CaseModel, request: UpdateCaseRequest, actor: Actor) -> None:
    """Correct the subject of a case."""
    change = Change(
        case,
        actor,
        "UPDATE_CASE",
        details={"before": {"subject": case.subject}, "after": {"subject": ""}},
    )
    case.subject = request.subject
    change.details["after"]["subject"] = request.subject
    change.update_case(request.version)
    change.add_event("CASE_CORRECTED")
    for principal in sorted(principals_of(case)):
        change.save(membership(case, principal))
    change.commit()


def transition(
    case: CaseModel,
    request: TransitionRequest,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """Move the case to ``request.status`` if the transition is allowed."""
    target = request.status.value
    if target not in TRANSITIONS[case.status]:
        raise TransitionRefused(f"{case.status} -> {target} is not allowed")
    change = Change(case, actor, "CHANGE_STATUS", now or datetime.now(UTC))
    move_status(change, target)
    if case.status not in PENDING:
        from chalicelib.hearings import cancel_scheduled, hearings_of

        cancel_scheduled(change, hearings_of(case.case_id))
    change.update_case(request.version)
    change.add_event(f"STATUS_{target}", decision=request.decision)
    change.commit()


def move_status(change: Change, target: str) -> None:
    """Set the case's status in ``change``; count it resolved if it now is.

    A case is resolved when it leaves the pending statuses (judged, or closed
    without a judgment): the court's counters of that day and of its filing
    day move with it, for the CEPEJ indicators.
    """
    case = change.case
    change.details.update(
        {"before": {"status": case.status}, "after": {"status": target}}
    )
    if case.status in PENDING and target not in PENDING:
        age_days = (change.now - case.registered_at).days
        change.count(
            case.court_code,
            change.now.date().isoformat(),
            resolved=1,
            resolved_days=age_days,
        )
        change.count(case.court_code, case.registered_at.date().isoformat(), open=-1)
        case.resolved_at = change.now
    case.status = target


def assign_judge(
    case: CaseModel,
    request: AssignJudgeRequest,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """(Re)assign the reporting judge: an active judge serving the case's court."""
    judge = active_judge(case.court_code, request.judge)
    change = Change(
        case,
        actor,
        "ASSIGN_JUDGE",
        now or datetime.now(UTC),
        details={
            "before": {"reporting_judge": case.reporting_judge},
            "after": {"reporting_judge": judge.username},
        },
    )
    action = "JUDGE_REASSIGNED" if case.reporting_judge else "JUDGE_ASSIGNED"
    case.reporting_judge = judge.username
    case.reporting_judge_name = judge.full_name
    change.update_case(request.version)
    change.add_event(action, decision=request.reason)
    change.commit()


def active_judge(court_code: str, username: str) -> UserModel:
    """The profile of an active judge serving ``court_code``, read now.

    Raises ``ValidationFailed`` naming ``judge`` otherwise.
    """
    try:
        judge = UserModel.get(username)
    except UserModel.DoesNotExist as exc:
        raise ValidationFailed.field("judge", "is not a user") from exc
    if judge.role != "JUDGE" or not judge.active:
        raise ValidationFailed.field("judge", "is not an active judge")
    if court_code not in (judge.courts or []):
        raise ValidationFailed.field("judge", f"does not serve {court_code}")
    return judge


def add_party(case: CaseModel, request: AddPartyRequest, actor: Actor) -> str:
    """Join a party (and its counsel) to the case; return the party's id."""
    party = party_map(request.party)
    before = principals_of(case)
    case.parties = [*case.parties, party]
    change = Change(
        case,
        actor,
        "ADD_PARTY",
        details={"party_id": party.party_id, "role": party.role},
    )
    change.update_case(request.version)
    for principal in sorted(principals_of(case) - before):
        change.save(membership(case, principal))
    change.add_event("PARTY_JOINED")
    change.commit()
    return str(party.party_id)


def remove_party(case: CaseModel, party_id: str, version: int, actor: Actor) -> None:
    """Remove a party; those it alone brought lose the case from "my cases"."""
    remaining = [party for party in case.parties if party.party_id != party_id]
    if len(remaining) == len(case.parties):
        raise NotFound("party not found")
    if not remaining:
        raise Conflict("a case keeps at least one party")
    before = principals_of(case)
    case.parties = remaining
    change = Change(case, actor, "REMOVE_PARTY", details={"party_id": party_id})
    change.update_case(version)
    for principal in sorted(before - principals_of(case)):
        change.delete(MembershipModel(principal=principal, case_id=case.case_id))
    change.add_event("PARTY_LEFT")
    change.commit()


def link_case(
    caller: Caller, case: CaseModel, request: LinkCaseRequest, actor: Actor
) -> CaseModel:
    """Link another file to this one, and this one to it with the inverse kind.

    The other file must be visible to the caller; it is named by its court and
    number, as clerks know it. Two files hold one relation: a second link
    between them, whatever its kind (B appeal of A when A is an appeal of B),
    is a 409. Returns the other case.
    """
    number = FileNumber(request.serial, request.case_type_code, request.year)
    other = find_case_by_file_number(request.court_code, number)
    if other is None or not access.can_see_case(caller, other):
        raise ValidationFailed.field("serial", "no such file at this court")
    if other.case_id == case.case_id:
        raise ValidationFailed.field("serial", "a file cannot be linked to itself")
    change = Change(
        case,
        actor,
        "LINK_CASE",
        details={"kind": request.kind.value, "linked_case_id": other.case_id},
    )
    change.update_case(request.version)
    change.save_new(
        _link(case, other, request.kind, change), Conflict("already linked")
    )
    change.save_new(
        _link(other, case, INVERSE_LINKS[request.kind], change),
        Conflict("already linked"),
    )
    change.add_event(f"LINKED_{request.kind.value.upper()}")
    change.commit()
    return other


def _link(
    case: CaseModel, other: CaseModel, kind: LinkKind, change: Change
) -> CaseRecordModel:
    return CaseRecordModel(
        case_id=case.case_id,
        record_key=f"LINK#{other.case_id}",
        recorded_at=change.now,
        recorded_by=change.actor.username,
        link_kind=kind.value,
        linked_case_id=other.case_id,
        linked_court_code=other.court_code,
        file_number=str(file_number_of(other)),
        case_type_code=other.case_type_code,
    )


def record_procedure(
    case: CaseModel,
    request: ProcedureRequest,
    actor: Actor,
    now: datetime | None = None,
) -> CaseRecordModel:
    """Record a procedure (a notice served, an expert report...) on the timeline.

    The case's head does not change, but its version is checked as read now,
    so a procedure is never recorded on a case that moved under it.
    """
    ensure_procedure(request.action)
    occurred_at = (
        datetime.combine(request.occurred_on, time(12), tzinfo=UTC)
        if request.occurred_on
        else None
    )
    # Dates of the court's calendar, as for judgments.
    if request.occurred_on and request.occurred_on > court_today():
        raise ValidationFailed.field("occurred_on", "is in the future")
    if (
        request.occurred_on
        and request.occurred_on < at_court(case.registered_at).date()
    ):
        raise ValidationFailed.field("occurred_on", "is before the case was registered")
    change = Change(
        case,
        actor,
        "RECORD_PROCEDURE",
        now or datetime.now(UTC),
        details={"procedure": request.action},
    )
    change.update_case(int(case.version))
    event = change.add_event(
        request.action, decision=request.decision, occurred_at=occurred_at
    )
    change.commit()
    return event
