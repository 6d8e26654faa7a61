"""The OpenAPI description of the court API, made from the routes themselves.

Paths, methods and who may call them come from the registered routes and the
permission matrix; request bodies from their pydantic models; summaries from
the views' docstrings. ``python -m devstack.openapi`` writes
``docs/openapi.json``; a unit test keeps that file in step with the code.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
QUERY_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/my/cases"): ("limit", "cursor"),
    ("GET", "/courts/{court_code}/hearings"): ("date",),
    ("GET", "/statistics"): ("court", "from", "to"),
    ("GET", "/audit/security"): ("from", "to", "limit"),
    ("GET", "/reports/failed-logins"): ("from", "to", "threshold"),
    ("GET", "/reports/permission-changes"): ("from", "to"),
    ("GET", "/users"): ("role", "court", "active", "search"),
    ("DELETE", "/cases/{case_id}/parties/{party_id}"): ("version",),
    ("GET", "/public/cases"): ("court", "serial", "code", "year"),
    ("GET", "/public/hearings"): ("court", "date"),
    ("GET", "/cases/{case_id}/documents/{document_id}/content"): ("variant",),
    ("GET", "/search"): (
        "q",
        "court",
        "type",
        "year",
        "status",
        "from",
        "size",
        "sort",
    ),
}
ERRORS = {
    "400": "Invalid input: the error names each field and why (Arabic, French).",
    "401": "No valid token.",
    "403": "The caller's role may not do this, or does not serve this court.",
    "404": "Not found, or not visible to the caller.",
    "409": "Conflict: stale version, refused transition, slot taken, duplicate.",
    "429": "Too many requests from this address or for this account.",
}


def build() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered route."""
    import app  # noqa: F401 - registers every route
    from chalicelib.access import PERMISSIONS
    from chalicelib.case_lists import LIST_PARAMETERS
    from chalicelib.http import ROUTE_ACTIONS, ROUTE_DOCS

    query_parameters = {**QUERY_PARAMETERS, ("GET", "/cases"): LIST_PARAMETERS}

    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": _error_schema()}
    for (method, path), action in sorted(ROUTE_ACTIONS.items()):
        body, doc = ROUTE_DOCS[(method, path)]
        roles = sorted(PERMISSIONS.get(action, ()))
        operation = _operation(path, action, roles, doc)
        operation["parameters"] += [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in query_parameters.get((method, path), ())
        ]
        if body:
            schemas.update(_body_schemas(body))
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{body}"}
                    }
                },
            }
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Justicia court API",
            "version": "1",
            "description": "Cases, hearings, documents, users and audit of Morocco's "
            "courts. Errors answer in Arabic or French (Accept-Language).",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _operation(path: str, action: str, roles: list[str], doc: str) -> dict[str, Any]:
    summary, _, description = doc.strip().partition("\n")
    operation: dict[str, Any] = {
        "summary": summary.strip(),
        "operationId": action if action != "public" else None,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)
        ],
        "responses": {"200": {"description": "Success (201 when created)."}}
        | {
            code: {
                "description": text,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}
                    }
                },
            }
            for code, text in ERRORS.items()
        },
    }
    if description.strip():
        operation["description"] = " ".join(description.split())
    if action == "public":
        operation.pop("operationId")
        operation["security"] = []
    else:
        operation["security"] = [{"cognito": []}]
        operation["x-justicia-action"] = action
        operation["x-justicia-roles"] = roles
    return operation


def _body_schemas(name: str) -> dict[str, Any]:
    from chalicelib import schemas

    model = getattr(schemas, name)
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    found: dict[str, Any] = schema.pop("$defs", {})
    found[name] = schema
    return found


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "messages": {
                        "type": "object",
                        "properties": {
                            "ar": {"type": "string"},
                            "fr": {"type": "string"},
                        },
                    },
                    "request_id": {"type": "string"},
                    "reason": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "reason": {"type": "string"},
                            },
                        },
                    },
                },
                "required": ["code", "message", "messages", "request_id"],
            }
        },
    }


def render() -> str:
    """The document as the committed file holds it."""
    return json.dumps(build(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from devstack.env import apply_safe_defaults

    apply_safe_defaults()
    OPENAPI_FILE.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {OPENAPI_FILE}\n")
