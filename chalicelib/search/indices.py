"""Versioned indices behind aliases, and the reindex that swaps them.

Readers and writers only ever name the aliases ``<prefix>cases`` and
``<prefix>pages``. A concrete index is ``<alias>-v<schema>-<UTC stamp>``. A
reindex builds new indices from DynamoDB (the source of truth) and S3 (the
text), then moves both aliases in one atomic request and drops the old
indices: searches never see a half-built index.

NOTE: changes streamed while a reindex runs land in the old index; the
reindex ends with a reconciliation that repairs what it missed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.search import mappings

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexSpec:
    """One searchable collection: its alias and its fields."""

    name: str
    fields: dict[str, Any]

    @property
    def alias(self) -> str:
        """The alias every reader and writer uses, e.g. ``justicia-prod-cases``."""
        return f"{get_settings().table_prefix}{self.name}"

    def new_index_name(self, now: datetime | None = None) -> str:
        """A fresh concrete index name for this schema version."""
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-v{mappings.SCHEMA_VERSION}-{stamp}"


CASES = IndexSpec("cases", mappings.CASE_FIELDS)
PAGES = IndexSpec("pages", mappings.PAGE_FIELDS)
ALL_INDICES = (CASES, PAGES)


def ensure_indices(client: OpenSearch) -> list[str]:
    """Create each missing index with its alias; return the ones created.

    Safe to call at every deploy and cold start: an existing alias is kept
    as it is (a mapping change goes through ``reindex``).
    """
    created = []
    for spec in ALL_INDICES:
        if client.indices.exists_alias(name=spec.alias):
            continue
        index = create_index(client, spec)
        client.indices.put_alias(index=index, name=spec.alias)
        created.append(index)
    return created


def outdated_aliases(client: OpenSearch) -> list[str]:
    """The aliases whose index has an older mapping than ``SCHEMA_VERSION``.

    ``justicia search setup`` rebuilds them (a reindex through the aliases).
    """
    outdated = []
    for spec in ALL_INDICES:
        for index in indices_behind(client, spec.alias):
            mapping = client.indices.get_mapping(index=index)[index]["mappings"]
            built = int((mapping.get("_meta") or {}).get("schema_version") or 0)
            if built < mappings.SCHEMA_VERSION:
                outdated.append(spec.alias)
    return sorted(set(outdated))


def create_index(client: OpenSearch, spec: IndexSpec) -> str:
    """Create a new concrete index of ``spec``; return its name."""
    name = spec.new_index_name()
    body = mappings.index_body(spec.fields, get_settings().search_replicas)
    client.indices.create(index=name, body=body)
    return name


def indices_behind(client: OpenSearch, alias: str) -> list[str]:
    """The concrete indices an alias points at (none if it does not exist)."""
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias))


Fill = Callable[["OpenSearch", dict[str, str]], dict[str, int]]


def reindex(client: OpenSearch, fill: Fill) -> dict[str, int]:
    """Build fresh indices with ``fill``, swap the aliases, drop the old ones.

    ``fill(client, targets)`` writes every document into the new indices
    (``targets`` maps ``cases``/``pages`` to their names) and returns its
    counts. If it fails, the new indices are deleted and the aliases stay.
    """
    targets = {spec.name: create_index(client, spec) for spec in ALL_INDICES}
    try:
        counts = fill(client, targets)
        client.indices.refresh(index=",".join(targets.values()))
    except Exception:
        client.indices.delete(index=",".join(targets.values()))
        raise
    old = swap_aliases(client, targets)
    if old:
        client.indices.delete(index=",".join(old))
    log.info("search indices rebuilt: %s", counts)
    return counts


def swap_aliases(client: OpenSearch, targets: dict[str, str]) -> list[str]:
    """Point each alias at its new index in one atomic request; return the old."""
    actions: list[dict[str, Any]] = []
    old: list[str] = []
    for spec in ALL_INDICES:
        for index in indices_behind(client, spec.alias):
            actions.append({"remove": {"index": index, "alias": spec.alias}})
            old.append(index)
        actions.append({"add": {"index": targets[spec.name], "alias": spec.alias}})
    client.indices.update_aliases(body={"actions": actions})
    return old


def scan_ids(
    client: OpenSearch, index: str, query: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Every hit of ``query`` in ``index`` with its id and version, no source."""
    from opensearchpy.helpers import scan

    body = {"query": query or {"match_all": {}}, "version": True, "_source": False}
    yield from scan(client, index=index, query=body, size=1000, preserve_order=False)


def bulk_write(client: OpenSearch, actions: Iterable[dict[str, Any]]) -> int:
    """Send ``actions`` in bulk; ignore version conflicts (a newer is there).

    Returns the number of actions applied. Any other failure raises.
    """
    from opensearchpy.helpers import streaming_bulk

    applied = 0
    for ok, item in streaming_bulk(
        client,
        actions,
        chunk_size=500,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=3,
    ):
        if ok:
            applied += 1
            continue
        if _stale(item) or _already_gone(item):
            continue
        raise BulkRejected(item)
    return applied


class BulkRejected(Exception):
    """The index refused a write for another reason than a stale version."""

    def __init__(self, item: dict[str, Any]):
        operation = next(iter(item.values()))
        error = operation.get("error") or {}
        reason = error.get("type") if isinstance(error, dict) else str(error)
        super().__init__(f"index refused {operation.get('_id')}: {reason}")


def _stale(item: dict[str, Any]) -> bool:
    operation = next(iter(item.values()))
    return int(operation.get("status", 0)) == 409


def _already_gone(item: dict[str, Any]) -> bool:
    kind, operation = next(iter(item.items()))
    return kind == "delete" and int(operation.get("status", 0)) == 404
