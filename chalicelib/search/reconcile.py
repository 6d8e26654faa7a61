"""Comparing the index with DynamoDB, repairing drift, and rebuilding it.

DynamoDB is the truth. ``reconcile`` reads the cases and the read documents,
compares them with the index (ids, external versions, the case version each
case and page was written with, page counts) and re-applies what differs: it
catches records the stream lost or dead-lettered, writes made in an old index
during a reindex, and a case indexed at a version the table never committed
(ahead of it), which is written again from the table at the index's version.
``rebuild`` fills fresh indices and swaps the aliases.

A page or case deleted from the index less than a minute before the repair
(the node keeps delete tombstones for ``index.gc_deletes``, 60 s) may refuse
its older version once; the next run re-adds it.

NOTE: both scan the tables. That suits tens of thousands of cases per hour;
beyond that, reconcile per court partition or from a DynamoDB export.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib.models import CaseModel, DocumentModel
from chalicelib.search import indexing, sources
from chalicelib.search.indices import (
    CASES,
    PAGES,
    bulk_write,
    ensure_indices,
    indices_behind,
    outdated_aliases,
    reindex,
)

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

log = logging.getLogger(__name__)


@dataclass
class Drift:
    """What the index lacks or holds in excess, by kind."""

    missing_cases: list[str] = field(default_factory=list)
    stale_cases: list[str] = field(default_factory=list)
    ahead_cases: dict[str, int] = field(default_factory=dict)
    extra_cases: list[str] = field(default_factory=list)
    stale_documents: list[str] = field(default_factory=list)
    extra_pages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many items differ."""
        return (
            len(self.missing_cases)
            + len(self.stale_cases)
            + len(self.ahead_cases)
            + len(self.extra_cases)
            + len(self.stale_documents)
            + len(self.extra_pages)
        )

    def figures(self) -> dict[str, int]:
        """The counts, for logs and the job's result (no ids, no names)."""
        return {
            "missing_cases": len(self.missing_cases),
            "stale_cases": len(self.stale_cases),
            "ahead_cases": len(self.ahead_cases),
            "extra_cases": len(self.extra_cases),
            "stale_documents": len(self.stale_documents),
            "extra_pages": len(self.extra_pages),
        }


@dataclass(frozen=True)
class IndexedPage:
    """What reconciliation reads of an indexed page."""

    index: str
    page_id: str
    document_id: str
    version: int
    case_version: int


def reconcile(client: OpenSearch, repair: bool = True) -> dict[str, int]:
    """Compare the index with the tables; repair the drift when ``repair``.

    Emits the metric ``SearchDrift`` (items found different) and returns the
    figures by kind plus ``cases`` and ``documents`` compared.
    """
    from chalicelib.observability import count

    cases = {case.case_id: case for case in CaseModel.scan()}
    documents = [d for d in DocumentModel.scan() if sources.is_searchable(d)]
    drift = find_drift(client, cases, documents)
    count("SearchDrift", drift.total)
    if repair and drift.total:
        repair_drift(client, drift, cases, {d.document_id: d for d in documents})
        client.indices.refresh(index=f"{CASES.alias},{PAGES.alias}")
    log.info("search reconciled: %s", drift.figures())
    return {
        **drift.figures(),
        "cases": len(cases),
        "documents": len(documents),
        "repaired": drift.total if repair else 0,
    }


def find_drift(
    client: OpenSearch, cases: dict[str, CaseModel], documents: list[DocumentModel]
) -> Drift:
    """The differences between the tables' items and the index."""
    client.indices.refresh(index=f"{CASES.alias},{PAGES.alias}")
    drift = Drift()
    indexed = dict(indexed_cases(client))
    for case_id, case in cases.items():
        version = int(case.version or 1)
        if case_id not in indexed:
            drift.missing_cases.append(case_id)
        elif indexed[case_id][0] < version:
            drift.stale_cases.append(case_id)
        elif indexed[case_id][1] != version:
            drift.ahead_cases[case_id] = indexed[case_id][0]
    drift.extra_cases = sorted(set(indexed) - set(cases))
    _page_drift(drift, list(indexed_pages(client)), cases, documents)
    return drift


def _page_drift(
    drift: Drift,
    pages: list[IndexedPage],
    cases: dict[str, CaseModel],
    documents: list[DocumentModel],
) -> None:
    by_document: dict[str, list[IndexedPage]] = {}
    for page in pages:
        by_document.setdefault(page.document_id, []).append(page)
    for document in documents:
        held = by_document.pop(document.document_id, [])
        case = cases.get(document.case_id)
        if case is None:
            continue
        if _pages_differ(held, document, case):
            drift.stale_documents.append(document.document_id)
    for held in by_document.values():
        drift.extra_pages.extend((page.index, page.page_id) for page in held)


def _pages_differ(
    held: list[IndexedPage], document: DocumentModel, case: CaseModel
) -> bool:
    version = sources.document_version(document)
    return (
        len(held) != int(document.pages or 0)
        or any(page.version < version for page in held)
        or any(page.case_version != int(case.version or 1) for page in held)
    )


def indexed_cases(client: OpenSearch) -> Iterator[tuple[str, tuple[int, int]]]:
    """Every indexed case: its id, external version and the case version held."""
    from opensearchpy.helpers import scan

    body = {"query": {"match_all": {}}, "version": True, "_source": ["case_version"]}
    for hit in scan(client, index=CASES.alias, query=body, size=1000):
        held = int(hit["_source"].get("case_version") or 0)
        yield hit["_id"], (int(hit["_version"]), held)


def indexed_pages(client: OpenSearch) -> Iterator[IndexedPage]:
    """Every indexed page: its document, version and its case's version."""
    from opensearchpy.helpers import scan

    body = {
        "query": {"match_all": {}},
        "version": True,
        "_source": ["document_id", "case_version"],
    }
    for hit in scan(client, index=PAGES.alias, query=body, size=1000):
        yield IndexedPage(
            index=hit["_index"],
            page_id=hit["_id"],
            document_id=hit["_source"]["document_id"],
            version=int(hit["_version"]),
            case_version=int(hit["_source"].get("case_version") or 0),
        )


def repair_drift(
    client: OpenSearch,
    drift: Drift,
    cases: dict[str, CaseModel],
    documents: dict[str, DocumentModel],
) -> None:
    """Re-apply each difference from the tables' current items."""
    from chalicelib.documents import read_text

    changed = drift.missing_cases + drift.stale_cases
    bulk_write(client, (indexing.case_action(cases[case_id]) for case_id in changed))
    bulk_write(
        client,
        (
            indexing.case_action(cases[case_id], at_least=version)
            for case_id, version in drift.ahead_cases.items()
        ),
    )
    for case_id in drift.extra_cases:
        gone = CaseModel(case_id=case_id, version=_indexed_version(client, case_id))
        indexing.remove_case(client, gone)
    for document_id in drift.stale_documents:
        document = documents[document_id]
        case = cases[document.case_id]
        indexing.index_document(client, document, case, read_text(document))
        # Pages changed by updates carry versions past their document's.
        indexing.refresh_case_pages(client, case)
    bulk_write(
        client,
        (
            {"_op_type": "delete", "_index": index, "_id": page_id}
            for index, page_id in drift.extra_pages
        ),
    )


def _indexed_version(client: OpenSearch, case_id: str) -> int:
    found = client.get(index=CASES.alias, id=case_id, _source=False, ignore=[404])
    return int(found.get("_version") or 1)


def fill_from_tables(client: OpenSearch, targets: dict[str, str]) -> dict[str, int]:
    """Write every case and every read document's pages into ``targets``."""
    from chalicelib.documents import read_text

    cases = {case.case_id: case for case in CaseModel.scan()}
    written = bulk_write(
        client, (indexing.case_action(c, targets["cases"]) for c in cases.values())
    )
    pages = 0
    for document in DocumentModel.scan():
        case = cases.get(document.case_id)
        if case is None or not sources.is_searchable(document):
            continue
        actions = indexing.page_actions(
            case, document, read_text(document), targets["pages"]
        )
        pages += bulk_write(client, actions)
    return {"cases": written, "pages": pages}


def bring_up_to_date(client: OpenSearch) -> dict[str, list[str]]:
    """Create the missing indices and rebuild those of an older mapping.

    What ``justicia search setup`` and the hourly ``reconcile_search`` job
    both do first, so a deploy that changes the analysis (a new
    ``SCHEMA_VERSION``) is followed by a rebuild within the hour, without an
    operator. Returns the indices created and the aliases rebuilt.
    """
    from chalicelib.observability import count

    created = ensure_indices(client)
    outdated = outdated_aliases(client)
    if outdated:
        rebuild(client)
        count("SearchRebuilt", len(outdated))
    return {"created": created, "rebuilt": outdated}


def rebuild(client: OpenSearch) -> dict[str, Any]:
    """Reindex from the tables into fresh indices, swap, then reconcile."""
    counts = reindex(client, fill_from_tables)
    after = reconcile(client)
    return {
        **counts,
        "indices": [
            index
            for spec in (CASES, PAGES)
            for index in indices_behind(client, spec.alias)
        ],
        "drift_after_swap": after["repaired"],
    }
