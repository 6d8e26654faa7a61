"""Courts, cases and their documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib import access
from chalicelib.court_time import court_clock
from chalicelib.http import Call, endpoint, json_response
from chalicelib.lazy import lazy_import
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib import (
        audit,
        case_lists,
        cases,
        courts,
        documents,
        downloads,
        workflow,
    )
else:
    downloads = lazy_import("chalicelib.downloads")
    workflow = lazy_import("chalicelib.workflow")
    audit = lazy_import("chalicelib.audit")
    case_lists = lazy_import("chalicelib.case_lists")
    cases = lazy_import("chalicelib.cases")
    courts = lazy_import("chalicelib.courts")
    documents = lazy_import("chalicelib.documents")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/courts", "GET", "courts:list", authorizer=cognito_jwt)
def list_courts(call: Call) -> dict[str, Any]:
    """Every court with its names and the case types it registers."""
    return {
        "courts": [court.as_json() for court in courts.list_courts().values()],
        **court_clock(),
    }


@endpoint(
    blueprint,
    "/cases",
    "POST",
    "cases:register",
    body="RegisterCaseRequest",
    authorizer=cognito_jwt,
)
def register_case(call: Call) -> Response:
    """Register a case; 201 with its id and file number."""
    courts.check_court_and_type(call.body.court_code, call.body.case_type_code)
    access.ensure_serves_court(call.user, call.body.court_code)
    case = cases.register_case(call.body, call.actor)
    return json_response(
        cases.case_json(case), 201, {"Location": f"/cases/{case.case_id}"}
    )


@endpoint(blueprint, "/cases", "GET", "cases:list", authorizer=cognito_jwt)
def list_cases(call: Call) -> dict[str, Any]:
    """A court's cases, newest first, a page at a time (``court`` is required).

    Filters: ``year``, ``status``, ``type``, ``judge``; or ``hearing_date``
    (the cases heard that day, in order of time, with ``type`` and ``judge``).
    """
    query = case_lists.parse_query(dict(call.request.query_params or {}))
    access.ensure_serves_court(call.user, query.court_code)
    if query.hearing_date is not None:
        heard, cursor = case_lists.list_by_hearing_date(query)
        return {"cases": heard, "next_cursor": cursor}
    page, cursor = case_lists.list_cases(query)
    return {"cases": [cases.case_summary(case) for case in page], "next_cursor": cursor}


@endpoint(blueprint, "/cases/{case_id}", "GET", "cases:read", authorizer=cognito_jwt)
def get_case(call: Call, case_id: str) -> dict[str, Any]:
    """One case, if the caller may see it (404 otherwise)."""
    return cases.case_json(cases.case_visible_to(call.user, case_id))


@endpoint(
    blueprint,
    "/cases/{case_id}/documents",
    "POST",
    "documents:create",
    body="CreateDocumentRequest",
    authorizer=cognito_jwt,
)
def create_document(call: Call, case_id: str) -> Response:
    """Announce a document; 201 with the presigned form to upload its bytes."""
    case = cases.case_visible_to(call.user, case_id)
    cases.ensure_open(case)
    document, upload = documents.create_document(case, call.body, call.actor)
    body = {**documents.document_json(document, with_text=False), "upload": upload}
    return json_response(body, 201)


@endpoint(
    blueprint,
    "/cases/{case_id}/documents",
    "GET",
    "documents:read",
    authorizer=cognito_jwt,
)
def list_documents(call: Call, case_id: str) -> dict[str, Any]:
    """The documents of a case, without their text."""
    case = cases.case_visible_to(call.user, case_id)
    rows = documents.list_documents(case.case_id)
    return {
        "documents": [documents.document_json(row, with_text=False) for row in rows]
    }


@endpoint(
    blueprint,
    "/cases/{case_id}/documents/{document_id}",
    "GET",
    "documents:read",
    authorizer=cognito_jwt,
)
def get_document(call: Call, case_id: str, document_id: str) -> dict[str, Any]:
    """A document's status, digest, text page by page and signature."""
    case = cases.case_visible_to(call.user, case_id)
    return documents.document_json(documents.get_document(case.case_id, document_id))


@endpoint(
    blueprint,
    "/cases/{case_id}/documents/{document_id}/verification",
    "GET",
    "documents:verify",
    authorizer=cognito_jwt,
)
def verify_document(call: Call, case_id: str, document_id: str) -> dict[str, Any]:
    """Whether a signed document is intact and sealed by the court; 409 unsigned."""
    case = cases.case_visible_to(call.user, case_id)
    return documents.verify_document(documents.get_document(case.case_id, document_id))


@endpoint(
    blueprint, "/cases/{case_id}/audit", "GET", "audit:read", authorizer=cognito_jwt
)
def case_audit(call: Call, case_id: str) -> dict[str, Any]:
    """The audit trail of a case, newest first (admins)."""
    case = cases.case_visible_to(call.user, case_id)
    return {"entries": audit.entries_for(f"case#{case.case_id}")}


@endpoint(
    blueprint,
    "/cases/{case_id}",
    "PATCH",
    "cases:update",
    body="UpdateCaseRequest",
    authorizer=cognito_jwt,
)
def update_case(call: Call, case_id: str) -> dict[str, Any]:
    """Correct a case's subject; 409 ``stale_version`` if it changed meanwhile."""
    case = cases.case_to_change(call.user, case_id)
    workflow.update_case(case, call.body, call.actor)
    return cases.case_json(case)


@endpoint(
    blueprint,
    "/cases/{case_id}/status",
    "POST",
    "cases:transition",
    body="TransitionRequest",
    authorizer=cognito_jwt,
)
def change_status(call: Call, case_id: str) -> dict[str, Any]:
    """Move a case along an allowed transition (409 ``transition_refused``)."""
    case = cases.case_to_change(call.user, case_id)
    workflow.transition(case, call.body, call.actor)
    return cases.case_json(case)


@endpoint(
    blueprint,
    "/cases/{case_id}/assignment",
    "POST",
    "cases:assign",
    body="AssignJudgeRequest",
    authorizer=cognito_jwt,
)
def assign_judge(call: Call, case_id: str) -> dict[str, Any]:
    """(Re)assign the reporting judge, an active judge of the case's court."""
    case = cases.case_to_change(call.user, case_id)
    workflow.assign_judge(case, call.body, call.actor)
    return cases.case_json(case)


@endpoint(
    blueprint,
    "/cases/{case_id}/parties",
    "POST",
    "parties:update",
    body="AddPartyRequest",
    authorizer=cognito_jwt,
)
def add_party(call: Call, case_id: str) -> Response:
    """Join a party, with its counsel; 201 with the case."""
    case = cases.case_to_change(call.user, case_id)
    workflow.add_party(case, call.body, call.actor)
    return json_response(cases.case_json(case), 201)


@endpoint(
    blueprint,
    "/cases/{case_id}/parties/{party_id}",
    "DELETE",
    "parties:update",
    authorizer=cognito_jwt,
)
def remove_party(call: Call, case_id: str, party_id: str) -> dict[str, Any]:
    """Remove a party; ``?version=`` names the version of the case it was read at."""
    case = cases.case_to_change(call.user, case_id)
    version = cases.version_parameter(dict(call.request.query_params or {}))
    workflow.remove_party(case, party_id, version, call.actor)
    return cases.case_json(case)


@endpoint(
    blueprint,
    "/cases/{case_id}/documents/{document_id}/content",
    "GET",
    "documents:read",
    authorizer=cognito_jwt,
)
def document_content(call: Call, case_id: str, document_id: str) -> dict[str, Any]:
    """A one-minute address of the document's bytes (``?variant=original|sealed``).

    409 before the bytes exist, ``original_unavailable`` for the original of a
    refused, quarantined document; every address given is audited.
    """
    case = cases.case_visible_to(call.user, case_id)
    document = documents.get_document(case.case_id, document_id)
    variant = dict(call.request.query_params or {}).get("variant", "original")
    return downloads.download_link(document, variant, call.actor)
