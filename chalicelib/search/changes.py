"""DynamoDB stream records (the outbox) turned into index writes.

The cases and documents tables stream ``NEW_AND_OLD_IMAGES``. A record names
its table in its source ARN; its images are DynamoDB JSON, read with the same
PynamoDB models that wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.config import get_settings
from chalicelib.models import CaseModel, DocumentModel
from chalicelib.search import indexing

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

STREAMED_TABLES = frozenset({"cases", "documents"})


@dataclass(frozen=True)
class StreamChange:
    """One change of an item: its table, what happened, its images."""

    table: str
    event: str
    new_image: dict[str, Any] | None
    old_image: dict[str, Any] | None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StreamChange:
        """Read a Lambda DynamoDB stream record (raw, as Lambda sends it)."""
        data = record.get("dynamodb") or {}
        return cls(
            table=logical_table(str(record.get("eventSourceARN", ""))),
            event=str(record.get("eventName", "")),
            new_image=data.get("NewImage"),
            old_image=data.get("OldImage"),
        )


def logical_table(stream_arn: str) -> str:
    """The logical table of a stream ARN.

    >>> logical_table("arn:aws:dynamodb:eu-west-3:1:table/justicia-prod-cases/"
    ...               "stream/2026-01-01T00:00:00.000")  # with prefix justicia-prod-
    'cases'
    """
    table = stream_arn.split(":table/", 1)[-1].split("/", 1)[0]
    return table.removeprefix(get_settings().table_prefix)


def apply_change(client: OpenSearch, change: StreamChange) -> None:
    """Apply one change to the index; unknown tables are ignored."""
    if change.table == "cases":
        _apply_case_change(client, change)
    elif change.table == "documents":
        _apply_document_change(client, change)


def _apply_case_change(client: OpenSearch, change: StreamChange) -> None:
    old = _case(change.old_image)
    if change.event == "REMOVE":
        if old is not None:
            indexing.remove_case(client, old)
        return
    new = _case(change.new_image)
    if new is not None:
        indexing.index_case(client, new, old)


def _apply_document_change(client: OpenSearch, change: StreamChange) -> None:
    from chalicelib.documents import read_text

    if change.event == "REMOVE" or change.new_image is None:
        if change.old_image is not None:
            old = DocumentModel.from_raw_data(change.old_image)
            indexing.remove_document(client, old)
        return
    document = DocumentModel.from_raw_data(change.new_image)
    if not _text_changed(document, change.old_image):
        return
    case = load_case(document.case_id)
    pages = read_text(document) if case is not None else []
    indexing.index_document(client, document, case, pages)


def _text_changed(document: DocumentModel, old_image: dict[str, Any] | None) -> bool:
    """False for a change that leaves the searchable pages as they were."""
    from chalicelib.search.sources import is_searchable

    if old_image is None:
        return True
    old = DocumentModel.from_raw_data(old_image)
    if not is_searchable(document) and not is_searchable(old):
        return False
    return (old.status, old.text_key) != (document.status, document.text_key)


def load_case(case_id: str) -> CaseModel | None:
    """The case as DynamoDB has it now, or ``None`` if it is gone."""
    try:
        return CaseModel.get(case_id, consistent_read=True)
    except DoesNotExist:
        return None


def _case(image: dict[str, Any] | None) -> CaseModel | None:
    return CaseModel.from_raw_data(image) if image else None
