"""Users made for a test through the admin API, signed in past their first
password, so no test ever signs out or changes a shared demo user."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support import Api, Headers

CHOSEN_PASSWORD = "Chosen-Pass-2026!"
ROLE_FIELDS: dict[str, dict[str, Any]] = {
    "ADMIN": {},
    "JUDGE": {"courts": ["TPI-RABAT"]},
    "CLERK": {"courts": ["TPI-RABAT"]},
    "LAWYER": {"bar": "Rabat", "roll_number": "1234"},
    "CITIZEN": {},  # a national ID of its own, see create()
}


@dataclass
class Account:
    """A test user: name, current password, and the latest sign-in's tokens."""

    username: str
    password: str
    tokens: dict[str, Any]

    @property
    def headers(self) -> Headers:
        """The bearer header of the ID token."""
        return {"authorization": f"Bearer {self.tokens['id_token']}"}


def unique(prefix: str) -> str:
    """A fresh username, e.g. ``clerk-3f2a9c1b``."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create(api: Api, admin: Headers, role: str, **fields: Any) -> dict[str, Any]:
    """Create a user through the API; return the 201 body (with the password)."""
    body = {
        "username": unique(role.lower()),
        "full_name": "Test User",
        "role": role,
        **ROLE_FIELDS[role],
        **fields,
    }
    if role == "CITIZEN":
        # A CIN names one person: each test citizen has one of its own.
        body.setdefault("national_id", f"ZT{uuid.uuid4().int % 10**6:06d}")
    status, answer = api.call("POST", "/users", admin, body)
    assert status == 201, answer
    return dict(answer)


def first_sign_in(api: Api, username: str, temporary: str) -> dict[str, Any]:
    """Sign in with the temporary password and answer the challenge."""
    status, challenge = api.call(
        "POST", "/auth/login", body={"username": username, "password": temporary}
    )
    assert status == 200 and challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    status, tokens = api.call(
        "POST",
        "/auth/password",
        body={
            "username": username,
            "session": challenge["session"],
            "new_password": CHOSEN_PASSWORD,
        },
    )
    assert status == 200, tokens
    return dict(tokens)


def account(api: Api, admin: Headers, role: str, **fields: Any) -> Account:
    """A new user of ``role``, signed in with their chosen password."""
    created = create(api, admin, role, **fields)
    username = created["user"]["username"]
    tokens = first_sign_in(api, username, created["temporary_password"])
    return Account(username, CHOSEN_PASSWORD, tokens)


def sign_in(api: Api, username: str, password: str = CHOSEN_PASSWORD) -> Account:
    """Sign in again (a new set of tokens)."""
    status, tokens = api.call(
        "POST", "/auth/login", body={"username": username, "password": password}
    )
    assert status == 200 and "id_token" in tokens, tokens
    return Account(username, password, dict(tokens))


@contextmanager
def only_active_admin(username: str) -> Iterator[None]:
    """Leave ``username`` the only active admin; restore the others after.

    The others are set inactive in the table directly, not through the service,
    so their sessions (the shared demo admin's) survive the test.
    """
    from chalicelib.identity import forget_standing
    from chalicelib.models import UserModel

    others = [
        row
        for row in UserModel.scan()
        if row.role == "ADMIN" and row.active and row.username != username
    ]
    try:
        for row in others:
            row.update(actions=[UserModel.active.set(False)])
        yield
    finally:
        for row in others:
            row.update(actions=[UserModel.active.set(True)])
            forget_standing(row.username)
