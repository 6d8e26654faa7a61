"""The local OpenSearch node: built from Maven Central, started on 127.0.0.1.

No OpenSearch distribution comes from the package registries, so
``search-node/`` assembles one: Maven fetches the 2.19 server and its modules
(Netty transport, common analysis, Painless) into ``~/.m2`` the first time,
and a small launcher starts them as one node. Later starts reuse the jars.

    python -m devstack.opensearch --port 9200 --home .state/search

runs a node until Ctrl-C. ``JUSTICIA_SEARCH_HEAP`` sets its heap (``512m``).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
NODE_DIR = PROJECT_DIR / "search-node"
JAR = NODE_DIR / "target" / "search-node-1.0.0.jar"
LIBRARIES = NODE_DIR / "target" / "lib"
MAIN_CLASS = "ma.justicia.searchnode.SearchNode"
SOURCES = (NODE_DIR / "pom.xml", *sorted((NODE_DIR / "src").rglob("*.*")))
START_SECONDS = 120
STOP_SECONDS = 30


class SearchNodeFailed(RuntimeError):
    """The node could not be built or did not come up."""


def java() -> str:
    """The ``java`` of ``JAVA_HOME``, else the one on the PATH."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not found or not Path(found).exists():
        raise SearchNodeFailed("Java 17 is needed for the search node (java)")
    return found


def is_built() -> bool:
    """True when the launcher jar is newer than every source of it."""
    if not JAR.exists() or not LIBRARIES.is_dir():
        return False
    built = JAR.stat().st_mtime
    return all(source.stat().st_mtime <= built for source in SOURCES)


def build() -> None:
    """Build the launcher and copy its jars with Maven (quiet, batch mode)."""
    maven = shutil.which("mvn")
    if maven is None:
        raise SearchNodeFailed("Maven is needed to build the search node (mvn)")
    result = subprocess.run(
        [
            maven,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(NODE_DIR / "pom.xml"),
            "package",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SearchNodeFailed(f"mvn package failed:\n{result.stdout}{result.stderr}")


def ensure_built() -> None:
    """Build the node unless an up-to-date build is there."""
    if not is_built():
        build()


@dataclass
class SearchNode:
    """A running node: its process, port and home directory."""

    process: subprocess.Popen[bytes]
    port: int
    home: Path

    @property
    def url(self) -> str:
        """Where its REST API answers."""
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> str | None:
        """The cluster's status (``green``, ``yellow``, ``red``), or ``None``."""
        try:
            with urllib.request.urlopen(  # noqa: S310 - our own local node
                f"{self.url}/_cluster/health", timeout=2
            ) as answer:
                return str(json.load(answer)["status"])
        except (OSError, ValueError, KeyError):
            return None

    def wait_until_ready(self, seconds: float = START_SECONDS) -> None:
        """Wait for a green or yellow cluster; raise if the node died or hung."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SearchNodeFailed(
                    f"the search node exited ({self.process.returncode}); "
                    f"see {self.home / 'node.log'}"
                )
            if self.health() in ("green", "yellow"):
                return
            time.sleep(0.25)
        self.stop()
        raise SearchNodeFailed(f"the search node was not ready in {seconds} s")

    def stop(self) -> None:
        """Ask the node to close (SIGTERM), and kill it if it will not."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        if self.process.stdin is not None:
            self.process.stdin.close()


def start_node(home: Path, port: int, transport_port: int | None = None) -> SearchNode:
    """Build if needed and start a node on 127.0.0.1:``port`` (not yet ready).

    Data and the node's log (``node.log``) live under ``home``.
    """
    ensure_built()
    home.mkdir(parents=True, exist_ok=True)
    heap = os.environ.get("JUSTICIA_SEARCH_HEAP", "512m")
    command = [
        java(),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Dlog4j2.disable.jmx=true",
        "-cp",
        f"{JAR}{os.pathsep}{LIBRARIES}/*",
        MAIN_CLASS,
        str(home),
        str(port),
        str(transport_port or port + 100),
    ]
    with (home / "node.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,  # the node exits when this process is gone
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return SearchNode(process, port, home)


@contextmanager
def running_node(
    home: Path, port: int, transport_port: int | None = None
) -> Iterator[SearchNode]:
    """A ready node for the ``with`` block, stopped at its end."""
    node = start_node(home, port, transport_port)
    try:
        node.wait_until_ready()
        yield node
    finally:
        node.stop()


def main() -> None:
    """Run a node in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Run the local search node")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--home", type=Path, default=PROJECT_DIR / ".state" / "search")
    arguments = parser.parse_args()
    with running_node(arguments.home, arguments.port) as node:
        print(f"search node ready at {node.url}; Ctrl-C stops it", flush=True)
        with suppress(KeyboardInterrupt):
            node.process.wait()


if __name__ == "__main__":
    main()


def start_for_stack(port: int, home: Path) -> SearchNode:
    """Start the stack's node and point this process (and children) at it.

    The node starts while moto is provisioned; call ``ready_for_stack`` next.
    Its data starts empty, as moto's does, and it stops when this process
    exits (even on an error before the caller's own clean-up).
    """
    shutil.rmtree(home / "data", ignore_errors=True)
    os.environ["JUSTICIA_SEARCH_URL"] = f"http://127.0.0.1:{port}"
    os.environ["JUSTICIA_SEARCH_REPLICAS"] = "0"
    from chalicelib.config import get_settings
    from chalicelib.search.client import reset_search_client

    get_settings.cache_clear()
    reset_search_client()
    node = start_node(home, port, transport_port=port + 100)
    atexit.register(node.stop)
    return node


def ready_for_stack(node: SearchNode) -> None:
    """Wait for the node, then create the indices behind their aliases."""
    from chalicelib.search.client import search_client
    from chalicelib.search.indices import ensure_indices

    node.wait_until_ready()
    ensure_indices(search_client())
