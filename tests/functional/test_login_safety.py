"""Login safety: locks per username, a rate limit per address, password age.

The services take the time as ``now``, so a test moves the clock instead of
waiting 15 minutes; addresses come from the documentation ranges (RFC 5737),
one per test, so no test spends another's allowance.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import audit, logins
from chalicelib.audit import entries_for
from chalicelib.config import LoginPolicy, get_settings
from chalicelib.errors import AccountLocked, InvalidCredentials, TooManyRequests
from chalicelib.identity import Challenge, Tokens
from chalicelib.models import UserModel
from tests.functional import accounts
from tests.support import Api, Headers

Role = Callable[[str], Headers]
POLICY = LoginPolicy(ip_per_minute=10_000)
WRONG = "Wrong-Pass-2026!"


def actor_from(address: str, username: str = "-") -> audit.Actor:
    """Who signs in, as the audit sees them, from a documentation address."""
    return audit.Actor(username, "-", "test-request", address)


def attempt(
    username: str,
    password: str,
    now: datetime,
    address: str = "192.0.2.1",
    policy: LoginPolicy = POLICY,
) -> Tokens | Challenge | str:
    """Sign in through the service; the error code when it is refused."""
    try:
        return logins.log_in(username, password, actor_from(address), now, policy)
    except (AccountLocked, InvalidCredentials, TooManyRequests) as exc:
        return exc.code


def actions(target: str, action: str) -> list[dict[str, Any]]:
    return [e for e in entries_for(target) if e["action"] == action]


def test_five_failures_lock_the_username_for_the_lock_time(
    api: Api, as_role: Role
) -> None:
    user = accounts.account(api, as_role("admin"), "CLERK")
    start = datetime.now(UTC)
    codes = [
        attempt(user.username, WRONG, start + timedelta(seconds=i))
        for i in (1, 2, 3, 4, 5)
    ]
    assert codes == ["invalid_credentials"] * 4 + ["account_locked"]

    later = start + timedelta(minutes=14)
    assert attempt(user.username, user.password, later) == "account_locked"

    after = start + timedelta(seconds=5 + 900)
    assert isinstance(attempt(user.username, user.password, after), Tokens)

    [lock] = actions(f"user#{user.username}", "ACCOUNT_LOCKED")
    assert lock["actor"] == "system" and lock["outcome"] == "SUCCESS"
    assert lock["details"]["failures"] == 5
    outcomes = [e["outcome"] for e in actions(f"user#{user.username}", "LOGIN")]
    assert outcomes.count("FAILURE") == 5 and "REFUSED" in outcomes


def test_unknown_usernames_are_locked_alike(api: Api) -> None:
    ghost = accounts.unique("ghost")
    start = datetime.now(UTC)
    codes = [attempt(ghost, WRONG, start) for _ in range(6)]
    assert codes == ["invalid_credentials"] * 4 + ["account_locked"] * 2
    assert len(actions(f"user#{ghost}", "ACCOUNT_LOCKED")) == 1


def test_the_window_slides(api: Api) -> None:
    ghost = accounts.unique("ghost")
    start = datetime.now(UTC)
    for _ in range(4):
        assert attempt(ghost, WRONG, start) == "invalid_credentials"
    late = start + timedelta(seconds=900)
    assert attempt(ghost, WRONG, late) == "invalid_credentials", "first four expired"
    for seconds in (901, 902, 903):
        assert attempt(ghost, WRONG, start + timedelta(seconds=seconds)) == (
            "invalid_credentials"
        )
    assert attempt(ghost, WRONG, start + timedelta(seconds=904)) == "account_locked"


def test_a_success_resets_the_failures(api: Api, as_role: Role) -> None:
    user = accounts.account(api, as_role("admin"), "JUDGE")
    now = datetime.now(UTC)
    for _ in range(4):
        assert attempt(user.username, WRONG, now) == "invalid_credentials"
    assert isinstance(attempt(user.username, user.password, now), Tokens)
    for _ in range(4):
        assert attempt(user.username, WRONG, now) == "invalid_credentials"
    assert logins.read_guard(user.username).locked_until is None


def test_concurrent_failures_lock_once(api: Api) -> None:
    ghost = accounts.unique("ghost")
    now = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        locks = list(
            pool.map(lambda _: logins.record_failure(ghost, now, POLICY), range(16))
        )
    assert locks.count(True) == 1
    assert logins.read_guard(ghost).locked_at(now)


def test_concurrent_sign_ins_audit_one_lock(api: Api) -> None:
    ghost = accounts.unique("ghost")
    now = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda _: attempt(ghost, WRONG, now), range(12)))
    assert "account_locked" in codes
    assert len(actions(f"user#{ghost}", "ACCOUNT_LOCKED")) == 1
    assert attempt(ghost, WRONG, now) == "account_locked"


def test_the_lock_thresholds_are_configurable(api: Api) -> None:
    ghost = accounts.unique("ghost")
    strict = LoginPolicy(max_failures=2, lock_seconds=60, ip_per_minute=10_000)
    now = datetime.now(UTC)
    assert attempt(ghost, WRONG, now, policy=strict) == "invalid_credentials"
    assert attempt(ghost, WRONG, now, policy=strict) == "account_locked"
    after = now + timedelta(seconds=61)
    assert attempt(ghost, WRONG, after, policy=strict) == "invalid_credentials"


def test_addresses_are_limited_per_minute(api: Api) -> None:
    limited = LoginPolicy(ip_per_minute=3)
    minute = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    address = "198.51.100.7"
    codes = [
        attempt(accounts.unique("ghost"), WRONG, minute, address, limited)
        for _ in range(4)
    ]
    assert codes == ["invalid_credentials"] * 3 + ["too_many_requests"]
    next_minute = minute + timedelta(minutes=1)
    assert attempt("someone", WRONG, next_minute, address, limited) == (
        "invalid_credentials"
    )
    [refusal] = actions(f"ip#{address}", "LOGIN_RATE_LIMITED")
    assert refusal["outcome"] == "REFUSED"
    assert refusal["details"]["attempts"] == 4
    assert refusal["details"]["limit_per_minute"] == 3


def test_concurrent_attempts_from_one_address_respect_the_limit(api: Api) -> None:
    limited = LoginPolicy(ip_per_minute=4)
    minute = datetime(2031, 5, 6, 7, 9, tzinfo=UTC)
    actor = actor_from("198.51.100.8")

    def one(_: int) -> bool:
        try:
            logins.limit_attempts("someone", actor, minute, limited)
        except TooManyRequests:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(one, range(12)))
    assert allowed.count(True) == 4
    assert len(actions("ip#198.51.100.8", "LOGIN_RATE_LIMITED")) == 8


@pytest.fixture
def from_address(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Make Chalice's local gateway report another source address."""
    from chalice.local import LambdaEventConverter

    def use(address: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)

    return use


def login(api: Api, username: str, password: str) -> tuple[int, Any]:
    return api.call(
        "POST", "/auth/login", body={"username": username, "password": password}
    )


def test_locked_known_and_unknown_users_get_the_same_answer(
    api: Api, as_role: Role, from_address: Callable[[str], None]
) -> None:
    from_address("192.0.2.50")
    user = accounts.account(api, as_role("admin"), "LAWYER")
    ghost = accounts.unique("lawyer")
    answers = []
    for username in (user.username, ghost):
        for _ in range(5):
            login(api, username, WRONG)
        status, body = login(api, username, user.password)
        body["error"].pop("request_id")
        answers.append((status, body))
    assert answers[0] == answers[1]
    status, body = answers[0]
    assert status == 429 and body["error"]["code"] == "account_locked"
    assert body["error"]["messages"]["ar"] and body["error"]["messages"]["fr"]
    [record] = actions(f"user#{user.username}", "ACCOUNT_LOCKED")
    assert record["details"]["window_seconds"] == 900


@pytest.fixture
def no_attempts_allowed() -> Iterator[None]:
    """The API's settings with no attempt allowed per address, then restored."""
    name = "JUSTICIA_LOGIN_IP_PER_MINUTE"
    before = os.environ.get(name)
    os.environ[name] = "0"
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
        get_settings.cache_clear()


def test_the_api_answers_429_past_the_address_limit(
    api: Api, from_address: Callable[[str], None], no_attempts_allowed: None
) -> None:
    from_address("192.0.2.60")
    status, body = login(api, "clerk", WRONG)
    assert status == 429, body
    assert body["error"]["code"] == "too_many_requests"
    assert body["error"]["messages"]["ar"] and body["error"]["messages"]["fr"]
    [refusal] = actions("ip#192.0.2.60", "LOGIN_RATE_LIMITED")
    assert refusal["details"]["username"] == "clerk"


def age_password(username: str, days: int) -> None:
    """Pretend the user chose their password ``days`` ago."""
    changed_at = datetime.now(UTC) - timedelta(days=days)
    UserModel(username=username).update(
        actions=[UserModel.password_changed_at.set(changed_at)]
    )


def test_an_old_password_must_be_changed(api: Api, as_role: Role) -> None:
    user = accounts.account(api, as_role("admin"), "CITIZEN")
    age_password(user.username, 89)
    assert "id_token" in login(api, user.username, user.password)[1]

    age_password(user.username, 91)
    status, challenge = login(api, user.username, user.password)
    assert status == 200
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert "id_token" not in challenge
    status, again = login(api, user.username, user.password)
    assert again["challenge"] == "NEW_PASSWORD_REQUIRED", "no way around it"

    status, tokens = api.call(
        "POST",
        "/auth/password",
        body={
            "username": user.username,
            "session": again["session"],
            "new_password": "Fresh-Pass-2026!",
        },
    )
    assert status == 200 and "id_token" in tokens
    assert "id_token" in login(api, user.username, "Fresh-Pass-2026!")[1]
    [expiry, *_] = actions(f"user#{user.username}", "EXPIRE_PASSWORD")
    assert expiry["actor"] == "system"
    reasons = [
        e["details"].get("reason")
        for e in actions(f"user#{user.username}", "LOGIN")
        if e["outcome"] == "CHALLENGE"
    ]
    assert "password_expired" in reasons


def test_the_password_age_is_configurable(api: Api, as_role: Role) -> None:
    user = accounts.account(api, as_role("admin"), "JUDGE")
    short = LoginPolicy(password_max_age_days=1, ip_per_minute=10_000)
    in_two_days = datetime.now(UTC) + timedelta(days=2)
    outcome = attempt(user.username, user.password, in_two_days, policy=short)
    assert isinstance(outcome, Challenge)
