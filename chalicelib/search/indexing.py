"""Keeping the index in step with DynamoDB, one stream change at a time.

Each change is applied idempotently: a case is written with the external
version of its item (``version``), a page with its document's last change in
milliseconds, so a replayed or late record never overwrites a newer one (the
node answers 409, which counts as done). A removed case or document takes its
pages with it; a change of a case's parties, counsel or court is copied onto
its pages, whose access fields must match their case's.

A refused case write is not taken on trust: if the index holds another
version of the case than the table (a record of a write that never committed
was indexed, its version ahead of the table's), the case is read again from
DynamoDB and written over it, at the index's version so the node accepts it
and the next real change (its version at least the table's) follows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from chalicelib.search import sources
from chalicelib.search.indices import CASES, PAGES, bulk_write, scan_ids

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from chalicelib.models import CaseModel, DocumentModel

log = logging.getLogger(__name__)


def case_action(
    case: CaseModel, index: str | None = None, at_least: int = 0
) -> dict[str, Any]:
    """The bulk action that writes ``case`` at its version (or ``at_least``)."""
    return {
        "_op_type": "index",
        "_index": index or CASES.alias,
        "_id": case.case_id,
        "version": max(int(case.version or 1), at_least),
        "version_type": "external_gte",
        "_source": sources.case_source(case),
    }


def page_actions(
    case: CaseModel,
    document: DocumentModel,
    pages: list[dict[str, Any]],
    index: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The bulk actions that write every page of a read document."""
    version = sources.document_version(document)
    for page_id, source in sources.page_sources(case, document, pages):
        yield {
            "_op_type": "index",
            "_index": index or PAGES.alias,
            "_id": page_id,
            "version": version,
            "version_type": "external_gte",
            "_source": source,
        }


def index_case(client: OpenSearch, case: CaseModel, old: CaseModel | None) -> None:
    """Write a new or changed case; copy access changes onto its pages."""
    if not bulk_write(client, [case_action(case)]):
        settled = settle_refused_case(client, case.case_id)
        case = settled or case
    if old is not None and sources.case_fields(old) != sources.case_fields(case):
        refresh_case_pages(client, case)


def indexed_versions(client: OpenSearch, case_id: str) -> tuple[int, int] | None:
    """The index's ``(version, case_version)`` of a case, if it holds it."""
    held = client.get(
        index=CASES.alias, id=case_id, _source=["case_version"], ignore=[404]
    )
    if not held.get("found"):
        return None
    return int(held["_version"]), int(held["_source"].get("case_version") or 0)


def settle_refused_case(client: OpenSearch, case_id: str) -> CaseModel | None:
    """After a refused write: make the index hold the table's case.

    Returns the case as the table has it when it had to be written again,
    else ``None`` (the index already holds it, or it is gone from the table).
    """
    from chalicelib.search.changes import load_case

    held = indexed_versions(client, case_id)
    current = load_case(case_id)
    if held is None or current is None:
        return None
    version, case_version = held
    if case_version == int(current.version or 1) and version >= case_version:
        return None
    log.warning(
        "search index held case version %s over the table's %s; rewritten",
        case_version,
        current.version,
    )
    bulk_write(client, [case_action(current, at_least=version)])
    return current


def remove_case(client: OpenSearch, case: CaseModel) -> None:
    """Delete a removed case and every page of its documents."""
    tombstone = int(case.version or 1) + 1
    deletes = [
        {
            "_op_type": "delete",
            "_index": CASES.alias,
            "_id": case.case_id,
            "version": tombstone,
            "version_type": "external_gte",
        }
    ]
    deletes.extend(_page_deletes(client, {"term": {"case_id": case.case_id}}))
    bulk_write(client, deletes)


def refresh_case_pages(client: OpenSearch, case: CaseModel) -> int:
    """Copy a case's facets and access fields onto its indexed pages."""
    shared = sources.case_fields(case)
    updates = (
        {
            "_op_type": "update",
            "_index": hit["_index"],
            "_id": hit["_id"],
            "doc": shared,
            "retry_on_conflict": 3,
        }
        for hit in scan_ids(client, PAGES.alias, {"term": {"case_id": case.case_id}})
    )
    return bulk_write(client, updates)


def index_document(
    client: OpenSearch,
    document: DocumentModel,
    case: CaseModel | None,
    pages: list[dict[str, Any]],
) -> int:
    """Write the pages of a read document; drop them if it is not searchable.

    Returns the number of pages written. A document whose case is gone is
    not indexed (its pages could not be filtered).
    """
    if case is None or not sources.is_searchable(document):
        remove_document(client, document)
        return 0
    written = bulk_write(client, page_actions(case, document, pages))
    beyond_last_page = [
        {"term": {"document_id": document.document_id}},
        {"range": {"page": {"gt": len(pages)}}},
    ]
    extra = {"bool": {"filter": beyond_last_page}}
    bulk_write(client, _page_deletes(client, extra))
    return written


def remove_document(client: OpenSearch, document: DocumentModel) -> None:
    """Delete every indexed page of a document."""
    query = {"term": {"document_id": document.document_id}}
    bulk_write(client, _page_deletes(client, query))


def _page_deletes(
    client: OpenSearch, query: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    for hit in scan_ids(client, PAGES.alias, query):
        yield {"_op_type": "delete", "_index": hit["_index"], "_id": hit["_id"]}
