"""A court's case list: pages, filters, cursors and who may read it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, new_case

COURT = "TC-CASABLANCA"  # served by the demo clerk, not the demo judge


@pytest.fixture(scope="module")
def court_cases(api: Api, as_role: Any) -> list[dict[str, Any]]:
    """Five cases at the court, two of them with another case type."""
    clerk = as_role("clerk")
    return [
        new_case(
            api,
            clerk,
            court_code=COURT,
            case_type_code="8301" if index < 2 else "8201",
            parties=[
                {"role": "plaintiff", "name": f"Société {index}", "kind": "legal"}
            ],
        )
        for index in range(5)
    ]


def test_pages_walk_the_whole_list_newest_first(
    api: Api, as_role: Any, court_cases: list[dict[str, Any]]
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        query = f"/cases?court={COURT}&limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        status, page = api.call("GET", query, as_role("clerk"))
        assert status == 200, page
        assert len(page["cases"]) <= 2
        seen += [case["id"] for case in page["cases"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    mine = [case["id"] for case in reversed(court_cases)]
    assert [case_id for case_id in seen if case_id in mine] == mine
    assert len(seen) == len(set(seen))


def test_filters_by_type_and_year(
    api: Api, as_role: Any, court_cases: list[dict[str, Any]]
) -> None:
    year = court_cases[0]["year"]
    status, page = api.call(
        "GET", f"/cases?court={COURT}&type=8301&year={year}&limit=100", as_role("admin")
    )
    assert status == 200
    listed = {case["id"] for case in page["cases"]}
    assert {case["id"] for case in court_cases[:2]} <= listed
    assert not {case["id"] for case in court_cases[2:]} & listed
    assert all("parties" not in case for case in page["cases"])
    status, page = api.call(
        "GET", f"/cases?court={COURT}&year={year - 1}", as_role("admin")
    )
    assert status == 200 and page["cases"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/cases", "court"),
        (f"/cases?court={COURT}&limit=0", "limit"),
        (f"/cases?court={COURT}&limit=abc", "limit"),
        (f"/cases?court={COURT}&year=26", "year"),
        (f"/cases?court={COURT}&cursor=not-a-cursor", "cursor"),
        (f"/cases?court={COURT}&colour=red", "colour"),
    ],
)
def test_bad_queries_name_the_parameter(
    api: Api, as_role: Any, query: str, field: str
) -> None:
    status, answer = api.call("GET", query, as_role("admin"))
    assert status == 400, answer
    assert answer["error"]["details"][0]["field"] == field


def test_a_cursor_of_another_court_is_refused(
    api: Api, as_role: Any, court_cases: list[dict[str, Any]]
) -> None:
    _, page = api.call("GET", f"/cases?court={COURT}&limit=1", as_role("admin"))
    status, answer = api.call(
        "GET", f"/cases?court=TPI-RABAT&cursor={page['next_cursor']}", as_role("admin")
    )
    assert status == 400
    assert answer["error"]["details"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("username", "expected"),
    [("admin", 200), ("clerk", 200), ("judge", 403), ("lawyer", 403), ("citizen", 403)],
)
def test_who_may_list_a_court(
    api: Api, as_role: Any, username: str, expected: int
) -> None:
    status, _ = api.call("GET", f"/cases?court={COURT}", as_role(username))
    assert status == expected
