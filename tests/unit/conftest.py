"""Unit tests open no sockets: any attempt to connect fails the test."""

from __future__ import annotations

import socket
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every outgoing connection for the duration of a unit test."""

    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"unit tests may not connect (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
