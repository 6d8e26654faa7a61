"""Search requests: parsing, the access filter each role gets, the query built."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.errors import ValidationFailed
from chalicelib.identity import Caller, Scope
from chalicelib.models import CaseModel, PartyMap
from chalicelib.personal import national_id_digest
from chalicelib.search.query import MAX_PAGE_SIZE, parse_query, search_body
from chalicelib.search.service import (
    NOTHING,
    access_filter,
    facets_json,
    party_passages,
    result_json,
)


def caller(role: str, **scope: Any) -> Caller:
    return Caller(f"{role.lower()}-1", role, "id", scope=Scope(**scope))


def test_defaults_and_values_are_read() -> None:
    query = parse_query(
        {"q": "  l'appel   interjeté ", "court": "TPI-RABAT", "type": "1201",
         "year": "2026", "status": "judged", "from": "20", "size": "10",
         "sort": "newest"}
    )  # fmt: skip
    assert query.text == "l'appel interjeté"
    assert (query.court, query.case_type, query.year) == ("TPI-RABAT", "1201", 2026)
    assert (query.status, query.offset, query.size) == ("JUDGED", 20, 10)
    assert query.sort == "newest"
    assert parse_query({"court": "TPI-RABAT"}).size == 20


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "x", "size": str(MAX_PAGE_SIZE + 1)}, "size"),
        ({"q": "x", "size": "١٠"}, "size"),
        ({"q": "x", "from": "1e3"}, "from"),
        ({"q": "x", "type": "12"}, "type"),
        ({"q": "x", "court": "tpi-rabat"}, "court"),
        ({"q": "x", "query": "x"}, "query"),
    ],
)
def test_bad_parameters_are_named(params: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_query(params)
    assert raised.value.details[0]["field"] == field
    assert set(raised.value.details[0]["messages"]) == {"ar", "fr"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (caller("JUDGE", courts=("TPI-RABAT",)),
         [{"terms": {"court_code": ["TPI-RABAT"]}},
          {"term": {"reporting_judge": "judge-1"}}]),
        (caller("CLERK", courts=("TPI-RABAT", "TPI-SALE")),
         [{"terms": {"court_code": ["TPI-RABAT", "TPI-SALE"]}}]),
        (caller("LAWYER", bar="Rabat", roll_number="1234"),
         [{"term": {"counsel": "rabat#1234"}}]),
        (caller("CITIZEN", national_id_digest="ab12"),
         [{"term": {"party_id_digests": "ab12"}}]),
    ],
)  # fmt: skip
def test_each_role_gets_its_filter(who: Caller, expected: list[Any]) -> None:
    assert access_filter(who) == {
        "bool": {"should": expected, "minimum_should_match": 1}
    }


@pytest.mark.parametrize(
    "who",
    [caller("CLERK"), caller("LAWYER", bar="Rabat"), caller("CITIZEN"), caller("X")],
)
def test_a_caller_with_nothing_to_match_sees_nothing(who: Caller) -> None:
    assert access_filter(who) == NOTHING


def test_admin_has_no_filter_and_others_have_it_in_the_query() -> None:
    query = parse_query({"q": "bail", "court": "TPI-RABAT"})
    assert access_filter(caller("ADMIN")) is None
    admin = search_body(query, None)["query"]["bool"]["filter"]
    assert admin == [{"term": {"court_code": "TPI-RABAT"}}]
    lawyer = caller("LAWYER", bar="Rabat", roll_number="1")
    filters = search_body(query, access_filter(lawyer))["query"]["bool"]["filter"]
    assert access_filter(lawyer) in filters


def test_words_use_simple_query_string_and_a_file_number_an_exact_term() -> None:
    words = search_body(parse_query({"q": 'appel "+'}), None)["query"]["bool"]
    assert "simple_query_string" in words["must"][0]["bool"]["should"][0]
    number = search_body(parse_query({"q": "17/1201/2026"}), None)["query"]["bool"]
    assert number["must"] == [{"term": {"file_number": "17/1201/2026"}}]


def test_text_never_leaves_in_results_only_its_passages() -> None:
    body = search_body(parse_query({"q": "bail"}), None)
    assert "text" in body["_source"]["excludes"]
    passage = "le <mark>bail</mark>"
    source = {
        "kind": "page", "case_id": "c", "court_code": "TPI-RABAT",
        "case_type_code": "1201", "year": 2026, "status": "REGISTERED",
        "file_number": "1/1201/2026", "document_id": "d", "page": 2,
    }  # fmt: skip
    hit = {
        "_score": 1.0,
        "_source": source,
        "highlight": {"text": [passage], "text.ar": [passage]},
    }
    result = result_json(hit)
    assert result["highlights"] == {"text": [passage]}
    assert "text" not in result


def test_a_national_id_passage_is_the_party_with_the_id_masked() -> None:
    key = b"test key"
    holder = PartyMap(
        role="plaintiff",
        kind="natural",
        name="Amina <Alaoui>",
        national_id_digest=national_id_digest("CD654321", key),
        national_id_masked="CD****21",
    )
    other = PartyMap(role="defendant", kind="natural", name="Brahim")
    case = CaseModel(parties=[holder, other])

    assert party_passages(case, "CD654321", key) == [
        "<mark>CD****21</mark> Amina &lt;Alaoui&gt;"
    ]
    assert party_passages(None, "CD654321", key) == ["<mark>CD****21</mark>"]


def test_facets_are_value_and_count() -> None:
    buckets = {"court": {"buckets": [{"key": "TPI-RABAT", "doc_count": 3}]}}
    assert facets_json(buckets) == {"court": [{"value": "TPI-RABAT", "count": 3}]}


def test_arabic_indic_digits_are_read_as_western_ones() -> None:
    assert parse_query({"q": "٢/١٢٠١/٢٠٢٦"}).text == "2/1201/2026"
    assert parse_query({"q": "ملف ۱۲"}).text == "ملف 12"
