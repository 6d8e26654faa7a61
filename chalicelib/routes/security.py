"""The custom authorizer every non-public route uses.

API Gateway (and ``chalice local``) call it with the bearer token; it verifies
the Cognito JWT against the pool's JWKS, then the user's standing (active, same
role, not signed out since). An invalid token raises
``Exception("Unauthorized")``, which API Gateway answers with 401.
"""

from __future__ import annotations

from chalice.app import AuthRequest, AuthResponse, Blueprint

from chalicelib.errors import Unauthorized
from chalicelib.identity import authenticate
from chalicelib.observability import count, logger

blueprint = Blueprint(__name__)

BEARER = "bearer "


@blueprint.authorizer(name="cognito_jwt", ttl_seconds=0)
def cognito_jwt(auth_request: AuthRequest) -> AuthResponse:
    """Allow a caller in good standing whose token verifies; refuse others (401)."""
    token = auth_request.token or ""
    if not token.lower().startswith(BEARER):
        raise Exception("Unauthorized")
    try:
        caller = authenticate(token[len(BEARER) :].strip())
    except Unauthorized as exc:
        count("TokensRefused")
        logger.info("token refused", extra={"reason": exc.reason})
        raise Exception("Unauthorized") from exc
    return AuthResponse(
        routes=["*"], principal_id=caller.username, context=caller.as_context()
    )
