"""Who may do what in the search domain: its security plugin's roles and mappings.

Amazon OpenSearch Service with fine-grained access control maps each signed
request's IAM role (its ARN, a *backend role*) to OpenSearch roles. Two roles
cover the functions, both limited to this stage's indices (``<prefix>cases*``
and ``<prefix>pages*``, the aliases and the versioned indices behind them):

- ``<prefix>search-read``: search and read only (the API);
- ``<prefix>search-write``: also index, delete, create indices and move
  aliases (the indexer and the reconciliation job).

``apply_grants`` writes both roles and their mappings through the plugin's REST
API (``_plugins/_security/api/roles|rolesmapping``). The domain's master user
does this at deploy (``functions/search_setup``); the local node has no
security plugin, so nothing here runs against it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.search.indices import ALL_INDICES

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

log = logging.getLogger(__name__)

Request = tuple[str, str, dict[str, Any]]
"""A security-plugin request: method, path and JSON body."""

READ_CLUSTER = ("cluster_composite_ops_ro",)
READ_INDEX = ("read",)
WRITE_CLUSTER = ("cluster_composite_ops", "indices:data/read/scroll/clear")
WRITE_INDEX = (
    "crud",
    "create_index",
    "delete_index",
    "manage_aliases",
    "indices:admin/refresh*",
)
"""What ``ensure_indices``, ``apply_change`` and ``reconcile`` ask of the node:
alias look-ups and moves, index creation, bulk writes and deletes, refreshes and
scrolls; and the deletion of the indices a rebuild replaced (the hourly job
rebuilds indices of an older mapping), only ever of this stage's indices."""


@dataclass(frozen=True)
class SearchGrants:
    """The IAM role ARNs that may read, and those that may also write."""

    readers: tuple[str, ...] = ()
    writers: tuple[str, ...] = ()

    @classmethod
    def from_properties(cls, properties: dict[str, Any]) -> SearchGrants:
        """From a custom resource's properties: ``Readers`` and ``Writers`` lists.

        CloudFormation hands every property over as strings; a missing list is
        empty (a stage built without the API has no reader).
        """
        return cls(
            readers=_arns(properties.get("Readers")),
            writers=_arns(properties.get("Writers")),
        )


def _arns(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("role ARNs must be a list of strings")
    return tuple(sorted(set(value)))


def index_patterns() -> list[str]:
    """The stage's aliases and their indices, e.g. ``justicia-prod-cases*``."""
    return [f"{spec.alias}*" for spec in ALL_INDICES]


def role_name(access: str) -> str:
    """The OpenSearch role of one access level, e.g. ``justicia-prod-search-read``."""
    return f"{get_settings().table_prefix}search-{access}"


def role_body(access: str) -> dict[str, Any]:
    """The definition of the ``read`` or ``write`` role on this stage's indices."""
    cluster, actions = (
        (READ_CLUSTER, READ_INDEX) if access == "read" else (WRITE_CLUSTER, WRITE_INDEX)
    )
    return {
        "cluster_permissions": list(cluster),
        "index_permissions": [
            {"index_patterns": index_patterns(), "allowed_actions": list(actions)}
        ],
    }


def mapping_body(role_arns: Iterable[str]) -> dict[str, Any]:
    """A role mapping naming exactly ``role_arns`` as backend roles, no user."""
    return {"backend_roles": sorted(role_arns), "hosts": [], "users": []}


def planned_requests(grants: SearchGrants) -> list[Request]:
    """Every security-plugin request ``apply_grants`` sends, in order.

    Each is ``(method, path, body)``: the role first, then its mapping, which
    replaces any earlier mapping (a role removed from the stack loses access).
    """
    requests: list[Request] = []
    base = "/_plugins/_security/api"
    for access, arns in (("read", grants.readers), ("write", grants.writers)):
        name = role_name(access)
        requests.append(("PUT", f"{base}/roles/{name}", role_body(access)))
        requests.append(("PUT", f"{base}/rolesmapping/{name}", mapping_body(arns)))
    return requests


def apply_grants(client: OpenSearch, grants: SearchGrants) -> int:
    """Write the roles and their mappings; return the number of requests sent.

    Needs the security plugin and a caller mapped to ``security_manager`` (the
    domain's master user). Any refusal raises ``opensearchpy.TransportError``.
    """
    requests = planned_requests(grants)
    for method, path, body in requests:
        client.transport.perform_request(method, path, body=body)
    log.info("search roles mapped: %d requests", len(requests))
    return len(requests)
