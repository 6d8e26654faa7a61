"""User administration through the API: every change audited, admins kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib.audit import entries_for
from chalicelib.models import UserModel
from tests.functional import accounts
from tests.support import Api, Headers

Role = Callable[[str], Headers]


def trail(username: str, action: str) -> list[dict[str, Any]]:
    return [e for e in entries_for(f"user#{username}") if e["action"] == action]


def test_create_show_and_list(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    status, created = api.call(
        "POST",
        "/users",
        admin,
        {
            "username": accounts.unique("Greffier"),
            "full_name": "Karim Katib",
            "email": "karim@example.ma",
            "role": "CLERK",
            "courts": ["TPI-RABAT", "TC-CASABLANCA"],
        },
    )
    assert status == 201, created
    user, password = created["user"], created["temporary_password"]
    assert user["username"].startswith("greffier-"), "usernames are lower case"
    assert len(password) >= 12
    assert user["courts"] == ["TPI-RABAT", "TC-CASABLANCA"] and user["active"]

    status, shown = api.call("GET", f"/users/{user['username']}", admin)
    assert status == 200
    assert shown["email"] == "karim@example.ma"
    assert shown["login"] == {"status": "FORCE_CHANGE_PASSWORD", "enabled": True}
    assert "temporary_password" not in shown

    status, listed = api.call(
        "GET", "/users?role=CLERK&court=TC-CASABLANCA&q=karim", admin
    )
    assert status == 200
    assert [u["username"] for u in listed["users"]] == [user["username"]]
    assert "national_id" not in listed["users"][0]

    [record] = trail(user["username"], "CREATE_USER")
    assert record["actor"] == "admin"
    assert record["details"]["after"]["role"] == "CLERK"
    assert password not in str(record)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "JUDGE", "courts": None}, "courts"),
        ({"role": "CLERK", "courts": ["TPI-NOWHERE"]}, "courts"),
        ({"role": "CITIZEN", "courts": None, "national_id": "123"}, "national_id"),
        ({"role": "ADMIN", "courts": ["TPI-RABAT"]}, "courts"),
        ({"username": "a b"}, "username"),
        ({"role": "OWNER"}, "role"),
        ({"password": "Chosen-1234!"}, "password"),
    ],
)
def test_bad_user_is_refused(
    api: Api, as_role: Role, changes: dict[str, Any], field: str
) -> None:
    body = {
        "username": accounts.unique("bad"),
        "full_name": "X",
        "role": "CLERK",
        "courts": ["TPI-RABAT"],
        **changes,
    }
    body = {k: v for k, v in body.items() if v is not None}
    status, answer = api.call("POST", "/users", as_role("admin"), body)
    assert status == 400, answer
    assert answer["error"]["details"][0]["field"] == field


def test_a_taken_username_is_a_conflict(api: Api, as_role: Role) -> None:
    status, body = api.call(
        "POST",
        "/users",
        as_role("admin"),
        {"username": "Clerk", "full_name": "X", "role": "ADMIN"},
    )
    assert status == 409
    assert body["error"]["code"] == "user_exists"


def test_reset_password_forces_a_new_one(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "LAWYER")
    status, reset = api.call("POST", f"/users/{user.username}/password-reset", admin)
    assert status == 200
    status, _ = api.call(
        "POST",
        "/auth/login",
        body={"username": user.username, "password": user.password},
    )
    assert status == 401, "the old password is gone"
    assert api.call("GET", "/me", user.headers)[0] == 401, "sessions ended"
    accounts.first_sign_in(api, user.username, reset["temporary_password"])
    [record] = trail(user.username, "RESET_PASSWORD")
    assert record["actor"] == "admin"


def test_change_role_is_audited_before_and_after(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CITIZEN")
    status, changed = api.call(
        "PUT",
        f"/users/{user.username}/role",
        admin,
        {"role": "LAWYER", "bar": "Fès", "roll_number": "77"},
    )
    assert status == 200, changed
    assert changed["role"] == "LAWYER" and changed["national_id"] is None
    [record] = trail(user.username, "CHANGE_ROLE")
    assert record["details"]["before"]["role"] == "CITIZEN"
    assert record["details"]["before"]["national_id"] == "set", "no CIN in audit"
    assert record["details"]["after"] == {
        "role": "LAWYER",
        "courts": [],
        "bar": "Fès",
        "roll_number": "77",
        "active": True,
        "national_id": None,
    }


def test_deactivate_and_reactivate_are_audited(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "JUDGE")
    path = f"/users/{user.username}"
    assert api.call("POST", f"{path}/deactivate", admin)[1]["active"] is False
    status, body = api.call("POST", f"{path}/deactivate", admin)
    assert status == 409 and body["error"]["code"] == "conflict"
    assert api.call("GET", path, admin)[1]["login"]["enabled"] is False
    assert api.call("POST", f"{path}/reactivate", admin)[1]["active"] is True
    assert api.call("POST", f"{path}/reactivate", admin)[0] == 409
    [off] = trail(user.username, "DEACTIVATE_USER")
    [on] = trail(user.username, "REACTIVATE_USER")
    assert off["details"]["before"]["active"] is True
    assert off["details"]["after"]["active"] is False
    assert on["details"]["after"]["active"] is True


@pytest.mark.parametrize(
    "path", ["/users/nobody-here", "/users/nobody-here/deactivate"]
)
def test_unknown_user_is_404(api: Api, as_role: Role, path: str) -> None:
    method = "GET" if path.count("/") == 2 else "POST"
    assert api.call(method, path, as_role("admin"))[0] == 404


@pytest.fixture
def sole_admin(api: Api, as_role: Role) -> Iterator[accounts.Account]:
    """A new admin left as the only active one; the others are restored after."""
    solo = accounts.account(api, as_role("admin"), "ADMIN")
    with accounts.only_active_admin(solo.username):
        yield solo


def test_the_last_active_admin_stays(api: Api, sole_admin: accounts.Account) -> None:
    path = f"/users/{sole_admin.username}"
    for method, suffix, body in (
        ("PUT", "/role", {"role": "CLERK", "courts": ["TPI-RABAT"]}),
        ("POST", "/deactivate", None),
    ):
        status, answer = api.call(method, path + suffix, sole_admin.headers, body)
        assert status == 409, answer
        assert answer["error"]["code"] == "last_admin"
    assert api.call("GET", path, sole_admin.headers)[1]["role"] == "ADMIN"


def test_an_admin_may_step_down_while_another_remains(api: Api, as_role: Role) -> None:
    other = accounts.account(api, as_role("admin"), "ADMIN")
    status, body = api.call(
        "PUT",
        f"/users/{other.username}/role",
        other.headers,
        {"role": "CITIZEN", "national_id": "CD654321"},
    )
    assert status == 200, body
    assert api.call("GET", "/users", other.headers)[0] == 401, "its token is gone"


def test_the_admin_check_holds_inside_the_transaction(api: Api, as_role: Role) -> None:
    """Two admins demoting each other at once: the write re-checks the other."""
    from datetime import UTC, datetime

    from chalicelib import audit, users
    from chalicelib.errors import LastActiveAdmin

    target = accounts.account(api, as_role("admin"), "ADMIN")
    profile = users.get_user(target.username)
    entry = audit.AuditEntry(action="CHANGE_ROLE", target=f"user#{target.username}")
    with pytest.raises(LastActiveAdmin):
        users._commit(  # "clerk" stands for an admin demoted a moment ago
            profile,
            entry,
            audit.SYSTEM,
            datetime.now(UTC),
            UserModel.username.exists(),
            other_admin="clerk",
        )
    assert trail(target.username, "CHANGE_ROLE") == []


def test_a_national_id_belongs_to_one_citizen(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    status, body = api.call(
        "POST",
        "/users",
        admin,
        {
            "username": f"twin-{uuid.uuid4().hex[:6]}",
            "full_name": "Jumeau",
            "role": "CITIZEN",
            "national_id": "AB123456",  # the demo citizen's
        },
    )
    assert status == 409, body
    lawyer = accounts.account(api, admin, "LAWYER")
    status, body = api.call(
        "PUT",
        f"/users/{lawyer.username}/role",
        admin,
        {"role": "CITIZEN", "national_id": "ab123456"},
    )
    assert status == 409, body
