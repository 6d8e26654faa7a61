"""The maintenance job that deactivates users idle for the policy's days."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib import users
from chalicelib.audit import entries_for
from chalicelib.identity import login_status
from chalicelib.models import UserModel
from functions.maintenance.handler import JOBS, deactivate_idle_users
from tests.functional import accounts
from tests.support import Api, Headers

Role = Callable[[str], Headers]


def idle_for(username: str, days: int) -> None:
    """Pretend the user was last active ``days`` ago."""
    moment = datetime.now(UTC) - timedelta(days=days)
    UserModel(username=username).update(actions=[UserModel.last_active_at.set(moment)])


def deactivations(username: str) -> list[dict[str, Any]]:
    return [
        e for e in entries_for(f"user#{username}") if e["action"] == "DEACTIVATE_USER"
    ]


def test_users_idle_for_90_days_are_deactivated(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    idle = accounts.account(api, admin, "LAWYER")
    recent = accounts.account(api, admin, "LAWYER")
    idle_for(idle.username, 91)
    idle_for(recent.username, 89)

    result = JOBS["deactivate_idle_users"](datetime.now(UTC))

    assert result["deactivated"] >= 1
    assert users.get_user(idle.username).active is False
    assert login_status(idle.username)["enabled"] is False
    assert api.call("GET", "/me", idle.headers)[0] == 401
    [record] = deactivations(idle.username)
    assert record["actor"] == "system" and record["role"] == "SYSTEM"
    assert record["details"]["after"]["active"] is False
    assert users.get_user(recent.username).active is True
    assert deactivations(recent.username) == []
    assert idle.username not in users.idle_users(datetime.now(UTC))


def test_a_sign_in_or_a_reactivation_restarts_the_clock(
    api: Api, as_role: Role
) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CLERK")
    idle_for(user.username, 91)
    accounts.sign_in(api, user.username)
    assert user.username not in users.idle_users(datetime.now(UTC) - timedelta(days=90))

    idle_for(user.username, 91)
    deactivate_idle_users(datetime.now(UTC))
    assert users.get_user(user.username).active is False
    assert api.call("POST", f"/users/{user.username}/reactivate", admin)[0] == 200
    deactivate_idle_users(datetime.now(UTC))
    assert users.get_user(user.username).active is True


@pytest.fixture
def sole_idle_admin(api: Api, as_role: Role) -> Iterator[accounts.Account]:
    """A new, idle admin left as the only active one; the others restored after."""
    solo = accounts.account(api, as_role("admin"), "ADMIN")
    idle_for(solo.username, 200)
    with accounts.only_active_admin(solo.username):
        yield solo


def test_the_last_active_admin_is_never_deactivated(
    api: Api, sole_idle_admin: accounts.Account
) -> None:
    result = deactivate_idle_users(datetime.now(UTC))
    assert result["kept"] >= 1
    assert users.get_user(sole_idle_admin.username).active is True
    assert deactivations(sole_idle_admin.username) == []
