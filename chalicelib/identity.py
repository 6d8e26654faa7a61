"""Who is calling: Cognito sign-in and the verification of its tokens.

Tokens are verified here, against the user pool's JWKS, for signature, issuer,
expiry, client and ``token_use``: the API's custom authorizer relies on it
(Cognito's built-in authorizer is not enforced by ``chalice local``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.errors import InvalidCredentials, Unauthorized

if TYPE_CHECKING:
    from jwt import PyJWKClient

ROLES = ("ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN")


@dataclass(frozen=True)
class Caller:
    """An authenticated user, as the verified token describes them."""

    username: str
    role: str
    token_use: str

    def as_context(self) -> dict[str, str]:
        """Serialise for the API Gateway authorizer context (strings only)."""
        return {
            "username": self.username,
            "role": self.role,
            "token_use": self.token_use,
        }

    @classmethod
    def from_context(cls, context: dict[str, Any]) -> Caller:
        """Rebuild the caller from the authorizer context of a request."""
        try:
            return cls(context["username"], context["role"], context["token_use"])
        except KeyError as exc:
            raise Unauthorized("no verified caller") from exc


@dataclass(frozen=True)
class Tokens:
    """The tokens of a successful sign-in."""

    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int


def sign_in(username: str, password: str) -> Tokens:
    """Authenticate with the user pool; raise ``InvalidCredentials`` on any refusal.

    An unknown user and a wrong password get the same answer.
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
    ) as exc:
        raise InvalidCredentials() from exc
    result = answer.get("AuthenticationResult")
    if result is None:
        raise InvalidCredentials(f"challenge {answer.get('ChallengeName')} required")
    return Tokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken", ""),
        expires_in=int(result["ExpiresIn"]),
    )


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
            options={"require": ["exp", "iss", "token_use"], "verify_aud": False},
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
    return Caller(username=str(username), role=roles[0], token_use=token_use)
