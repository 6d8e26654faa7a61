"""Judgments: numbered per court and year, linked to the signed judgment document.

Recording a judgment moves the case to ``JUDGED`` (counted resolved), sets the
last judgment shown on the file card, cancels the hearings still scheduled and
adds it to the timeline, in one transaction. The judgment's document must be
a document of the case brought in by the court (not a party's filing) and
already sealed: a judgment is never published unsigned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.cases import record_void, reserve_serial
from chalicelib.changes import Change
from chalicelib.court_time import at_court
from chalicelib.errors import Conflict, TransitionRefused, ValidationFailed
from chalicelib.hearings import cancel_scheduled, hearings_of
from chalicelib.models import CaseModel, CaseRecordModel, DocumentModel
from chalicelib.schemas import JudgmentRequest
from chalicelib.workflow import move_status

if TYPE_CHECKING:
    from chalicelib.audit import Actor

JUDGEABLE = frozenset({"SCHEDULED", "DELIBERATION"})


def record_judgment(
    case: CaseModel,
    request: JudgmentRequest,
    actor: Actor,
    now: datetime | None = None,
) -> CaseRecordModel:
    """Record the judgment of a case heard or in deliberation; return it.

    A number taken by a judgment the transaction then refuses (a document
    not sealed, a stale version) is recorded void in the register.
    """
    if case.status not in JUDGEABLE:
        raise TransitionRefused(f"a {case.status} case cannot be judged")
    change = Change(case, actor, "RECORD_JUDGMENT", now or datetime.now(UTC))
    # Dates of the court's calendar: after midnight in Morocco is the next day.
    if request.pronounced_on > at_court(change.now).date():
        raise ValidationFailed.field("pronounced_on", "is in the future")
    if request.pronounced_on < at_court(case.registered_at).date():
        raise ValidationFailed.field(
            "pronounced_on", "is before the case was registered"
        )
    _require_signed_court_document(change, request.document_id)
    number = reserve_serial(f"JUDGMENT#{case.court_code}#{request.pronounced_on.year}")
    judgment = _judgment(change, request, f"{number}/{request.pronounced_on.year}")
    change.save_new(judgment, Conflict("judgment number already used"))
    case.last_judgment_number = judgment.judgment_number
    case.last_judgment_date = request.pronounced_on.isoformat()
    move_status(change, "JUDGED")
    cancel_scheduled(change, hearings_of(case.case_id))
    change.details.update({"judgment_number": judgment.judgment_number})
    change.update_case(request.version)
    change.add_event("JUDGMENT_PRONOUNCED", decision=judgment.judgment_number)
    try:
        change.commit()
    except Exception:
        record_void(judgment_register_key(case.court_code, judgment), "refused")
        raise
    return judgment


def judgment_register_key(court_code: str, judgment: CaseRecordModel) -> str:
    """Where the register marks a judgment number void: court and number."""
    return f"JUDGMENT-NUMBER#{court_code}#{judgment.judgment_number}"


def _require_signed_court_document(change: Change, document_id: str) -> None:
    """The judgment's document: of this case, sealed, brought in by the court.

    Checked inside the transaction, so the document cannot change between the
    check and the judgment.
    """
    signed_by_court = (DocumentModel.status == "SIGNED") & (
        DocumentModel.origin.does_not_exist() | (DocumentModel.origin == "court")
    )
    change.require(
        DocumentModel,
        (change.case.case_id, document_id),
        signed_by_court,
        ValidationFailed.field(
            "document_id", "must be a signed court document of this case"
        ),
    )


def _judgment(change: Change, request: JudgmentRequest, number: str) -> CaseRecordModel:
    return CaseRecordModel(
        case_id=change.case.case_id,
        record_key=f"JUDGMENT#{number}",
        recorded_at=change.now,
        recorded_by=change.actor.username,
        judgment_number=number,
        judgment_date=request.pronounced_on.isoformat(),
        operative_part=request.operative_part,
        document_id=request.document_id,
    )


def judgments_of(case_id: str) -> list[CaseRecordModel]:
    """The judgments of a case, one query."""
    return list(
        CaseRecordModel.query(
            case_id, CaseRecordModel.record_key.startswith("JUDGMENT#")
        )
    )


def judgment_json(judgment: CaseRecordModel) -> dict[str, Any]:
    """A judgment for the API."""
    return {
        "number": judgment.judgment_number,
        "date": judgment.judgment_date,
        "operative_part": judgment.operative_part,
        "document_id": judgment.document_id,
        "recorded_by": judgment.recorded_by,
    }
