"""Search over cases and the text of their documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.http import Call, endpoint
from chalicelib.lazy import lazy_import
from chalicelib.routes.security import cognito_jwt

if TYPE_CHECKING:
    from chalicelib.search import query, service
else:
    query = lazy_import("chalicelib.search.query")
    service = lazy_import("chalicelib.search.service")

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/search", "GET", "search:query", authorizer=cognito_jwt)
def search(call: Call) -> dict[str, Any]:
    """Cases and document pages the caller may see, with passages and facets.

    ``GET /search?q=&court=&type=&year=&status=&from=&size=&sort=``; a bad
    parameter is a 400 naming it, too many searches a minute a 429.
    """
    request = query.parse_query(dict(call.request.query_params or {}))
    service.check_rate(call.user.username)
    return service.search(call.user, request)
