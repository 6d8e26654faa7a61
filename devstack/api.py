"""Serve the Chalice app locally, as ``chalice local`` does, plus one emulation.

API Gateway answers 401 when a custom authorizer raises ``Unauthorized``;
``chalice local`` instead drops the connection. ``emulate_api_gateway`` teaches
Chalice's local gateway (used by ``chalice local`` and ``chalice.test``) the
real behaviour, so local runs and tests see what AWS does.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from pathlib import Path
from typing import Any

from devstack.env import apply_safe_defaults

PROJECT_DIR = Path(__file__).resolve().parents[1]


def emulate_api_gateway() -> None:
    """Map authorizer exceptions to API Gateway's answers (401, else 500)."""
    from chalice import local

    authorize = local.LocalGatewayAuthorizer.authorize
    if getattr(authorize, "emulates_api_gateway", False):
        return

    @functools.wraps(authorize)
    def authorize_like_api_gateway(
        self: Any, raw_path: str, event: Any, context: Any
    ) -> Any:
        try:
            return authorize(self, raw_path, event, context)
        except local.LocalGatewayException:
            raise
        except Exception as exc:
            headers = {"x-amzn-RequestId": context.aws_request_id}
            if str(exc) == "Unauthorized":
                raise local.NotAuthorizedError(
                    headers, b'{"message":"Unauthorized"}'
                ) from exc
            raise local.InvalidAuthorizerError(headers, b'{"message":null}') from exc

    authorize_like_api_gateway.emulates_api_gateway = True  # type: ignore[attr-defined]
    local.LocalGatewayAuthorizer.authorize = authorize_like_api_gateway  # type: ignore[method-assign, assignment]


def log_without_query_strings() -> None:
    """Make the local server's access log leave query strings out.

    Queries carry search terms such as a person's name: personal data stays out
    of logs.
    """
    from chalice import local

    def log_request(self: Any, code: Any = "-", size: Any = "-") -> None:
        # A request line the server could not parse has no path nor command;
        # it is still logged, and answered 400 by the server.
        path = str(getattr(self, "path", "") or "-").split("?", 1)[0]
        command = getattr(self, "command", None) or "-"
        self.log_message('"%s %s" %s', command, path, str(code))

    local.ChaliceRequestHandler.log_request = log_request


def serve(host: str, port: int, stage: str) -> None:
    """Serve the API until interrupted."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    emulate_api_gateway()
    log_without_query_strings()
    config = CLIFactory(str(PROJECT_DIR)).create_config_obj(chalice_stage_name=stage)
    server = create_local_server(config.chalice_app, config, host, port)
    server.serve_forever()


def main() -> None:
    """``python -m devstack.api --port 8000``."""
    apply_safe_defaults()
    parser = argparse.ArgumentParser(description="Serve the Justicia API locally")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    arguments = parser.parse_args()
    # Ctrl-C reaches the whole process group; the parent reports the stop.
    with contextlib.suppress(KeyboardInterrupt):
        serve(arguments.host, arguments.port, arguments.stage)


if __name__ == "__main__":
    main()
