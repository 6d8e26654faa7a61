"""Judgments: numbered per court and year, linked to the signed judgment document.

Recording a judgment moves the case to ``JUDGED`` (counted resolved), sets the
last judgment shown on the file card, and adds it to the timeline, in one
transaction. The judgment's document must already be signed by the court's
seal: a judgment is never published unsigned.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.cases import reserve_serial
from chalicelib.changes import Change
from chalicelib.errors import Conflict, TransitionRefused, ValidationFailed
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
    """Record the judgment of a case heard or in deliberation; return it."""
    if case.status not in JUDGEABLE:
        raise TransitionRefused(f"a {case.status} case cannot be judged")
    change = Change(case, actor, "RECORD_JUDGMENT", now or datetime.now(UTC))
    if request.pronounced_on > change.now.date():
        raise ValidationFailed.field("pronounced_on", "is in the future")
    _ensure_signed(case.case_id, request.document_id)
    number = reserve_serial(f"JUDGMENT#{case.court_code}#{request.pronounced_on.year}")
    judgment = _judgment(change, request, f"{number}/{request.pronounced_on.year}")
    change.save_new(judgment, Conflict("judgment number already used"))
    case.last_judgment_number = judgment.judgment_number
    case.last_judgment_date = request.pronounced_on.isoformat()
    case.next_hearing_at = None
    move_status(change, "JUDGED")
    change.details.update({"judgment_number": judgment.judgment_number})
    change.update_case(request.version)
    change.add_event("JUDGMENT_PRONOUNCED", decision=judgment.judgment_number)
    change.commit()
    return judgment


def _ensure_signed(case_id: str, document_id: str) -> None:
    try:
        document = DocumentModel.get(case_id, document_id)
    except DocumentModel.DoesNotExist as exc:
        raise ValidationFailed.field("document_id", "no such document") from exc
    if document.status != "SIGNED":
        raise ValidationFailed.field("document_id", "the document is not signed yet")


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
