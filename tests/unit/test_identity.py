"""A verified token still needs a user in good standing; temporary passwords."""

from __future__ import annotations

import re

import pytest

from chalicelib import identity
from chalicelib.identity import Caller, Standing, refusal
from chalicelib.schemas import CreateUserRequest, SetRoleRequest
from chalicelib.users import temporary_password

CLERK = Caller("clerk", "CLERK", "id", issued_at=1_000)


@pytest.mark.parametrize(
    ("standing", "reason"),
    [
        (Standing("CLERK", True), None),
        (Standing("CLERK", True, signed_out_at=999), None),
        (None, "no profile"),
        (Standing("CLERK", False), "user deactivated"),
        (Standing("ADMIN", True), "role changed"),
        (Standing("CLERK", True, signed_out_at=1_000), "signed out"),
        (Standing("CLERK", True, signed_out_at=1_200), "signed out"),
    ],
)
def test_standing_decides(standing: Standing | None, reason: str | None) -> None:
    assert refusal(CLERK, standing) == reason


def test_standing_is_read_again_after_a_few_seconds() -> None:
    reads: list[str] = []

    def read(username: str) -> Standing:
        reads.append(username)
        return Standing("CLERK", True)

    identity.forget_standing("clerk")
    now = [100.0]
    for moment in (100.0, 101.0, 104.9, 105.1):
        now[0] = moment
        identity.standing_of("clerk", clock=lambda: now[0], read=read)
    assert reads == ["clerk", "clerk"]
    identity.forget_standing("clerk")
    identity.standing_of("clerk", clock=lambda: now[0], read=read)
    assert len(reads) == 3
    identity.forget_standing("clerk")


def test_temporary_passwords_meet_the_policy() -> None:
    passwords = {temporary_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) >= 12
        for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[-_.+=@]"):
            assert re.search(pattern, password)


@pytest.mark.parametrize(
    "grant",
    [
        {"role": "JUDGE", "courts": ["TPI-RABAT"]},
        {"role": "LAWYER", "bar": "Rabat", "roll_number": "12"},
        {"role": "CITIZEN", "national_id": "ab123"},
        {"role": "ADMIN"},
    ],
)
def test_each_role_carries_its_own_fields(grant: dict[str, object]) -> None:
    assert SetRoleRequest.model_validate(grant).role == grant["role"]


@pytest.mark.parametrize(
    "grant",
    [
        {"role": "JUDGE"},
        {"role": "CLERK", "courts": []},
        {"role": "LAWYER", "bar": "Rabat"},
        {"role": "CITIZEN"},
        {"role": "ADMIN", "national_id": "AB1"},
        {"role": "CLERK", "courts": ["TPI-RABAT"], "bar": "Rabat"},
    ],
)
def test_a_role_with_missing_or_foreign_fields_is_refused(
    grant: dict[str, object],
) -> None:
    with pytest.raises(ValueError):
        SetRoleRequest.model_validate(grant)


def test_usernames_are_lower_case() -> None:
    request = CreateUserRequest.model_validate(
        {"username": " Karim.K ", "full_name": "K", "role": "ADMIN"}
    )
    assert request.username == "karim.k"
