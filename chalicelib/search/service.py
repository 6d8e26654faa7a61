"""Searching for a caller: the access filter in the query, then a re-check.

The filter restricts hits, totals and facets to what the caller may see:
every case for an administrator; the courts served (and, for a judge, the
cases assigned) for staff; the cases where the lawyer is counsel, or where the
citizen is a party. The index may lag DynamoDB, so every case returned is read
again from DynamoDB and checked with ``access.can_see_case`` before it leaves;
what fails the check is dropped and counted (``SearchHitsWithheld``).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib import access
from chalicelib.config import get_settings
from chalicelib.errors import DependencyFailed, TooManyRequests
from chalicelib.models import CaseModel
from chalicelib.search.indices import CASES, PAGES
from chalicelib.search.query import (
    NATIONAL_ID_MATCH,
    SearchQuery,
    invalid,
    national_id_in,
    search_body,
)
from chalicelib.search.sources import CASE_KIND, counsel_key, party_digest

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from chalicelib.identity import Caller

log = logging.getLogger(__name__)
ANSWER_PARTS = [
    "hits.total",
    "hits.hits._source",
    "hits.hits._score",
    "hits.hits.highlight",
    "hits.hits.matched_queries",
    "aggregations.*.buckets",
]
NOTHING: dict[str, Any] = {"bool": {"must_not": {"match_all": {}}}}

CaseLoader = Callable[[Iterable[str]], dict[str, CaseModel]]


def access_filter(caller: Caller) -> dict[str, Any] | None:
    """The filter clause of what ``caller`` may see (``None``: everything).

    A role with nothing to match (a lawyer without a roll number) matches no
    document rather than every one.
    """
    if caller.role == "ADMIN":
        return None
    scope = caller.scope
    clauses: list[dict[str, Any]] = []
    if caller.role in ("JUDGE", "CLERK") and scope.courts:
        clauses.append({"terms": {"court_code": list(scope.courts)}})
    if caller.role == "JUDGE":
        clauses.append({"term": {"reporting_judge": caller.username}})
    if caller.role == "LAWYER" and scope.bar and scope.roll_number:
        clauses.append({"term": {"counsel": counsel_key(scope.bar, scope.roll_number)}})
    if caller.role == "CITIZEN" and scope.national_id_digest:
        clauses.append({"term": {"party_id_digests": scope.national_id_digest}})
    if not clauses:
        return NOTHING
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def search(
    caller: Caller,
    query: SearchQuery,
    client: OpenSearch | None = None,
    load_cases: CaseLoader | None = None,
) -> dict[str, Any]:
    """Run ``query`` for ``caller``: hits with highlights, facets and totals.

    Raises ``ValidationFailed`` when the engine refuses the query (a 400 of
    OpenSearch), ``DependencyFailed`` when it cannot be reached.
    """
    from chalicelib.search.client import search_client

    answer = _run(client or search_client(), search_body(query, access_filter(caller)))
    hits = answer["hits"].get("hits", [])
    cases = (load_cases or load_cases_from_dynamodb)(
        {h["_source"]["case_id"] for h in hits}
    )
    visible = [
        hit for hit in hits if _may_see(caller, cases.get(hit["_source"]["case_id"]))
    ]
    withheld = len(hits) - len(visible)
    if withheld:
        from chalicelib.observability import count

        count("SearchHitsWithheld", withheld)
    national_id = national_id_in(query.text)
    return {
        "total": answer["hits"]["total"]["value"] - withheld,
        "from": query.offset,
        "size": query.size,
        "results": [
            _result(hit, cases.get(hit["_source"]["case_id"]), national_id)
            for hit in visible
        ],
        "facets": facets_json(answer.get("aggregations") or {}),
    }


def _run(client: OpenSearch, body: dict[str, Any]) -> dict[str, Any]:
    from opensearchpy.exceptions import RequestError, TransportError

    try:
        answer: dict[str, Any] = client.search(
            index=f"{CASES.alias},{PAGES.alias}", body=body, filter_path=ANSWER_PARTS
        )
    except RequestError as exc:
        log.warning("search refused by the engine: %s", exc.error)
        raise invalid("q", "rejected") from exc
    except TransportError as exc:
        raise DependencyFailed("search", str(exc.status_code)) from exc
    return answer


def _may_see(caller: Caller, case: CaseModel | None) -> bool:
    return case is not None and access.can_see_case(caller, case)


def load_cases_from_dynamodb(case_ids: Iterable[str]) -> dict[str, CaseModel]:
    """The current cases of ``case_ids`` (batch reads; missing ids absent)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    return {case.case_id: case for case in CaseModel.batch_get(ids)}


def _result(
    hit: dict[str, Any], case: CaseModel | None, national_id: str | None
) -> dict[str, Any]:
    """The result of a hit; one found by ``national_id`` highlights its party."""
    result = result_json(hit)
    if national_id and NATIONAL_ID_MATCH in (hit.get("matched_queries") or []):
        result["highlights"][NATIONAL_ID_MATCH] = party_passages(case, national_id)
    return result


def party_passages(
    case: CaseModel | None, national_id: str, key: bytes | None = None
) -> list[str]:
    """The highlight of a hit found by a national ID: the party it found.

    The number is never indexed, so the engine has no passage to show. The
    number is not shown either (``chalicelib.personal``): its masked form,
    marked, then the name of each party of ``case`` holding it, as the case's
    page shows them to whoever may see the case; escaped as the engine's
    passages are. E.g. ``["<mark>CD****21</mark> آمنة العلوي"]``, or only the
    masked form when no party holds it any more (the index lags DynamoDB).
    """
    from chalicelib.personal import mask_national_id, national_id_digest

    marked = f"<mark>{html.escape(mask_national_id(national_id))}</mark>"
    digest = national_id_digest(national_id, key)
    parties = (case.parties or []) if case is not None else []
    names = [p.name for p in parties if p.name and party_digest(p, key) == digest]
    return [f"{marked} {html.escape(name)}" for name in names] or [marked]


def result_json(hit: dict[str, Any]) -> dict[str, Any]:
    """One result: a case or a page, its highlighted passages, its score."""
    source = hit["_source"]
    shared = {
        "kind": source["kind"],
        "case_id": source["case_id"],
        "court_code": source["court_code"],
        "case_type_code": source["case_type_code"],
        "year": source["year"],
        "status": source["status"],
        "file_number": source["file_number"],
        "score": hit.get("_score"),
        "highlights": _highlights(hit.get("highlight") or {}),
    }
    if source["kind"] == CASE_KIND:
        case_only = {
            "subject": source.get("subject"),
            "registered_at": source.get("registered_at"),
        }
        return {**shared, **case_only}
    return {
        **shared,
        "document_id": source["document_id"],
        "page": source["page"],
        "filename": source.get("filename"),
        "language": source.get("language"),
    }


def _highlights(highlight: dict[str, list[str]]) -> dict[str, list[str]]:
    """Passages by field, a field and its ``.ar`` twin merged without repeats."""
    merged: dict[str, list[str]] = {}
    for field, passages in highlight.items():
        name = field.split(".", 1)[0]
        bucket = merged.setdefault(name, [])
        bucket.extend(p for p in passages if p not in bucket)
    return merged


def facets_json(aggregations: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Facet counts: ``{"court": [{"value": "TPI-RABAT", "count": 3}], ...}``."""
    return {
        name: [
            {"value": bucket["key"], "count": bucket["doc_count"]}
            for bucket in aggregation.get("buckets", [])
        ]
        for name, aggregation in aggregations.items()
    }


def check_rate(username: str, moment: datetime | None = None) -> None:
    """Raise ``TooManyRequests`` past the searches allowed a user per minute."""
    from chalicelib.limits import count_this_minute

    allowed = get_settings().search_queries_per_minute
    if count_this_minute("SEARCH", username, moment or datetime.now(UTC)) > allowed:
        raise TooManyRequests(f"more than {allowed} searches a minute")
