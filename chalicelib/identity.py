"""Who is calling: Cognito sign-in, its users, and the verification of tokens.

Tokens are verified here, against the user pool's JWKS, for signature, issuer,
expiry, client and ``token_use``: the API's custom authorizer relies on it
(Cognito's built-in authorizer is not enforced by ``chalice local``). A token
that verifies is then held against the user's standing in the users table: an
inactive user, a role that changed, or a token issued before the user's last
sign-out is refused, so a revocation takes effect before the token expires.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.errors import (
    InvalidCredentials,
    NotFound,
    PasswordRejected,
    SessionExpired,
    Unauthorized,
    UserExists,
)

if TYPE_CHECKING:
    from jwt import PyJWKClient

ROLES = ("ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN")
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a challenge name
# How long the authorizer trusts a user's standing read from the users table.
STANDING_SECONDS = 5.0
STANDING_FIELDS = (
    "role",
    "active",
    "signed_out_at",
    "courts",
    "bar",
    "roll_number",
    "national_id_digest",
)


@dataclass(frozen=True)
class Scope:
    """What a user's profile says the user works on: the object-level rules.

    Courts served (judges, clerks), bar and roll number (lawyers), the keyed
    digest of the national ID (citizens). The authorizer reads it with the
    user's standing, so a route needs no second read of the profile.
    """

    courts: tuple[str, ...] = ()
    bar: str | None = None
    roll_number: str | None = None
    national_id_digest: str | None = None

    def as_context(self) -> dict[str, str]:
        """Serialise as strings (API Gateway's context holds nothing else)."""
        return {
            "courts": ",".join(self.courts),
            "bar": self.bar or "",
            "roll_number": self.roll_number or "",
            "national_id_digest": self.national_id_digest or "",
        }

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Scope:
        """Rebuild the scope from the authorizer context."""
        courts = str(context.get("courts") or "")
        return cls(
            courts=tuple(code for code in courts.split(",") if code),
            bar=str(context.get("bar") or "") or None,
            roll_number=str(context.get("roll_number") or "") or None,
            national_id_digest=str(context.get("national_id_digest") or "") or None,
        )


@dataclass(frozen=True)
class Caller:
    """An authenticated user, as the verified token describes them."""

    username: str
    role: str
    token_use: str
    issued_at: int = 0
    scope: Scope = Scope()

    def as_context(self) -> dict[str, str]:
        """Serialise for the API Gateway authorizer context (strings only)."""
        return {
            "username": self.username,
            "role": self.role,
            "token_use": self.token_use,
            **self.scope.as_context(),
        }

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Caller:
        """Rebuild the caller from the authorizer context of a request."""
        try:
            return cls(
                context["username"],
                context["role"],
                context["token_use"],
                scope=Scope.from_context(context),
            )
        except KeyError as exc:
            raise Unauthorized("no verified caller") from exc


@dataclass(frozen=True)
class Tokens:
    """The tokens of a successful sign-in (no refresh token after a refresh)."""

    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int

    def as_json(self) -> dict[str, Any]:
        """Render for the API; a refresh answers without a new refresh token."""
        body: dict[str, Any] = {
            "access_token": self.access_token,
            "id_token": self.id_token,
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


@dataclass(frozen=True)
class Challenge:
    """Cognito wants more before giving tokens, e.g. ``NEW_PASSWORD_REQUIRED``."""

    name: str
    session: str

    def as_json(self) -> dict[str, Any]:
        """Render for the API: the challenge and the session that answers it."""
        return {"challenge": self.name, "session": self.session}


def sign_in(username: str, password: str) -> Tokens | Challenge:
    """Authenticate with the user pool; raise ``InvalidCredentials`` on any refusal.

    An unknown user and a wrong password get the same answer. A user signing in
    with a temporary password gets the ``NEW_PASSWORD_REQUIRED`` challenge.
    """
    settings = get_settings()
    cognito = client("cognito-idp")
    try:
        answer = cognito.initiate_auth(
            ClientId=settings.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except (
        cognito.exceptions.NotAuthorizedException,
        cognito.exceptions.UserNotFoundException,
        cognito.exceptions.UserNotConfirmedException,
        cognito.exceptions.PasswordResetRequiredException,
    ) as exc:
        raise InvalidCredentials() from exc
    return _outcome(answer)


def answer_new_password(username: str, session: str, new_password: str) -> Tokens:
    """Set the new password a ``NEW_PASSWORD_REQUIRED`` challenge asks for.

    Raises ``PasswordRejected`` when the password policy refuses it (the same
    session may try again) and ``SessionExpired`` for a used, expired or
    unknown session.
    """
    settings = get_settings()
    cognito = client("cognito-idp")
    try:
        answer = cognito.respond_to_auth_challenge(
            ClientId=settings.user_pool_client_id,
            ChallengeName=NEW_PASSWORD_REQUIRED,
            Session=session,
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
        )
    except cognito.exceptions.InvalidPasswordException as exc:
        raise PasswordRejected("the password policy refuses it") from exc
    except (
        cognito.exceptions.NotAuthorizedException,
        cognito.exceptions.CodeMismatchException,
        cognito.exceptions.ExpiredCodeException,
        cognito.exceptions.ResourceNotFoundException,
        cognito.exceptions.UserNotFoundException,
    ) as exc:
        raise SessionExpired() from exc
    outcome = _outcome(answer)
    if isinstance(outcome, Challenge):
        raise SessionExpired(f"challenge {outcome.name} is not supported")
    return outcome


def refresh(refresh_token: str) -> Tokens:
    """New ID and access tokens for a refresh token Cognito has not revoked."""
    settings = get_settings()
    cognito = client("cognito-idp")
    try:
        answer = cognito.initiate_auth(
            ClientId=settings.user_pool_client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except (
        cognito.exceptions.NotAuthorizedException,
        cognito.exceptions.ResourceNotFoundException,
        cognito.exceptions.UserNotFoundException,
    ) as exc:
        raise Unauthorized("refresh token refused") from exc
    outcome = _outcome(answer)
    if isinstance(outcome, Challenge):
        raise Unauthorized(f"challenge {outcome.name} on refresh")
    return outcome


def _outcome(answer: dict[str, Any]) -> Tokens | Challenge:
    result = answer.get("AuthenticationResult")
    if result is not None:
        return Tokens(
            access_token=result["AccessToken"],
            id_token=result["IdToken"],
            refresh_token=result.get("RefreshToken", ""),
            expires_in=int(result["ExpiresIn"]),
        )
    name = str(answer.get("ChallengeName"))
    if name != NEW_PASSWORD_REQUIRED:
        raise InvalidCredentials(f"challenge {name} is not supported")
    return Challenge(name=name, session=str(answer["Session"]))


@lru_cache(maxsize=1)
def _jwks_client() -> PyJWKClient:
    from jwt import PyJWKClient

    return PyJWKClient(get_settings().jwks_url, cache_keys=True, lifespan=3600)


def verify_token(token: str) -> Caller:
    """Verify a Cognito ID or access token and return its caller.

    Only RS256 is accepted (no ``alg: none``, no HMAC key confusion). Raises
    ``Unauthorized`` with a short reason on any failure.
    """
    import jwt

    settings = get_settings()
    try:
        signing_key = _jwks_client().get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            issuer=settings.issuer,
            options={
                "require": ["exp", "iat", "iss", "token_use"],
                "verify_aud": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid token: {type(exc).__name__}") from exc
    return _caller_from_claims(claims, settings.user_pool_client_id)


def _caller_from_claims(claims: dict[str, Any], client_id: str) -> Caller:
    token_use = claims.get("token_use")
    if token_use == "id":  # noqa: S105 - a claim value, not a secret
        audience, username = claims.get("aud"), claims.get("cognito:username")
    elif token_use == "access":  # noqa: S105 - a claim value
        audience, username = claims.get("client_id"), claims.get("username")
    else:
        raise Unauthorized("invalid token: token_use")
    if audience != client_id:
        raise Unauthorized("invalid token: client")
    roles = [group for group in claims.get("cognito:groups", []) if group in ROLES]
    if not username or len(roles) != 1:
        raise Unauthorized("invalid token: user has no single role")
    return Caller(
        username=str(username),
        role=roles[0],
        token_use=token_use,
        issued_at=int(claims.get("iat", 0)),
    )


@dataclass(frozen=True)
class Standing:
    """What the users table says of a user, as the authorizer needs it."""

    role: str
    active: bool
    signed_out_at: int | None = None
    scope: Scope = Scope()


_standings: dict[str, tuple[float, Standing | None]] = {}


def authenticate(token: str) -> Caller:
    """Verify ``token`` and the standing of its user; raise ``Unauthorized``.

    Costs one GetItem per user every ``STANDING_SECONDS`` at most per process:
    a deactivation reaches every API instance within that time.
    """
    caller = verify_token(token)
    standing = standing_of(caller.username)
    reason = refusal(caller, standing)
    if reason or standing is None:
        raise Unauthorized(f"invalid token: {reason}")
    return replace(caller, scope=standing.scope)


def refusal(caller: Caller, standing: Standing | None) -> str | None:
    """Why a verified token may not be used any more, or None when it may.

    >>> refusal(Caller("clerk", "CLERK", "id", 100), Standing("CLERK", True, 100))
    'signed out'
    """
    if standing is None:
        return "no profile"
    if not standing.active:
        return "user deactivated"
    if standing.role != caller.role:
        return "role changed"
    if standing.signed_out_at is not None and caller.issued_at <= (
        standing.signed_out_at
    ):
        return "signed out"
    return None


def standing_of(
    username: str,
    clock: Callable[[], float] = time.monotonic,
    read: Callable[[str], Standing | None] | None = None,
) -> Standing | None:
    """The user's standing, read (from the users table) every few seconds at most."""
    cached = _standings.get(username)
    if cached and clock() - cached[0] < STANDING_SECONDS:
        return cached[1]
    standing = (read or _read_standing)(username)
    _standings[username] = (clock(), standing)
    return standing


def forget_standing(username: str) -> None:
    """Drop the cached standing of ``username`` (after a change in this process)."""
    _standings.pop(username, None)


def _read_standing(username: str) -> Standing | None:
    from pynamodb.exceptions import DoesNotExist

    from chalicelib.models import UserModel

    try:
        profile = UserModel.get(username, attributes_to_get=list(STANDING_FIELDS))
    except DoesNotExist:
        return None
    return Standing(
        role=profile.role,
        active=bool(profile.active),
        signed_out_at=_epoch(profile.signed_out_at),
        scope=Scope(
            courts=tuple(str(court) for court in profile.courts or []),
            bar=profile.bar,
            roll_number=profile.roll_number,
            national_id_digest=profile.national_id_digest,
        ),
    )


def _epoch(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def create_login(username: str, temporary_password: str, role: str) -> None:
    """Create the Cognito user with a temporary password, in the role's group.

    Cognito sends nothing (the administrator hands the password over). Raises
    ``UserExists`` when the username is taken.
    """
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            TemporaryPassword=temporary_password,
            MessageAction="SUPPRESS",
        )
    except cognito.exceptions.UsernameExistsException as exc:
        raise UserExists(f"user {username} exists in the user pool") from exc
    cognito.admin_add_user_to_group(
        UserPoolId=pool_id, Username=username, GroupName=role
    )


def delete_login(username: str) -> None:
    """Delete the Cognito user (undoing a creation that could not complete)."""
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    cognito.admin_delete_user(UserPoolId=pool_id, Username=username)


def set_login_role(username: str, role: str) -> None:
    """Make ``role`` the user's only role group in Cognito."""
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    cognito.admin_add_user_to_group(
        UserPoolId=pool_id, Username=username, GroupName=role
    )
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)
    for group in groups["Groups"]:
        if group["GroupName"] in ROLES and group["GroupName"] != role:
            cognito.admin_remove_user_from_group(
                UserPoolId=pool_id, Username=username, GroupName=group["GroupName"]
            )


def set_temporary_password(username: str, temporary_password: str) -> None:
    """Replace the password with a temporary one to change at next sign-in."""
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    cognito.admin_set_user_password(
        UserPoolId=pool_id,
        Username=username,
        Password=temporary_password,
        Permanent=False,
    )


def set_login_enabled(username: str, enabled: bool) -> None:
    """Enable or disable the Cognito user (a disabled user cannot sign in)."""
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    if enabled:
        cognito.admin_enable_user(UserPoolId=pool_id, Username=username)
    else:
        cognito.admin_disable_user(UserPoolId=pool_id, Username=username)


def sign_out_everywhere(username: str) -> None:
    """Revoke every refresh token of the user (Cognito's global sign-out).

    ID and access tokens already issued stay valid JWTs until they expire; the
    authorizer refuses them through the profile's ``signed_out_at``.
    """
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)


def login_status(username: str) -> dict[str, Any]:
    """Cognito's view of the user: status (e.g. ``FORCE_CHANGE_PASSWORD``), enabled.

    Raises ``NotFound`` when the pool has no such user.
    """
    cognito, pool_id = client("cognito-idp"), get_settings().user_pool_id
    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except cognito.exceptions.UserNotFoundException as exc:
        raise NotFound(f"user {username} is not in the user pool") from exc
    return {"status": user.get("UserStatus"), "enabled": bool(user.get("Enabled"))}
