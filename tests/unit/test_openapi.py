"""The committed OpenAPI description matches the routes of the code."""

from __future__ import annotations

import json

from devstack.openapi import OPENAPI_FILE, build, render


def test_the_committed_description_is_up_to_date() -> None:
    assert OPENAPI_FILE.read_text(encoding="utf-8") == render(), (
        "run: python -m devstack.openapi"
    )


def test_every_route_is_described_with_its_roles() -> None:
    from chalicelib.access import PERMISSIONS
    from chalicelib.http import ROUTE_ACTIONS

    document = build()
    for (method, path), action in ROUTE_ACTIONS.items():
        operation = document["paths"][path][method.lower()]
        assert operation["summary"], (method, path)
        if action == "public":
            assert operation["security"] == []
        else:
            assert operation["x-justicia-roles"] == sorted(PERMISSIONS[action])
    json.dumps(document)
