"""User administration (ADMIN): create, list, show, reset, change role, (de)activate.

Answers that carry a temporary password are marked ``Cache-Control: no-store``:
it is shown once and must not linger in a proxy or a browser cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.http import Call, endpoint, json_response
from chalicelib.identity import ROLES
from chalicelib.lazy import lazy_import
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib import identity, reports, users
    from chalicelib.schemas import CreateUserRequest, SetRoleRequest
else:
    identity = lazy_import("chalicelib.identity")
    reports = lazy_import("chalicelib.reports")
    users = lazy_import("chalicelib.users")

blueprint = Blueprint(__name__)

NO_STORE = {"Cache-Control": "no-store"}


@endpoint(
    blueprint,
    "/users",
    "POST",
    "users:create",
    body="CreateUserRequest",
    authorizer=cognito_jwt,
)
def create_user(call: Call) -> Response:
    """Create a user; 201 with the profile and the temporary password, once."""
    request: CreateUserRequest = call.body
    issued = users.create_user(request, call.actor)
    body = {
        "user": users.user_json(issued.profile, full=True),
        "temporary_password": issued.temporary_password,
    }
    headers = {**NO_STORE, "Location": f"/users/{issued.profile.username}"}
    return json_response(body, 201, headers)


@endpoint(blueprint, "/users", "GET", "users:list", authorizer=cognito_jwt)
def list_users(call: Call) -> dict[str, Any]:
    """Users by username; filters ``role``, ``court``, ``active``, ``q`` (search)."""
    query: Any = call.request.query_params or {}
    rows = users.list_users(
        role=_role_filter(query.get("role")),
        court=query.get("court") or None,
        active=_active_filter(query.get("active")),
        search=query.get("q"),
    )
    return {"users": [users.user_json(row) for row in rows]}


@endpoint(blueprint, "/users/{username}", "GET", "users:read", authorizer=cognito_jwt)
def show_user(call: Call, username: str) -> dict[str, Any]:
    """One user's profile, with Cognito's status of the login."""
    profile = users.get_user(username)
    try:
        login = identity.login_status(profile.username)
    except NotFound:
        login = None
    return {**users.user_json(profile, full=True), "login": login}


@endpoint(
    blueprint,
    "/users/{username}/password-reset",
    "POST",
    "users:reset_password",
    authorizer=cognito_jwt,
)
def reset_password(call: Call, username: str) -> Response:
    """A new temporary password, shown once; the user's sessions end."""
    issued = users.reset_password(username, call.actor)
    body = {
        "username": issued.profile.username,
        "temporary_password": issued.temporary_password,
    }
    return json_response(body, 200, NO_STORE)


@endpoint(
    blueprint,
    "/users/{username}/role",
    "PUT",
    "users:set_role",
    body="SetRoleRequest",
    authorizer=cognito_jwt,
)
def set_role(call: Call, username: str) -> dict[str, Any]:
    """Change the user's role and its attributes (409 for the last admin)."""
    request: SetRoleRequest = call.body
    return users.user_json(users.set_role(username, request, call.actor), full=True)


@endpoint(
    blueprint,
    "/users/{username}/deactivate",
    "POST",
    "users:deactivate",
    authorizer=cognito_jwt,
)
def deactivate(call: Call, username: str) -> dict[str, Any]:
    """Refuse the user from now on (409 for the last admin or if inactive)."""
    return users.user_json(users.deactivate(username, call.actor), full=True)


@endpoint(
    blueprint,
    "/users/{username}/reactivate",
    "POST",
    "users:reactivate",
    authorizer=cognito_jwt,
)
def reactivate(call: Call, username: str) -> dict[str, Any]:
    """Let an inactive user sign in again (409 if already active)."""
    return users.user_json(users.reactivate(username, call.actor), full=True)


def _role_filter(value: str | None) -> str | None:
    if not value:
        return None
    if value.upper() not in ROLES:
        raise ValidationFailed.field("role", f"must be one of {', '.join(ROLES)}")
    return value.upper()


def _active_filter(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() not in ("true", "false"):
        raise ValidationFailed.field("active", "must be true or false")
    return value.lower() == "true"


@endpoint(
    blueprint,
    "/audit/security",
    "GET",
    "users:security_report",
    authorizer=cognito_jwt,
)
def security_report(call: Call) -> dict[str, Any]:
    """Failed and refused sign-ins, locks and permission changes, newest first.

    ``?from=&to=`` (at most 31 days; the last 30 by default) and ``?limit=``.
    """
    period = _period(call, ("limit",))
    return reports.events_report(period)


@endpoint(
    blueprint,
    "/reports/failed-logins",
    "GET",
    "users:security_report",
    authorizer=cognito_jwt,
)
def failed_logins_report(call: Call) -> dict[str, Any]:
    """Failed sign-ins per user over ``?from=&to=``; ``?threshold=`` (10) flags."""
    return reports.failed_logins_report(_period(call, ("threshold",)))


@endpoint(
    blueprint,
    "/reports/permission-changes",
    "GET",
    "users:security_report",
    authorizer=cognito_jwt,
)
def permission_changes_report(call: Call) -> dict[str, Any]:
    """Users created, roles changed, passwords reset, (de)activations, over a period."""
    return reports.permission_changes_report(_period(call, ()))


def _period(call: Call, extra: tuple[str, ...]) -> reports.Period:
    from chalicelib.court_time import court_today

    params = dict(call.request.query_params or {})
    return reports.parse_period(params, court_today(), extra)
