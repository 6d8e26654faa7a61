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
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from devstack.env import apply_safe_defaults

PROJECT_DIR = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("JUSTICIA_STATE_DIR", PROJECT_DIR / ".state"))


def start_moto(port: int) -> object:
    """Start moto's server on 127.0.0.1:``port`` in this process."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def configure_local_aws(moto_port: int) -> None:
    """Point every AWS client of this process (and its children) at moto."""
    os.environ["JUSTICIA_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    os.environ.setdefault("JUSTICIA_STAGE", "local")


def prepare(moto_port: int, seed_demo: bool = True) -> dict[str, str]:
    """Start moto, the HSM token and provision; return the processes' environment."""
    from devstack.hsm import ensure_local_hsm

    configure_local_aws(moto_port)
    hsm = ensure_local_hsm(STATE_DIR)
    os.environ["JUSTICIA_HSM_MODULE"] = hsm.module
    from devstack.provision import provision

    provisioned = provision(hsm.pin, hsm.chain_pem, seed_demo=seed_demo)
    os.environ.update(provisioned.environment)
    return {name: value for name, value in os.environ.items()}


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


def wait_for(url: str, seconds: float = 60) -> None:
    """Wait until ``url`` answers (any HTTP status), or raise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def banner(api_port: int) -> str:
    """What to tell the person who started the stack."""
    from chalicelib.config import get_settings
    from devstack.provision import DEMO_PROFILES, demo_password

    settings = get_settings()
    users = ", ".join(DEMO_PROFILES)
    return (
        f"\nJusticia is running.\n"
        f"  API            http://127.0.0.1:{api_port}  (try GET /health)\n"
        f"  Demo logins    {users}; password {demo_password()!r}\n"
        f"  Local AWS      {settings.endpoint_url} (moto)\n"
        f"  Bucket         {settings.documents_bucket}\n"
        f"  Scanner drops  s3://{settings.documents_bucket}/incoming/<court>/<serial>-<code>-<year>/<file>\n"
        f"Press Ctrl-C to stop.\n"
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
    arguments = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    moto = start_moto(arguments.moto_port)
    environment = prepare(arguments.moto_port)
    api = start_api(arguments.api_port, environment)
    from devstack.events import start_event_loop

    threads = start_event_loop(stop)
    try:
        wait_for(f"http://127.0.0.1:{arguments.api_port}/health")
        print(banner(arguments.api_port), flush=True)
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
        print("Justicia stopped.", flush=True)
