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
    from chalicelib.models import CaseModel, UserModel

ALL_ROLES = frozenset({"ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "courts:list": ALL_ROLES,
    "cases:register": frozenset({"ADMIN", "CLERK"}),
    "cases:read": ALL_ROLES,
    "cases:list": frozenset({"ADMIN", "CLERK", "JUDGE"}),
    "documents:create": frozenset({"ADMIN", "CLERK", "JUDGE", "LAWYER"}),
    "documents:read": ALL_ROLES,
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
}


def require(caller: Caller, action: str) -> None:
    """Raise ``Forbidden`` unless the caller's role may perform ``action``."""
    if caller.role not in PERMISSIONS[action]:
        raise Forbidden(f"role {caller.role} may not {action}")


def can_see_case(profile: UserModel | None, case: CaseModel) -> bool:
    """Tell whether the user of ``profile`` may see ``case``.

    An admin sees every case; judges and clerks the cases of the courts they
    serve; a lawyer the cases where registered as counsel; a citizen the cases
    where a party with the same national ID. An unknown or inactive profile sees
    nothing.
    """
    if profile is None or not profile.active:
        return False
    if profile.role == "ADMIN":
        return True
    if profile.role in ("JUDGE", "CLERK"):
        return case.court_code in (profile.courts or [])
    if profile.role == "LAWYER":
        return any(
            party.lawyer_bar == profile.bar and party.lawyer_roll == profile.roll_number
            for party in case.parties
        )
    if profile.role == "CITIZEN":
        return profile.national_id is not None and any(
            party.national_id == profile.national_id for party in case.parties
        )
    return False


def ensure_can_see_case(profile: UserModel | None, case: CaseModel | None) -> CaseModel:
    """Return ``case`` if visible to ``profile``; otherwise raise ``NotFound``."""
    if case is None or not can_see_case(profile, case):
        raise NotFound("case not found")
    return case
