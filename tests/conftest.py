"""Test set-up shared by every suite.

The environment is made safe before anything imports boto3: dummy
credentials, a region, no metadata lookups, and the endpoint of the moto server
the ``stack`` fixture starts on 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


MOTO_PORT = _free_port()
STATE_DIR = Path(tempfile.mkdtemp(prefix="justicia-test-state-"))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_REGION": "eu-west-3",
        "AWS_EC2_METADATA_DISABLED": "true",
        "OMP_THREAD_LIMIT": "1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Justicia",
        "JUSTICIA_STAGE": "test",
        "JUSTICIA_AWS_ENDPOINT_URL": f"http://127.0.0.1:{MOTO_PORT}",
        "JUSTICIA_STATE_DIR": str(STATE_DIR),
    }
)

from tests.support import Api, Headers  # noqa: E402 - after the environment is safe

EVENTS_DIR = Path(__file__).parent / "events"


@pytest.fixture(scope="session")
def stack() -> Iterator[dict[str, str]]:
    """A provisioned local AWS (moto server) with a SoftHSM token, per session."""
    from moto.server import ThreadedMotoServer

    from devstack.api import emulate_api_gateway
    from devstack.fidelity import make_moto_faithful
    from devstack.run import prepare

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    make_moto_faithful()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=MOTO_PORT, verbose=False)
    server.start()
    try:
        provisioned = prepare(MOTO_PORT, seed_demo=False)
        emulate_api_gateway()
        yield provisioned.environment
    finally:
        server.stop()
        shutil.rmtree(STATE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def api(stack: dict[str, str]) -> Iterator[Api]:
    """The Chalice app behind its test client, on the session's stack."""
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture(scope="session")
def as_role(api: Api) -> Callable[[str], Headers]:
    """Headers of a signed-in demo user, by username (cached per session)."""
    cache: dict[str, Headers] = {}

    def headers(username: str) -> Headers:
        if username not in cache:
            cache[username] = api.login(username)
        return cache[username]

    return headers


@pytest.fixture(scope="session")
def search_node() -> Iterator[str]:
    """A real OpenSearch node on 127.0.0.1, once per session; yields its URL.

    The first run builds it with Maven (``search-node/``); the node's data
    lives in a temporary directory removed afterwards.
    """
    from devstack.opensearch import running_node

    home = Path(tempfile.mkdtemp(prefix="justicia-test-search-"))
    try:
        with running_node(home, _free_port(), _free_port()) as node:
            yield node.url
    finally:
        shutil.rmtree(home, ignore_errors=True)
