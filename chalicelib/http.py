"""How a route turns a request into a service call and an answer.

``endpoint`` registers a view on a blueprint with the action it performs: it
checks the caller's role against the permission matrix, parses the JSON body
into its pydantic model, and maps every error to a JSON answer in the caller's
language. A 500 shows no internals, only the request id to quote.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Request, Response

from chalicelib import access
from chalicelib.errors import JusticiaError, NotFound, ValidationFailed
from chalicelib.identity import Caller
from chalicelib.observability import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.audit import Actor

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# Every registered route and the action it declares ("public" for no login).
ROUTE_ACTIONS: dict[tuple[str, str], str] = {}
# Every registered route's body model (a name in ``chalicelib.schemas``) and its
# view's docstring: what the OpenAPI description is made from.
ROUTE_DOCS: dict[tuple[str, str], tuple[str | None, str]] = {}


@dataclass(frozen=True)
class Call:
    """One API call: who makes it, from where, with what body."""

    request: Request
    caller: Caller | None
    body: Any

    @property
    def request_id(self) -> str:
        """API Gateway's id of this request (quoted in errors and audit)."""
        return str(self.request.context.get("requestId", "-"))

    @property
    def source_ip(self) -> str | None:
        """The caller's address as API Gateway saw it."""
        identity: dict[str, Any] = self.request.context.get("identity") or {}
        source_ip = identity.get("sourceIp")
        return str(source_ip) if source_ip else None

    @property
    def actor(self) -> Actor:
        """The caller as the audit trail records them."""
        from chalicelib.audit import Actor

        caller = self.user
        return Actor(caller.username, caller.role, self.request_id, self.source_ip)

    @property
    def user(self) -> Caller:
        """The authenticated caller (routes with an action always have one)."""
        if self.caller is None:
            raise RuntimeError("public route has no caller")
        return self.caller


def language_of(request: Request) -> str:
    """``ar`` or ``fr`` from the Accept-Language header; Arabic by default."""
    header = str(request.headers.get("accept-language") or "")
    return "fr" if header.lower().startswith("fr") else "ar"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response that keeps Arabic readable (no ``\\u`` escapes)."""
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def endpoint(
    blueprint: Blueprint,
    path: str,
    method: str,
    action: str,
    body: str | None = None,
    authorizer: Any = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` for ``method path`` performing ``action``.

    ``action`` is a key of ``access.PERMISSIONS`` or ``"public"`` (then no
    authorizer); ``body`` names the request model in ``chalicelib.schemas``,
    imported on the first call. The view receives a ``Call`` and the URL
    parameters, and returns a ``Response`` or a JSON-serialisable body.
    """
    if action != "public" and action not in access.PERMISSIONS:
        raise KeyError(f"route {method} {path} declares unknown action {action!r}")
    ROUTE_ACTIONS[(method, path)] = action

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        ROUTE_DOCS[(method, path)] = (body, view.__doc__ or "")

        @wraps(view)
        def handle(**params: str) -> Response:
            request = blueprint.current_request
            try:
                if not all(value.strip() for value in params.values()):
                    raise NotFound("empty identifier in the path")
                return _answer(view(_call(request, action, body), **params))
            except JusticiaError as exc:
                return _error(request, exc)
            except Exception:  # noqa: BLE001 - answered as a 500, logged with trace
                logger.exception("unhandled error", extra={"route": f"{method} {path}"})
                return _error(request, JusticiaError())

        options: dict[str, Any] = {"methods": [method], "cors": True}
        if action != "public":
            options["authorizer"] = authorizer
        blueprint.route(path, **options)(handle)
        return view

    return register


def _call(request: Request, action: str, body_model: str | None) -> Call:
    caller = None
    if action != "public":
        caller = Caller.from_context(request.context.get("authorizer") or {})
        access.require(caller, action)
    body = parse_body(request, _schema(body_model)) if body_model else None
    return Call(request=request, caller=caller, body=body)


def _schema(name: str) -> type[BaseModel]:
    from chalicelib import schemas

    model: type[BaseModel] = getattr(schemas, name)
    return model


def parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    """Validate the JSON body; ``ValidationFailed`` lists each bad field and why."""
    from pydantic import ValidationError

    from chalicelib.field_messages import messages_for

    raw = request.raw_body or b""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise ValidationFailed(
            "the request body is not valid",
            [
                {
                    "field": field_of(error),
                    "reason": error["msg"],
                    "type": error["type"],
                    "messages": messages_for(
                        error["msg"], error["type"], error.get("ctx")
                    ),
                }
                for error in exc.errors(include_url=False, include_input=False)
            ],
        ) from exc


def field_of(error: Any) -> str:
    """The dotted path of the field a pydantic error is about (``body`` if none).

    A rule across fields names the field it blames with ``schemas.FieldError``.
    """
    from chalicelib.schemas import FieldError

    path = [str(part) for part in error["loc"]]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        path.append(cause.field)
    return ".".join(path) or "body"


def _answer(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    return json_response(result)


def _error(request: Request, exc: JusticiaError) -> Response:
    request_id = str(request.context.get("requestId", "-"))
    return json_response(exc.body(language_of(request), request_id), exc.status_code)
