"""Health, sign-in and sign-out, and the caller's own session.

A first sign-in with a temporary password, or one with an expired password,
answers a challenge that ``POST /auth/password`` completes; ``POST
/auth/logout`` ends every session. The guards of sign-in (rate limit, locks,
password age) are ``chalicelib.logins``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib import identity
from chalicelib.errors import JusticiaError
from chalicelib.http import Call, endpoint, json_response
from chalicelib.lazy import lazy_import
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib import audit, cases, health, logins, users
    from chalicelib.schemas import LoginRequest, NewPasswordRequest, RefreshRequest
else:
    audit = lazy_import("chalicelib.audit")
    cases = lazy_import("chalicelib.cases")
    health = lazy_import("chalicelib.health")
    logins = lazy_import("chalicelib.logins")
    users = lazy_import("chalicelib.users")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/health", "GET", "public")
def get_health(call: Call) -> Response:
    """200 when every dependency answers, 503 naming the failed checks."""
    report = health.check_health()
    return json_response(report, 200 if report["status"] == "healthy" else 503)


@endpoint(blueprint, "/auth/login", "POST", "public", body="LoginRequest")
def login(call: Call) -> dict[str, Any]:
    """Sign in with username and password; every attempt is audited.

    Tokens, or ``{"challenge": "NEW_PASSWORD_REQUIRED", "session"}`` for a
    temporary or expired password: ``POST /auth/password`` answers it. 429
    ``too_many_requests`` past the attempts allowed per address and minute,
    429 ``account_locked`` for a username locked after repeated failures.
    """
    request: LoginRequest = call.body
    actor = audit.Actor(request.username.lower(), "-", call.request_id, call.source_ip)
    return logins.log_in(request.username, request.password, actor).as_json()


@endpoint(blueprint, "/auth/password", "POST", "public", body="NewPasswordRequest")
def choose_password(call: Call) -> dict[str, Any]:
    """Answer ``NEW_PASSWORD_REQUIRED`` with a new password; tokens on success.

    Audited as ``CHANGE_PASSWORD`` with its outcome; a failure is recorded as
    an anonymous attempt on that user (the session did not prove who sent
    it). Limited per address like ``/auth/login`` (429).
    """
    request: NewPasswordRequest = call.body
    actor = audit.Actor(request.username.lower(), "-", call.request_id, call.source_ip)
    logins.limit_address(actor)
    entry = audit.AuditEntry(action="CHANGE_PASSWORD", target=f"user#{actor.username}")
    try:
        tokens = identity.answer_new_password(
            request.username, request.session, request.new_password
        )
    except JusticiaError:
        entry.outcome = "FAILURE"
        audit.record(
            audit.Actor("anonymous", "-", actor.request_id, actor.source_ip), entry
        )
        raise
    audit.record(actor, entry)
    users.note_password_changed(actor.username)
    users.note_login(actor.username)
    return tokens.as_json()


@endpoint(blueprint, "/auth/refresh", "POST", "public", body="RefreshRequest")
def refresh(call: Call) -> dict[str, Any]:
    """New ID and access tokens for a refresh token (401 once revoked)."""
    request: RefreshRequest = call.body
    return identity.refresh(request.refresh_token).as_json()


@endpoint(blueprint, "/auth/logout", "POST", "session:end", authorizer=cognito_jwt)
def logout(call: Call) -> dict[str, Any]:
    """End every session of the caller (global sign-out); audited as LOGOUT.

    Refresh tokens are revoked and tokens already issued are refused.
    """
    users.sign_out(call.user.username, call.actor)
    return {"signed_out": True}


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
