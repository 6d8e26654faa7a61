"""Run Justicia locally, every part on 127.0.0.1.

moto stands in for AWS, SoftHSM for the HSM, Tesseract is the OCR engine; the
API runs as ``chalice local`` does and every worker on a local event loop.

Everything listens on 127.0.0.1 and stops cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from devstack.env import apply_safe_defaults

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from devstack.provision import Provisioned

PROJECT_DIR = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("JUSTICIA_STATE_DIR", PROJECT_DIR / ".state"))


def start_moto(port: int) -> object:
    """Start moto's server on 127.0.0.1:``port`` in this process."""
    from moto.server import ThreadedMotoServer

    from devstack.fidelity import make_moto_faithful

    make_moto_faithful()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def configure_local_aws(moto_port: int) -> None:
    """Point every AWS client of this process (and its children) at moto."""
    os.environ["JUSTICIA_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    os.environ.setdefault("JUSTICIA_STAGE", "local")


def prepare(moto_port: int, seed_demo: bool = True) -> Provisioned:
    """Start the HSM token and provision moto; the environment is then updated."""
    from devstack.hsm import ensure_local_hsm

    configure_local_aws(moto_port)
    hsm = ensure_local_hsm(STATE_DIR)
    os.environ["JUSTICIA_HSM_MODULE"] = hsm.module
    from devstack.provision import provision

    provisioned = provision(hsm.pin, hsm.chain_pem, seed_demo=seed_demo)
    os.environ.update(provisioned.environment)
    return provisioned


def start_api(port: int, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start the API server as a child process."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.api",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=PROJECT_DIR,
        env=environment,
    )


def start_web_app(port: int, api_port: int) -> ThreadingHTTPServer | None:
    """Serve the built web app on ``port`` (``devstack.web``); None if not built."""
    from devstack.web import is_built, start_web

    if not is_built():
        print("The web app is not built: run `make web` first.", flush=True)
        return None
    return start_web(port, api_port, os.environ.get("JUSTICIA_AWS_ENDPOINT_URL"))


def ensure_free(port: int, variable: str) -> None:
    """Exit with a clear message when ``port`` on 127.0.0.1 is already taken."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"Port {port} on 127.0.0.1 is in use; stop what uses it or choose "
                f"another with {variable}=<port> make run"
            ) from None


def wait_for(url: str, api: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Wait until our API process answers ``url`` (any HTTP status), or raise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise SystemExit(f"the API process exited with status {api.returncode}")
        try:
            urllib.request.urlopen(url, timeout=20)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def banner(api_port: int, demo_cases: list[str], web_port: int | None = None) -> str:
    """What to tell the person who started the stack."""
    from chalicelib.config import get_settings
    from devstack.provision import DEMO_PROFILES, demo_password

    settings = get_settings()
    users = ", ".join(DEMO_PROFILES)
    return (
        f"\nJusticia is running.\n"
        f"  API            http://127.0.0.1:{api_port}  (try GET /health)\n"
        + (f"  Web app        http://127.0.0.1:{web_port}\n" if web_port else "")
        + f"  Demo logins    {users}; password {demo_password()!r}\n"
        f"  Local AWS      {settings.endpoint_url} (moto)\n"
        f"  Search node    {settings.search_url} (OpenSearch 2.19; GET /search)\n"
        f"  Bucket         {settings.documents_bucket}\n"
        f"  Scanner drops  incoming/<court>/<serial>-<code>-<year>/<file>\n"
        f"  Demo cases     (court, file number, id)\n"
        + "".join(f"                 {case}\n" for case in demo_cases)
        + "Press Ctrl-C to stop.\n"
    )


def main() -> None:
    """Start everything, then wait for Ctrl-C (SIGINT) or SIGTERM."""
    apply_safe_defaults()
    parser = argparse.ArgumentParser(description="Run the Justicia local system")
    parser.add_argument(
        "--api-port", type=int, default=int(os.environ.get("JUSTICIA_API_PORT", "8000"))
    )
    parser.add_argument(
        "--moto-port",
        type=int,
        default=int(os.environ.get("JUSTICIA_MOTO_PORT", "5100")),
    )
    parser.add_argument(
        "--web-port", type=int, default=int(os.environ.get("JUSTICIA_WEB_PORT", "8080"))
    )
    parser.add_argument(
        "--search-port",
        type=int,
        default=int(os.environ.get("JUSTICIA_SEARCH_PORT", "9200")),
    )
    arguments = parser.parse_args()

    ensure_free(arguments.api_port, "JUSTICIA_API_PORT")
    ensure_free(arguments.moto_port, "JUSTICIA_MOTO_PORT")
    ensure_free(arguments.search_port, "JUSTICIA_SEARCH_PORT")
    ensure_free(arguments.web_port, "JUSTICIA_WEB_PORT")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    from devstack.opensearch import ready_for_stack, start_for_stack

    search = start_for_stack(arguments.search_port, STATE_DIR / "search")
    moto = start_moto(arguments.moto_port)
    provisioned = prepare(arguments.moto_port)
    ready_for_stack(search)
    api = start_api(arguments.api_port, dict(os.environ))
    from devstack.events import start_event_loop

    threads = start_event_loop(stop)
    web: ThreadingHTTPServer | None = None
    try:
        wait_for(f"http://127.0.0.1:{arguments.api_port}/health", api)
        web = start_web_app(arguments.web_port, arguments.api_port)
        web_port = arguments.web_port if web else None
        print(banner(arguments.api_port, provisioned.demo_cases, web_port), flush=True)
        while not stop.is_set() and api.poll() is None:
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        api.terminate()
        api.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=10)
        moto.stop()  # type: ignore[attr-defined]
        search.stop()
        if web is not None:
            web.shutdown()
        print("Justicia stopped.", flush=True)
