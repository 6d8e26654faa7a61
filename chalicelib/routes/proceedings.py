"""The file card's tabs and the court's proceedings.

Timeline of procedures, hearings, judgments, linked files; a court's hearing
list of a day; "my cases" of a lawyer or a citizen; the CEPEJ statistics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib import access, params
from chalicelib.errors import NotFound
from chalicelib.http import Call, endpoint, json_response
from chalicelib.lazy import lazy_import
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib import (
        cases,
        courts,
        hearings,
        judgments,
        procedures,
        records,
        statistics,
        users,
        workflow,
    )
else:
    cases = lazy_import("chalicelib.cases")
    courts = lazy_import("chalicelib.courts")
    hearings = lazy_import("chalicelib.hearings")
    judgments = lazy_import("chalicelib.judgments")
    procedures = lazy_import("chalicelib.procedures")
    records = lazy_import("chalicelib.records")
    statistics = lazy_import("chalicelib.statistics")
    users = lazy_import("chalicelib.users")
    workflow = lazy_import("chalicelib.workflow")

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/cases/{case_id}/timeline",
    "GET",
    "timeline:read",
    authorizer=cognito_jwt,
)
def timeline(call: Call, case_id: str) -> dict[str, Any]:
    """The procedures register of a case, oldest first."""
    case = cases.case_visible_to(call.user, case_id)
    return {"timeline": [procedures.event_json(e) for e in records.events_of(case)]}


@endpoint(
    blueprint,
    "/cases/{case_id}/timeline",
    "POST",
    "timeline:record",
    body="ProcedureRequest",
    authorizer=cognito_jwt,
)
def record_procedure(call: Call, case_id: str) -> Response:
    """Record a procedure (notice, expert report...); 201 with the entry."""
    case = cases.case_to_change(call.user, case_id)
    event = workflow.record_procedure(case, call.body, call.actor)
    return json_response(procedures.event_json(event), 201)


@endpoint(
    blueprint,
    "/cases/{case_id}/hearings",
    "GET",
    "hearings:read",
    authorizer=cognito_jwt,
)
def case_hearings(call: Call, case_id: str) -> dict[str, Any]:
    """The hearings of a case, in order of time."""
    case = cases.case_visible_to(call.user, case_id)
    rows = sorted(hearings.hearings_of(case.case_id), key=lambda h: h.starts_at)
    return {"hearings": [hearings.hearing_json(row) for row in rows]}


@endpoint(
    blueprint,
    "/cases/{case_id}/hearings",
    "POST",
    "hearings:schedule",
    body="ScheduleHearingRequest",
    authorizer=cognito_jwt,
)
def schedule_hearing(call: Call, case_id: str) -> Response:
    """Schedule a hearing; 409 ``slot_taken`` if the judge or room is booked."""
    case = cases.case_to_change(call.user, case_id)
    hearing = hearings.schedule(case, call.body, call.actor)
    return json_response(
        {"hearing": hearings.hearing_json(hearing), "case": cases.case_json(case)}, 201
    )


@endpoint(
    blueprint,
    "/cases/{case_id}/hearings/{hearing_id}/postponement",
    "POST",
    "hearings:schedule",
    body="PostponeHearingRequest",
    authorizer=cognito_jwt,
)
def postpone_hearing(call: Call, case_id: str, hearing_id: str) -> dict[str, Any]:
    """Postpone a scheduled hearing to a new time, with the reason."""
    case = cases.case_to_change(call.user, case_id)
    hearing = hearings.postpone(case, hearing_id, call.body, call.actor)
    return {"hearing": hearings.hearing_json(hearing), "case": cases.case_json(case)}


@endpoint(
    blueprint,
    "/cases/{case_id}/hearings/{hearing_id}/outcome",
    "POST",
    "hearings:schedule",
    body="HearingOutcomeRequest",
    authorizer=cognito_jwt,
)
def hearing_outcome(call: Call, case_id: str, hearing_id: str) -> dict[str, Any]:
    """Record how a hearing ended; an adjournment schedules the next one."""
    case = cases.case_to_change(call.user, case_id)
    following = hearings.record_outcome(case, hearing_id, call.body, call.actor)
    return {
        "next_hearing": hearings.hearing_json(following) if following else None,
        "case": cases.case_json(case),
    }


@endpoint(
    blueprint,
    "/courts/{court_code}/hearings",
    "GET",
    "hearings:court_list",
    authorizer=cognito_jwt,
)
def court_hearings(call: Call, court_code: str) -> dict[str, Any]:
    """A court's hearing list of ``?date=YYYY-MM-DD``, in order of time."""
    day = params.required_day(dict(call.request.query_params or {}), "date")
    access.ensure_serves_court(call.user, court_code)
    rows = hearings.court_list(court_code, day)
    return {
        "court_code": court_code,
        "date": day.isoformat(),
        "hearings": [hearings.hearing_json(row) for row in rows],
    }


@endpoint(
    blueprint,
    "/courts/{court_code}/judges",
    "GET",
    "judges:list",
    authorizer=cognito_jwt,
)
def court_judges(call: Call, court_code: str) -> dict[str, Any]:
    """The active judges of a court, to choose a reporting judge from."""
    access.ensure_serves_court(call.user, court_code)
    if court_code not in courts.list_courts():
        raise NotFound(f"no court {court_code}")
    return {"court_code": court_code, "judges": users.judges_of(court_code)}


@endpoint(
    blueprint,
    "/cases/{case_id}/judgments",
    "GET",
    "judgments:read",
    authorizer=cognito_jwt,
)
def case_judgments(call: Call, case_id: str) -> dict[str, Any]:
    """The judgments of a case."""
    case = cases.case_visible_to(call.user, case_id)
    rows = judgments.judgments_of(case.case_id)
    return {"judgments": [judgments.judgment_json(row) for row in rows]}


@endpoint(
    blueprint,
    "/cases/{case_id}/judgments",
    "POST",
    "judgments:record",
    body="JudgmentRequest",
    authorizer=cognito_jwt,
)
def record_judgment(call: Call, case_id: str) -> Response:
    """Record the judgment with its signed document; the case becomes JUDGED."""
    case = cases.case_to_change(call.user, case_id)
    judgment = judgments.record_judgment(case, call.body, call.actor)
    return json_response(
        {"judgment": judgments.judgment_json(judgment), "case": cases.case_json(case)},
        201,
    )


@endpoint(
    blueprint, "/cases/{case_id}/links", "GET", "cases:read", authorizer=cognito_jwt
)
def case_links(call: Call, case_id: str) -> dict[str, Any]:
    """The files linked to this one (appeals, joined, referred)."""
    case = cases.case_visible_to(call.user, case_id)
    return {"links": [records.link_json(row) for row in records.links_of(case)]}


@endpoint(
    blueprint,
    "/cases/{case_id}/links",
    "POST",
    "links:create",
    body="LinkCaseRequest",
    authorizer=cognito_jwt,
)
def link_case(call: Call, case_id: str) -> Response:
    """Link another file of a court by its number; both files show the link."""
    case = cases.case_to_change(call.user, case_id)
    other = workflow.link_case(call.user, case, call.body, call.actor)
    return json_response(
        {"case": cases.case_json(case), "linked": cases.case_summary(other)}, 201
    )


@endpoint(blueprint, "/my/cases", "GET", "cases:mine", authorizer=cognito_jwt)
def my_cases(call: Call) -> dict[str, Any]:
    """A lawyer's cases as counsel, or a citizen's as a party; newest first."""
    params = dict(call.request.query_params or {})
    return records.my_cases(call.user, params)


@endpoint(blueprint, "/statistics", "GET", "statistics:read", authorizer=cognito_jwt)
def court_statistics(call: Call) -> dict[str, Any]:
    """The CEPEJ indicators of ``?court=`` from ``?from=`` to ``?to=``."""
    court, start, end = statistics.parse_period(dict(call.request.query_params or {}))
    access.ensure_serves_court(call.user, court)
    return statistics.court_report(court, start, end)
