"""Serve the court web app locally, and the API behind it on the same origin.

The built app (``web/dist``) is served as static files; ``/api/...`` is passed
on to the local API so the browser needs no CORS, as CloudFront does in AWS.
``/config.json`` tells the app where the API is (``/api``): the same build
runs here and behind CloudFront, where the deployment writes that file.

Uploads go from the browser straight to the local S3 (moto) with the
presigned form, as they go to S3 in AWS; the content security policy allows
exactly that address.
"""

from __future__ import annotations

import http.client
import json
import logging
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
DIST_DIR = PROJECT_DIR / "web" / "dist"
API_PREFIX = "/api"
# Request headers the API needs; others (cookies...) are not passed on.
FORWARDED_REQUEST = ("authorization", "content-type", "accept", "accept-language")
FORWARDED_RESPONSE = ("content-type", "cache-control", "location")
MAX_BODY = 8 * 1024 * 1024
PROXY_TIMEOUT = 60

log = logging.getLogger(__name__)


def content_security_policy(upload_origin: str) -> str:
    """The CSP of every page: our own scripts only; uploads to ``upload_origin``.

    >>> "connect-src 'self' http://127.0.0.1:5100" in content_security_policy(
    ...     "http://127.0.0.1:5100")
    True
    """
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' blob: data: {upload_origin}; "
        f"connect-src 'self' {upload_origin}; "
        f"frame-src {upload_origin or 'self'}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


class WebAppHandler(BaseHTTPRequestHandler):
    """Static files of ``dist``, ``/config.json``, and ``/api/*`` proxied."""

    server_version = "JusticiaWeb"
    sys_version = ""
    dist: ClassVar[Path] = DIST_DIR
    api_port: ClassVar[int] = 8000
    upload_origin: ClassVar[str] = ""

    def do_GET(self) -> None:
        """Serve a file or the configuration, or pass an API call on."""
        self._dispatch()

    def do_HEAD(self) -> None:
        """As GET (the API answers HEAD itself)."""
        self._dispatch()

    def do_POST(self) -> None:
        """API calls only."""
        self._dispatch()

    def do_PUT(self) -> None:
        """API calls only."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """API calls only."""
        self._dispatch()

    def do_PATCH(self) -> None:
        """API calls only."""
        self._dispatch()

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            self._proxy()
        elif self.command not in ("GET", "HEAD"):
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed")
        elif path == "/config.json":
            body = json.dumps({"apiBase": API_PREFIX}).encode()
            self._send(
                HTTPStatus.OK, body, "application/json", {"Cache-Control": "no-store"}
            )
        else:
            self._static(path)

    def _static(self, path: str) -> None:
        file = static_file(self.dist, path)
        if file is None:
            self._plain(HTTPStatus.NOT_FOUND, b"not found")
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/javascript":
            kind += "; charset=utf-8"
        # Hashed assets never change; index.html must always be fresh.
        cache = "public, max-age=31536000, immutable"
        if "/assets/" not in file.as_posix():
            cache = "no-cache"
        self._send(HTTPStatus.OK, file.read_bytes(), kind, {"Cache-Control": cache})

    def _proxy(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"request too large")
            return
        body = self.rfile.read(length) if length else None
        target = self.path[len(API_PREFIX) :] or "/"
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() in FORWARDED_REQUEST
        }
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.api_port, timeout=PROXY_TIMEOUT
        )
        try:
            connection.request(self.command, target, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        except OSError:
            self._plain(HTTPStatus.BAD_GATEWAY, b"the API does not answer")
            return
        finally:
            connection.close()
        extra = {
            name: value
            for name, value in answer.getheaders()
            if name.lower() in FORWARDED_RESPONSE and name.lower() != "content-type"
        }
        kind = answer.getheader("Content-Type") or "application/json"
        self._send(answer.status, payload, kind, extra)

    def _plain(self, status: HTTPStatus, body: bytes) -> None:
        self._send(status, body, "text/plain; charset=utf-8", {})

    def _send(
        self, status: int, body: bytes, kind: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header(
            "Content-Security-Policy", content_security_policy(self.upload_origin)
        )
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log method, path without its query (it may name a person), status."""
        log.debug('"%s %s" %s', self.command, urlsplit(self.path).path, code)


def static_file(dist: Path, path: str) -> Path | None:
    """The file of ``dist`` that ``path`` names (``/`` is index.html), or None.

    Paths that leave ``dist`` (``/../secret``) name nothing.

    >>> static_file(Path("/nonexistent"), "/../etc/passwd") is None
    True
    """
    relative = path.lstrip("/") or "index.html"
    root = dist.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def upload_origin(endpoint_url: str | None) -> str:
    """The scheme, host and port uploads go to (the local S3), for the CSP.

    >>> upload_origin("http://127.0.0.1:5100")
    'http://127.0.0.1:5100'
    """
    if not endpoint_url:
        return ""
    parts = urlsplit(endpoint_url)
    return f"{parts.scheme}://{parts.netloc}"


def start_web(
    port: int, api_port: int, endpoint_url: str | None, dist: Path = DIST_DIR
) -> ThreadingHTTPServer:
    """Serve the app on 127.0.0.1:``port`` in a thread; ``shutdown()`` stops it."""
    handler = type(
        "LocalWebAppHandler",
        (WebAppHandler,),
        {
            "dist": dist,
            "api_port": api_port,
            "upload_origin": upload_origin(endpoint_url),
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


def is_built(dist: Path = DIST_DIR) -> bool:
    """Whether the app was built (``make web``) so there is something to serve."""
    return (dist / "index.html").is_file()
