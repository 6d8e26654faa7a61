"""Public routes, without login and rate-limited per address.

Tracking a file by its number (its public card) and a court's hearing table
of a day (``chalicelib.tracking``). Anyone holding a court document may check
it against the register of seals (``chalicelib.verification``): by its
SHA-256, or by sending its bytes (up to 4 MiB, base64 in JSON) to have the seal
itself checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalice.app import Blueprint

from chalicelib.court_time import court_clock
from chalicelib.http import Call, endpoint, parse_body
from chalicelib.lazy import lazy_import

if TYPE_CHECKING:
    from chalicelib import courts, params, tracking, verification
else:
    courts = lazy_import("chalicelib.courts")
    params = lazy_import("chalicelib.params")
    tracking = lazy_import("chalicelib.tracking")
    verification = lazy_import("chalicelib.verification")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/public/verification/{sha256}", "GET", "public")
def look_up_fingerprint(call: Call, sha256: str) -> dict[str, Any]:
    """Whether the court sealed a document with this SHA-256 (hex), and when.

    The latest seal's fields, and ``documents``: each document sealed with
    these bytes (one scan may be filed in several cases). 400 naming
    ``sha256`` unless 64 hex characters, 404 when not registered, 429
    ``too_many_requests`` past the limit per address and minute.
    """
    verification.limit_public_requests(call.source_ip)
    return verification.look_up(sha256)


@endpoint(blueprint, "/public/verification", "POST", "public")
def verify_content(call: Call) -> dict[str, Any]:
    """Check ``{"content_base64"}``: registered, and its seal intact and trusted.

    Each document with these bytes is listed under ``documents`` with its own
    outcome; the top level is the latest seal's. 413 ``payload_too_large``
    past 4 MiB of content (send the SHA-256 to the GET instead), 404 when not
    registered, 429 past the limit.
    """
    verification.limit_public_requests(call.source_ip)
    verification.check_body_size(call.request.raw_body)
    request = cast(
        "verification.VerificationRequest",
        parse_body(call.request, verification.VerificationRequest),
    )
    return verification.verify_content(request.content)


@endpoint(blueprint, "/public/cases", "GET", "public")
def track_case(call: Call) -> dict[str, Any]:
    """The public card of ``?court=&serial=&code=&year=``; 404 unknown, 429 limit."""
    tracking.limit_public_lookups(call.source_ip)
    court, number = tracking.parse_file_number(dict(call.request.query_params or {}))
    return tracking.public_card(court, number)


@endpoint(blueprint, "/public/hearings", "GET", "public")
def hearing_table(call: Call) -> dict[str, Any]:
    """A court's public hearing table of ``?court=&date=YYYY-MM-DD``."""
    tracking.limit_public_lookups(call.source_ip)
    query = dict(call.request.query_params or {})
    day = params.required_day(query, "date")
    return tracking.public_hearing_list(query.get("court") or "", day)


@endpoint(blueprint, "/public/courts", "GET", "public")
def public_courts(call: Call) -> dict[str, Any]:
    """The courts of the judicial map with their names and case types (no login)."""
    return {
        "courts": [court.as_json() for court in courts.list_courts().values()],
        **court_clock(),
    }
