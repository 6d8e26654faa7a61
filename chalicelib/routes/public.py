"""Public verification of sealed documents: no login, a rate limit per address.

Anyone holding a court document may check it against the register of seals
(``chalicelib.verification``): by its SHA-256, or by sending its bytes (up to
4 MiB, base64 in JSON) to have the seal itself checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice.app import Blueprint

from chalicelib.http import Call, endpoint, parse_body
from chalicelib.lazy import lazy_import

if TYPE_CHECKING:
    from chalicelib import verification
else:
    verification = lazy_import("chalicelib.verification")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/public/verification/{sha256}", "GET", "public")
def look_up_fingerprint(call: Call, sha256: str) -> dict[str, Any]:
    """Whether the court sealed a document with this SHA-256 (hex), and when.

    400 naming ``sha256`` unless 64 hex characters, 404 when not registered,
    429 ``too_many_requests`` past the limit per address and minute.
    """
    verification.limit_public_requests(call.source_ip)
    return verification.look_up(sha256)


@endpoint(blueprint, "/public/verification", "POST", "public")
def verify_content(call: Call) -> dict[str, Any]:
    """Check ``{"content_base64"}``: registered, and its seal intact and trusted.

    413 ``payload_too_large`` past 4 MiB of content (send the SHA-256 to the
    GET instead), 404 when not registered, 429 past the limit.
    """
    verification.limit_public_requests(call.source_ip)
    verification.check_body_size(call.request.raw_body)
    request = cast(
        "verification.VerificationRequest",
        parse_body(call.request, verification.VerificationRequest),
    )
    return verification.verify_content(request.content)
