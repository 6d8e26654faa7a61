"""The search domain's deploy-time set-up, run against the real local node.

The handler of ``functions/search_setup`` creates the indices behind their
aliases on the node for real. The local node has no security plugin, so the
role and mapping requests cannot be exercised here: the client's transport
records every ``/_plugins/_security`` request (and answers it as the plugin
would) while every other request reaches the node. What is checked there is
the exact method, path and body the master user would send.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opensearchpy import OpenSearch, Transport, TransportError

pytestmark = pytest.mark.integration

PREFIX = f"justicia-setup{uuid.uuid4().hex[:6]}-"
API_ROLE = "arn:aws:iam::123456789012:role/justicia-test-api"
INDEXER_ROLE = "arn:aws:iam::123456789012:role/justicia-test-indexer"
MAINTENANCE_ROLE = "arn:aws:iam::123456789012:role/justicia-test-maintenance"
PROPERTIES = {
    "ServiceToken": "arn:aws:lambda:eu-west-3:123456789012:function:provider",
    "Readers": [API_ROLE],
    "Writers": [MAINTENANCE_ROLE, INDEXER_ROLE],
    "Definition": "digest",
}
SECURITY_API = "/_plugins/_security/api"
PATTERNS = [f"{PREFIX}cases*", f"{PREFIX}pages*"]
EXPECTED_REQUESTS = [
    (
        "PUT",
        f"{SECURITY_API}/roles/{PREFIX}search-read",
        {
            "cluster_permissions": ["cluster_composite_ops_ro"],
            "index_permissions": [
                {"index_patterns": PATTERNS, "allowed_actions": ["read"]}
            ],
        },
    ),
    (
        "PUT",
        f"{SECURITY_API}/rolesmapping/{PREFIX}search-read",
        {"backend_roles": [API_ROLE], "hosts": [], "users": []},
    ),
    (
        "PUT",
        f"{SECURITY_API}/roles/{PREFIX}search-write",
        {
            "cluster_permissions": [
                "cluster_composite_ops",
                "indices:data/read/scroll/clear",
            ],
            "index_permissions": [
                {
                    "index_patterns": PATTERNS,
                    "allowed_actions": [
                        "crud",
                        "create_index",
                        "delete_index",
                        "manage_aliases",
                        "indices:admin/refresh*",
                    ],
                }
            ],
        },
    ),
    (
        "PUT",
        f"{SECURITY_API}/rolesmapping/{PREFIX}search-write",
        {
            "backend_roles": [INDEXER_ROLE, MAINTENANCE_ROLE],
            "hosts": [],
            "users": [],
        },
    ),
]


RECORDED: list[tuple[str, str, Any]] = []
"""The security-plugin requests the handler sent, in order."""


class SecurityRecordingTransport(Transport):
    """Sends everything to the node except security-plugin calls, recorded."""

    def perform_request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(SECURITY_API):
            RECORDED.append((method, url, kwargs.get("body")))
            return {"status": "OK", "message": "recorded, not sent"}
        return super().perform_request(method, url, *args, **kwargs)


@pytest.fixture(scope="module")
def node_client(search_node: str) -> Iterator[OpenSearch]:
    """A client of the real node with this module's stage prefix in force."""
    from chalicelib.config import get_settings

    saved = {
        name: os.environ.get(name)
        for name in ("JUSTICIA_TABLE_PREFIX", "JUSTICIA_SEARCH_REPLICAS")
    }
    os.environ.update(
        {"JUSTICIA_TABLE_PREFIX": PREFIX, "JUSTICIA_SEARCH_REPLICAS": "0"}
    )
    get_settings.cache_clear()
    client = OpenSearch(hosts=[search_node], transport_class=SecurityRecordingTransport)
    yield client
    client.indices.delete(index=f"{PREFIX}*", ignore=[404])
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


def event(kind: str) -> dict[str, Any]:
    """A custom resource event as the provider framework hands it over."""
    found: dict[str, Any] = {"RequestType": kind, "ResourceProperties": PROPERTIES}
    if kind != "Create":
        found["PhysicalResourceId"] = f"{PREFIX}search-setup"
    return found


def test_create_makes_the_indices_behind_their_aliases_and_maps_the_roles(
    node_client: OpenSearch,
) -> None:
    from functions.search_setup.handler import on_event

    RECORDED.clear()
    answer = on_event(event("Create"), node_client)

    assert answer["PhysicalResourceId"] == f"{PREFIX}search-setup"
    assert answer["Data"] == {"IndicesCreated": 2, "SecurityRequests": 4}
    for name in ("cases", "pages"):
        indices = node_client.indices.get_alias(name=f"{PREFIX}{name}")
        assert len(indices) == 1
        (index,) = indices
        assert index.startswith(f"{PREFIX}{name}-v")
        meta = node_client.indices.get_mapping(index=index)[index]["mappings"]["_meta"]
        assert meta["schema_version"] >= 1
    assert RECORDED == EXPECTED_REQUESTS


def test_update_keeps_the_indices_and_sends_the_same_roles_again(
    node_client: OpenSearch,
) -> None:
    from functions.search_setup.handler import on_event

    before = node_client.indices.get_alias(name=f"{PREFIX}cases")
    RECORDED.clear()

    answer = on_event(event("Update"), node_client)

    assert answer["Data"]["IndicesCreated"] == 0
    assert node_client.indices.get_alias(name=f"{PREFIX}cases") == before
    assert RECORDED == EXPECTED_REQUESTS


def test_delete_leaves_the_indices(node_client: OpenSearch) -> None:
    from functions.search_setup.handler import on_event

    RECORDED.clear()

    answer = on_event(event("Delete"), node_client)

    assert answer == {"PhysicalResourceId": f"{PREFIX}search-setup"}
    assert node_client.indices.exists_alias(name=f"{PREFIX}pages")
    assert RECORDED == []


def test_the_local_node_has_no_security_plugin(search_node: str) -> None:
    """Why the role requests are recorded, not sent: the node refuses them."""
    from chalicelib.search.security import SearchGrants, apply_grants

    with pytest.raises(TransportError):
        apply_grants(OpenSearch(hosts=[search_node]), SearchGrants(readers=(API_ROLE,)))
