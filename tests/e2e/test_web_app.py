"""The court web app in a real browser, against the whole local system.

Starts ``python -m devstack`` on free ports (API, moto, search node, web app)
with its own state folder, waits until the web app answers, runs the
Playwright suite of ``web/e2e`` in Debian's Chromium (headless, no browser
download), then stops the system. Screenshots of the main screens in both
languages land in ``web/screenshots/`` (git-ignored).

``make test`` (or ``make e2e``) installs Chromium and builds the app first.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.samples import SAMPLES_DIR

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
CHROMIUM = Path(os.environ.get("JUSTICIA_CHROMIUM", "/usr/bin/chromium"))
START_SECONDS = 240
SUITE_SECONDS = 420


def free_port(also_free_above: int = 0) -> int:
    """A free port on 127.0.0.1; with ``also_free_above``, port + it is free too.

    The search node takes its transport port 100 above its HTTP port.
    """
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if not also_free_above or _is_free(port + also_free_above):
            return port


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return port < 65536


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the stack stops cleanly), then kill its process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the local system on free ports; yield the web app's address."""
    if not (WEB / "dist" / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web`")
    ports = {
        "JUSTICIA_API_PORT": free_port(),
        "JUSTICIA_MOTO_PORT": free_port(),
        "JUSTICIA_WEB_PORT": free_port(),
        "JUSTICIA_SEARCH_PORT": free_port(also_free_above=100),
    }
    environment = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "JUSTICIA_STATE_DIR": str(REPO / ".state" / "e2e"),
        "JUSTICIA_STAGE": "local",
        # Every browser sign-in comes from 127.0.0.1: lift the per-address limit.
        "JUSTICIA_LOGIN_IP_PER_MINUTE": "1000",
    }
    # The test session points every AWS client at its own moto: not this stack's.
    environment.pop("JUSTICIA_AWS_ENDPOINT_URL", None)
    environment.pop("JUSTICIA_SEARCH_URL", None)
    log = tmp_path_factory.mktemp("stack") / "stack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{ports['JUSTICIA_WEB_PORT']}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(f"{url}/config.json"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                pytest.fail(f"the local system did not start:\n{tail}")
            time.sleep(1)
        yield url
    finally:
        _stop(process)


def test_web_app_in_chromium(web_url: str) -> None:
    """Every Playwright spec passes: roles, a clerk's upload, RTL, accessibility."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make system-deps` installs it"
    npx = shutil.which("npx")
    assert npx, "Node.js (npx) is needed for the browser tests"
    environment = {
        **os.environ,
        "JUSTICIA_WEB_URL": web_url,
        "JUSTICIA_SAMPLES_DIR": str(SAMPLES_DIR),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
        "CI": "1",
    }
    result = subprocess.run(
        [npx, "--no-install", "playwright", "test"],
        cwd=WEB,
        env=environment,
        capture_output=True,
        text=True,
        timeout=SUITE_SECONDS,
        check=False,
    )
    report = (result.stdout + result.stderr)[-8000:]
    print(report)
    assert result.returncode == 0, report
