"""Every route x every role, and no token at all: the status each one gets.

A role outside the route's action gets 403 before its body is read; no token
gets 401 on every route but the public ones; an allowed role gets the answer
of the table below, made of requests that change nothing (an empty body, an
unknown case, an unknown user). A route missing from the table fails the
test, so every new route must say what it answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.access import ALL_ROLES, PERMISSIONS
from chalicelib.http import ROUTE_ACTIONS
from tests.functional import accounts
from tests.support import Api, Headers

NOBODY = "nobody-here"
EMPTY: dict[str, Any] = {}

# What an allowed caller gets: (status, body sent).
ALLOWED: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/health"): (200, None),
    ("POST", "/auth/login"): (400, EMPTY),
    ("POST", "/auth/password"): (400, EMPTY),
    ("POST", "/auth/refresh"): (400, EMPTY),
    ("POST", "/auth/logout"): (200, None),
    ("GET", "/me"): (200, None),
    ("GET", "/courts"): (200, None),
    ("POST", "/cases"): (400, EMPTY),
    ("GET", "/cases"): (400, None),  # no court given
    ("GET", "/cases/{case_id}"): (404, None),
    ("POST", "/cases/{case_id}/documents"): (400, EMPTY),
    ("GET", "/cases/{case_id}/documents"): (404, None),
    ("GET", "/cases/{case_id}/documents/{document_id}"): (404, None),
    ("GET", "/cases/{case_id}/documents/{document_id}/verification"): (404, None),
    ("GET", "/cases/{case_id}/audit"): (404, None),
    ("PATCH", "/cases/{case_id}"): (400, EMPTY),
    ("POST", "/cases/{case_id}/status"): (400, EMPTY),
    ("POST", "/cases/{case_id}/assignment"): (400, EMPTY),
    ("POST", "/cases/{case_id}/parties"): (400, EMPTY),
    ("DELETE", "/cases/{case_id}/parties/{party_id}"): (404, None),
    ("GET", "/cases/{case_id}/timeline"): (404, None),
    ("POST", "/cases/{case_id}/timeline"): (400, EMPTY),
    ("GET", "/cases/{case_id}/hearings"): (404, None),
    ("POST", "/cases/{case_id}/hearings"): (400, EMPTY),
    ("POST", "/cases/{case_id}/hearings/{hearing_id}/postponement"): (400, EMPTY),
    ("POST", "/cases/{case_id}/hearings/{hearing_id}/outcome"): (400, EMPTY),
    ("GET", "/courts/{court_code}/hearings"): (400, None),  # no date given
    ("GET", "/courts/{court_code}/judges"): (200, None),
    ("GET", "/cases/{case_id}/judgments"): (404, None),
    ("POST", "/cases/{case_id}/judgments"): (400, EMPTY),
    ("GET", "/cases/{case_id}/links"): (404, None),
    ("POST", "/cases/{case_id}/links"): (400, EMPTY),
    ("GET", "/my/cases"): (200, None),
    ("GET", "/statistics"): (400, None),  # no court given
    ("GET", "/public/cases"): (400, None),  # no file number given
    ("GET", "/public/hearings"): (400, None),  # no date given
    ("GET", "/public/courts"): (200, None),
    ("GET", "/cases/{case_id}/documents/{document_id}/content"): (404, None),
    ("POST", "/users"): (400, EMPTY),
    ("GET", "/users"): (200, None),
    ("GET", "/users/{username}"): (404, None),
    ("POST", "/users/{username}/password-reset"): (404, None),
    ("PUT", "/users/{username}/role"): (400, EMPTY),
    ("POST", "/users/{username}/deactivate"): (404, None),
    ("POST", "/users/{username}/reactivate"): (404, None),
    ("GET", "/audit/security"): (200, None),
    ("GET", "/reports/failed-logins"): (200, None),
    ("GET", "/reports/permission-changes"): (200, None),
    ("GET", "/public/verification/{sha256}"): (404, None),
    ("GET", "/search"): (400, None),  # no words nor filter
    ("POST", "/public/verification"): (400, EMPTY),
}
# Routes that end the caller's session get a throwaway user of the role.
ENDS_SESSION = {("POST", "/auth/logout")}
CALLERS = [*sorted(ALL_ROLES), None]


def expected(route: tuple[str, str], role: str | None) -> int:
    """The status ``role`` (None: no token) must get on ``route``."""
    action = ROUTE_ACTIONS[route]
    if action == "public":
        return ALLOWED[route][0]
    if role is None:
        return 401
    return ALLOWED[route][0] if role in PERMISSIONS[action] else 403


def concrete(path: str) -> str:
    """The path with its parameters filled with ids that name nothing."""
    return path.format(
        case_id=uuid.uuid4(),
        document_id=uuid.uuid4().hex,
        party_id=uuid.uuid4().hex[:12],
        hearing_id=uuid.uuid4().hex[:12],
        court_code="TPI-RABAT",
        username=NOBODY,
        sha256=uuid.uuid4().hex * 2,
    )


def test_the_table_covers_every_route(api: Api) -> None:
    assert set(ALLOWED) == set(ROUTE_ACTIONS)


@pytest.fixture(scope="module")
def members(api: Api, as_role: Callable[[str], Headers]) -> dict[str, Headers]:
    """One signed-in user per role, made for this module."""
    admin = as_role("admin")
    return {role: accounts.account(api, admin, role).headers for role in ALL_ROLES}


@pytest.mark.parametrize("role", CALLERS, ids=lambda role: role or "no-token")
@pytest.mark.parametrize("route", sorted(ALLOWED), ids=" ".join)
def test_route_answers_role(
    api: Api,
    as_role: Callable[[str], Headers],
    members: dict[str, Headers],
    route: tuple[str, str],
    role: str | None,
) -> None:
    method, path = route
    headers: Headers = {}
    if role is not None and route in ENDS_SESSION:
        headers = accounts.account(api, as_role("admin"), role).headers
    elif role is not None:
        headers = members[role]
    status, body = api.call(method, concrete(path), headers, ALLOWED[route][1])
    assert status == expected(route, role), body
