"""Who may do what: the permission matrix and the rules on individual cases.

Every API route declares one action of ``PERMISSIONS``; a route whose action is
missing here cannot be registered. Object rules read DynamoDB, never the search
index. A case the caller may not see is reported as not found, so its existence
does not leak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from chalicelib.identity import Caller
    from chalicelib.models import CaseModel

ALL_ROLES = frozenset({"ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN"})
STAFF = frozenset({"ADMIN", "JUDGE", "CLERK"})
REGISTRY = frozenset({"ADMIN", "CLERK"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "courts:list": ALL_ROLES,
    "cases:register": REGISTRY,
    "cases:read": ALL_ROLES,
    "cases:list": STAFF,
    "cases:mine": frozenset({"LAWYER", "CITIZEN"}),
    "cases:update": REGISTRY,
    "cases:transition": STAFF,
    "cases:assign": STAFF,
    "parties:update": REGISTRY,
    "links:create": REGISTRY,
    "timeline:read": ALL_ROLES,
    "timeline:record": STAFF,
    "hearings:read": ALL_ROLES,
    "hearings:schedule": STAFF,
    "hearings:court_list": STAFF,
    "judges:list": STAFF,
    "judgments:read": ALL_ROLES,
    "judgments:record": frozenset({"ADMIN", "JUDGE"}),
    "statistics:read": STAFF,
    "documents:create": frozenset({"ADMIN", "CLERK", "JUDGE", "LAWYER"}),
    "documents:read": ALL_ROLES,
    "search:query": ALL_ROLES,
    "documents:verify": ALL_ROLES,
    "audit:read": frozenset({"ADMIN"}),
    "session:read": ALL_ROLES,
    "session:end": ALL_ROLES,
    "users:create": frozenset({"ADMIN"}),
    "users:list": frozenset({"ADMIN"}),
    "users:read": frozenset({"ADMIN"}),
    "users:reset_password": frozenset({"ADMIN"}),
    "users:set_role": frozenset({"ADMIN"}),
    "users:deactivate": frozenset({"ADMIN"}),
    "users:reactivate": frozenset({"ADMIN"}),
    "users:security_report": frozenset({"ADMIN"}),
}


def require(caller: Caller, action: str) -> None:
    """Raise ``Forbidden`` unless the caller's role may perform ``action``."""
    if caller.role not in PERMISSIONS[action]:
        raise Forbidden(f"role {caller.role} may not {action}")


def serves_court(caller: Caller, court_code: str) -> bool:
    """Tell whether the caller works at ``court_code`` (an admin works at all)."""
    return caller.role == "ADMIN" or (
        caller.role in STAFF and court_code in caller.scope.courts
    )


def ensure_serves_court(caller: Caller, court_code: str) -> None:
    """Raise ``Forbidden`` unless the caller works at ``court_code``."""
    if not serves_court(caller, court_code):
        raise Forbidden(f"{caller.username} does not serve {court_code}")


def can_see_case(caller: Caller, case: CaseModel) -> bool:
    """Tell whether ``caller`` may see ``case``.

    An admin sees every case; judges the cases of the courts they serve and
    the cases assigned to them; clerks the cases of the courts they serve; a
    lawyer the cases where registered as counsel; a citizen the cases where a
    party with the same national ID.
    """
    scope = caller.scope
    if serves_court(caller, case.court_code):
        return True
    if caller.role == "JUDGE":
        return case.reporting_judge == caller.username
    if caller.role == "LAWYER":
        return scope.bar is not None and any(
            counsel.bar == scope.bar and counsel.roll_number == scope.roll_number
            for party in case.parties
            for counsel in party.lawyers or []
        )
    if caller.role == "CITIZEN":
        return scope.national_id_digest is not None and any(
            party.national_id_digest == scope.national_id_digest
            for party in case.parties
        )
    return False


def ensure_can_see_case(caller: Caller, case: CaseModel | None) -> CaseModel:
    """Return ``case`` if visible to ``caller``; otherwise raise ``NotFound``."""
    if case is None or not can_see_case(caller, case):
        raise NotFound("case not found")
    return case


def ensure_may_change_case(caller: Caller, case: CaseModel) -> None:
    """Raise ``Forbidden`` unless the caller works at this case's court.

    Seeing a case is not enough to change it: staff of its court change it; a
    judge who left the court still sees the cases assigned, read-only;
    lawyers and citizens never change a case.
    """
    if not serves_court(caller, case.court_code):
        raise Forbidden(f"{caller.username} may not change this case")
