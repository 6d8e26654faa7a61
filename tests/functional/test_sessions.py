"""First password, refresh, sign-out, and tokens of users who lost their standing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.audit import entries_for
from tests.functional import accounts
from tests.support import Api, Headers

Role = Callable[[str], Headers]


def actions_of(username: str) -> list[tuple[str, str]]:
    return [(e["action"], e["outcome"]) for e in entries_for(f"user#{username}")]


def test_temporary_password_must_be_replaced(api: Api, as_role: Role) -> None:
    created = accounts.create(api, as_role("admin"), "CLERK")
    username, temporary = created["user"]["username"], created["temporary_password"]
    status, challenge = api.call(
        "POST", "/auth/login", body={"username": username, "password": temporary}
    )
    assert status == 200
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert "id_token" not in challenge

    answer = {"username": username, "session": challenge["session"]}
    status, body = api.call(
        "POST", "/auth/password", body={**answer, "new_password": "short"}
    )
    assert status == 400
    assert body["error"]["code"] == "password_rejected"
    assert body["error"]["messages"]["ar"] and body["error"]["messages"]["fr"]

    status, tokens = api.call(
        "POST", "/auth/password", body={**answer, "new_password": "Chosen-Pass-2026!"}
    )
    assert status == 200, tokens
    status, me = api.call(
        "GET", "/me", {"authorization": f"Bearer {tokens['id_token']}"}
    )
    assert status == 200 and me["role"] == "CLERK"

    accounts.sign_in(api, username)  # the chosen password now signs in directly
    trail = actions_of(username)
    assert ("LOGIN", "CHALLENGE") in trail
    assert ("CHANGE_PASSWORD", "FAILURE") in trail
    assert ("CHANGE_PASSWORD", "SUCCESS") in trail


def test_a_used_or_made_up_session_is_refused(api: Api) -> None:
    answer = {"username": "clerk", "new_password": "Xx-1234567890"}
    status, body = api.call(
        "POST", "/auth/password", body={**answer, "session": "m" * 40}
    )
    assert status == 401
    assert body["error"]["code"] == "session_expired"
    status, body = api.call("POST", "/auth/password", body={**answer, "session": "m"})
    assert status == 400
    assert body["error"]["details"][0]["field"] == "session"


def test_refresh_gives_working_tokens(api: Api, as_role: Role) -> None:
    user = accounts.account(api, as_role("admin"), "JUDGE")
    status, fresh = api.call(
        "POST",
        "/auth/refresh",
        body={"refresh_token": user.tokens["refresh_token"]},
    )
    assert status == 200, fresh
    assert "refresh_token" not in fresh
    status, me = api.call(
        "GET", "/me", {"authorization": f"Bearer {fresh['access_token']}"}
    )
    assert status == 200 and me["username"] == user.username

    status, _ = api.call(
        "POST", "/auth/refresh", body={"refresh_token": "not-a-refresh-token"}
    )
    assert status == 401


def test_logout_ends_every_session(api: Api, as_role: Role) -> None:
    user = accounts.account(api, as_role("admin"), "LAWYER")
    other_device = accounts.sign_in(api, user.username)

    status, body = api.call("POST", "/auth/logout", user.headers)
    assert status == 200 and body == {"signed_out": True}

    for tokens in (user.tokens, other_device.tokens):
        for kind in ("id_token", "access_token"):
            status, _ = api.call(
                "GET", "/me", {"authorization": f"Bearer {tokens[kind]}"}
            )
            assert status == 401, kind
        status, _ = api.call(
            "POST", "/auth/refresh", body={"refresh_token": tokens["refresh_token"]}
        )
        assert status == 401
    assert ("LOGOUT", "SUCCESS") in actions_of(user.username)

    time.sleep(1.1)  # token times are whole seconds
    again = accounts.sign_in(api, user.username)
    assert api.call("GET", "/me", again.headers)[0] == 200


def test_deactivated_user_is_refused_before_the_token_expires(
    api: Api, as_role: Role
) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CITIZEN")
    assert api.call("GET", "/me", user.headers)[0] == 200

    status, _ = api.call("POST", f"/users/{user.username}/deactivate", admin)
    assert status == 200
    assert api.call("GET", "/me", user.headers)[0] == 401
    status, body = api.call(
        "POST",
        "/auth/login",
        body={"username": user.username, "password": user.password},
    )
    assert status == 401 and body["error"]["code"] == "invalid_credentials"

    status, _ = api.call("POST", f"/users/{user.username}/reactivate", admin)
    assert status == 200
    assert api.call("GET", "/me", user.headers)[0] == 401, "old tokens stay dead"
    time.sleep(1.1)
    again = accounts.sign_in(api, user.username)
    assert api.call("GET", "/me", again.headers)[0] == 200


def test_a_changed_role_refuses_the_old_token(api: Api, as_role: Role) -> None:
    admin = as_role("admin")
    user = accounts.account(api, admin, "CLERK")
    status, _ = api.call(
        "PUT",
        f"/users/{user.username}/role",
        admin,
        {"role": "JUDGE", "courts": ["TPI-SALE"]},
    )
    assert status == 200
    assert api.call("GET", "/courts", user.headers)[0] == 401
    time.sleep(1.1)
    again = accounts.sign_in(api, user.username)
    status, me = api.call("GET", "/me", again.headers)
    assert status == 200
    assert me["role"] == "JUDGE" and me["courts"] == ["TPI-SALE"]


def test_a_token_of_a_user_without_profile_is_refused(api: Api) -> None:
    from tests.functional.test_auth import forge, good_claims

    claims: dict[str, Any] = good_claims(**{"cognito:username": "ghost"})
    status, _ = api.call("GET", "/me", {"authorization": f"Bearer {forge(claims)}"})
    assert status == 401
