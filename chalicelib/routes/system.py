"""Health, sign-in and the caller's own session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib import identity
from chalicelib.errors import InvalidCredentials
from chalicelib.http import Call, endpoint, json_response
from chalicelib.lazy import lazy_import
from chalicelib.observability import count
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib import audit, cases, health
    from chalicelib.schemas import LoginRequest
else:
    audit = lazy_import("chalicelib.audit")
    cases = lazy_import("chalicelib.cases")
    health = lazy_import("chalicelib.health")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/health", "GET", "public")
def get_health(call: Call) -> Response:
    """200 when every dependency answers, 503 naming the failed checks."""
    report = health.check_health()
    return json_response(report, 200 if report["status"] == "healthy" else 503)


@endpoint(blueprint, "/auth/login", "POST", "public", body="LoginRequest")
def login(call: Call) -> dict[str, Any]:
    """Sign in with username and password; every attempt is audited."""
    request: LoginRequest = call.body
    actor = audit.Actor(request.username.lower(), "-", call.request_id, call.source_ip)
    entry = audit.AuditEntry(action="LOGIN", target=f"user#{actor.username}")
    try:
        tokens = identity.sign_in(request.username, request.password)
    except InvalidCredentials:
        count("LoginFailures")
        entry.outcome = "FAILURE"
        audit.record(actor, entry)
        raise
    audit.record(actor, entry)
    count("Logins")
    return {
        "access_token": tokens.access_token,
        "id_token": tokens.id_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
    }


@endpoint(blueprint, "/me", "GET", "session:read", authorizer=cognito_jwt)
def who_am_i(call: Call) -> dict[str, Any]:
    """The caller's username, role and the courts they serve."""
    profile = cases.profile_of(call.user.username)
    return {
        "username": call.user.username,
        "role": call.user.role,
        "full_name": profile.full_name if profile else None,
        "courts": list(profile.courts or []) if profile else [],
    }
