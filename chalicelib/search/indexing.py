"""Keeping the index in step with DynamoDB, one stream change at a time.

Each change is applied idempotently: a case is written with the external
version of its item (``version``), a page with its document's last change in
milliseconds, so a replayed or late record never overwrites a newer one (the
node answers 409, which counts as done). A removed case or document takes its
pages with it; a change of a case's parties, counsel or court is copied onto
its pages, whose access fields must match their case's.
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


def case_action(case: CaseModel, index: str | None = None) -> dict[str, Any]:
    """The bulk action that writes ``case`` at its own version."""
    return {
        "_op_type": "index",
        "_index": index or CASES.alias,
        "_id": case.case_id,
        "version": int(case.version or 1),
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
    bulk_write(client, [case_action(case)])
    if old is not None and sources.case_fields(old) != sources.case_fields(case):
        refresh_case_pages(client, case)


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
