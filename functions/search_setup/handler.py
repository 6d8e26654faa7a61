"""Search setup function: the search domain's custom resource, run at each deploy.

CloudFormation calls it (through the CDK provider framework) when the stack is
created or updated. It runs as the domain's master user, an IAM role no other
function or person uses, and does two things, in this order:

1. ``prepare_indices``: the indices and their aliases, created where missing
   by the same code as ``justicia search setup`` (``ensure_indices``);
2. ``apply_grants``: the read and write roles of the security plugin, and
   their mappings to the functions' IAM roles (``chalicelib.search.security``).

A deletion changes nothing: the domain keeps its indices and roles until it
goes itself (it is retained in prod).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.search.client import search_client
from chalicelib.search.indices import ensure_indices
from chalicelib.search.security import SearchGrants, apply_grants

if TYPE_CHECKING:
    from opensearchpy import OpenSearch


def prepare_indices(client: OpenSearch) -> list[str]:
    """Create the missing indices behind their aliases; return those created."""
    created = ensure_indices(client)
    logger.info("search indices ready", extra={"indices_created": len(created)})
    return created


def set_up(client: OpenSearch, properties: dict[str, Any]) -> dict[str, Any]:
    """Indices first, then the roles and mappings; the figures for CloudFormation."""
    grants = SearchGrants.from_properties(properties)
    created = prepare_indices(client)
    requests = apply_grants(client, grants)
    return {"IndicesCreated": len(created), "SecurityRequests": requests}


def on_event(event: dict[str, Any], client: OpenSearch | None = None) -> dict[str, Any]:
    """Answer one custom resource event (``Create``, ``Update`` or ``Delete``).

    The physical id names the stage's search set-up, so an update never
    replaces the resource (and never triggers a delete of the old one).
    """
    physical_id = f"{get_settings().table_prefix}search-setup"
    if event["RequestType"] == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", physical_id)}
    data = set_up(client or search_client(), event.get("ResourceProperties", {}))
    return {"PhysicalResourceId": physical_id, "Data": data}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point of the provider framework's ``onEvent``."""
    logger.append_keys(request_type=event.get("RequestType"))
    return on_event(event)
