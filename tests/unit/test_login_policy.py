"""The sign-in policy read from the environment, and the lock's clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.config import LoginPolicy, get_settings
from chalicelib.logins import Guard


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings read again for the test, and again after it."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_are_the_documented_policy(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    for name in (
        "JUSTICIA_LOGIN_MAX_FAILURES",
        "JUSTICIA_LOGIN_WINDOW_SECONDS",
        "JUSTICIA_LOGIN_LOCK_SECONDS",
        "JUSTICIA_LOGIN_IP_PER_MINUTE",
        "JUSTICIA_PASSWORD_MAX_AGE_DAYS",
        "JUSTICIA_USER_IDLE_DAYS",
    ):
        monkeypatch.delenv(name, raising=False)
    assert get_settings().login == LoginPolicy(
        max_failures=5,
        window_seconds=900,
        lock_seconds=900,
        ip_per_minute=20,
        password_max_age_days=90,
        idle_days=90,
    )


def test_every_threshold_is_configurable(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("JUSTICIA_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("JUSTICIA_LOGIN_WINDOW_SECONDS", "600")
    monkeypatch.setenv("JUSTICIA_LOGIN_LOCK_SECONDS", "1800")
    monkeypatch.setenv("JUSTICIA_LOGIN_IP_PER_MINUTE", "50")
    monkeypatch.setenv("JUSTICIA_PASSWORD_MAX_AGE_DAYS", "60")
    monkeypatch.setenv("JUSTICIA_USER_IDLE_DAYS", "120")
    assert get_settings().login == LoginPolicy(3, 600, 1800, 50, 60, 120)


@pytest.mark.parametrize(
    ("locked_until", "seconds_later", "locked"),
    [(None, 0, False), (1000, 0, True), (1000, 999, True), (1000, 1000, False)],
)
def test_a_lock_ends_at_its_time(
    locked_until: int | None, seconds_later: int, locked: bool
) -> None:
    moment = datetime.fromtimestamp(0, UTC) + timedelta(seconds=seconds_later)
    assert Guard((), locked_until).locked_at(moment) is locked
