"""Index documents built from DynamoDB items: one per case, one per page.

A page carries its case's facets and access fields, so one filtered query
searches both. National IDs never reach the index: only their keyed digests
(``chalicelib.personal``), which a citizen's own digest matches exactly.

The builders read optional attributes with ``getattr`` so that a field the
case model gains or loses changes the index only where ``mappings`` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.models import CaseModel, DocumentModel

CASE_KIND = "case"
PAGE_KIND = "page"
INDEXED_DOCUMENT_STATUSES = frozenset({"OCR_DONE", "SIGNED"})
OPTIONAL_CASE_KEYWORDS = ("national_number", "last_judgment_number")
OPTIONAL_CASE_TEXTS = ("reporting_judge_name",)
OPTIONAL_CASE_DATES = ("next_hearing_at", "updated_at")


def file_number_of(case: CaseModel) -> str:
    """The file number as courts write it.

    >>> file_number_of(CaseModel(serial=17, case_type_code="1201", year=2026))
    '17/1201/2026'
    """
    return f"{int(case.serial)}/{case.case_type_code}/{int(case.year)}"


def case_source(case: CaseModel) -> dict[str, Any]:
    """The index document of a case (its id in the index is the case id)."""
    parties = list(case.parties or [])
    source: dict[str, Any] = {
        **case_fields(case),
        "kind": CASE_KIND,
        "serial": int(case.serial),
        "subject": case.subject,
        "party_names": [party.name for party in parties if party.name],
        "party_names_latin": [
            party.name_latin for party in parties if getattr(party, "name_latin", None)
        ],
        "party_roles": sorted({party.role for party in parties if party.role}),
    }
    for name in (*OPTIONAL_CASE_KEYWORDS, *OPTIONAL_CASE_TEXTS):
        if getattr(case, name, None):
            source[name] = getattr(case, name)
    for name in OPTIONAL_CASE_DATES:
        if getattr(case, name, None):
            source[name] = _iso(getattr(case, name))
    return source


def case_fields(case: CaseModel) -> dict[str, Any]:
    """The facets and access fields a case shares with each of its pages."""
    fields: dict[str, Any] = {
        "case_id": case.case_id,
        "court_code": case.court_code,
        "case_type_code": case.case_type_code,
        "year": int(case.year),
        "status": case.status,
        "file_number": file_number_of(case),
        "registered_at": _iso(case.registered_at),
        "counsel": sorted(counsel_keys(case)),
        "party_id_digests": sorted(party_digests(case)),
        "case_version": int(case.version or 1),
        "reporting_judge": getattr(case, "reporting_judge", None),
    }
    return fields


def page_sources(
    case: CaseModel, document: DocumentModel, pages: Iterable[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The ``(id, document)`` of each page of a read document.

    A page's id is ``<document id>#<page number>``, so indexing it again
    overwrites it.
    """
    shared = case_fields(case)
    sources = []
    for number, page in enumerate(pages, start=1):
        sources.append(
            (
                page_id(document.document_id, number),
                {
                    **shared,
                    "kind": PAGE_KIND,
                    "document_id": document.document_id,
                    "page": int(page.get("number") or number),
                    "filename": document.filename,
                    "language": page.get("language") or document.language,
                    "document_status": document.status,
                    "text": page.get("text") or "",
                },
            )
        )
    return sources


def page_id(document_id: str, number: int) -> str:
    """The index id of a page: ``<document id>#<number>``."""
    return f"{document_id}#{number}"


def document_version(document: DocumentModel) -> int:
    """The external version of a document's pages: its last change, in ms."""
    return int(document.updated_at.timestamp() * 1000)


def is_searchable(document: DocumentModel) -> bool:
    """True once a document has been read (its text is in S3)."""
    return document.status in INDEXED_DOCUMENT_STATUSES and bool(document.text_key)


def counsel_keys(case: CaseModel) -> set[str]:
    """``<bar>#<roll number>`` of every lawyer acting for a party of the case.

    Reads both shapes of a party: a list of ``lawyers`` (bar, roll number), or
    the older ``lawyer_bar`` / ``lawyer_roll`` pair.
    """
    keys = set()
    for party in case.parties or []:
        for lawyer in getattr(party, "lawyers", None) or []:
            if lawyer.bar and lawyer.roll_number:
                keys.add(counsel_key(lawyer.bar, lawyer.roll_number))
        bar, roll = (
            getattr(party, "lawyer_bar", None),
            getattr(party, "lawyer_roll", None),
        )
        if bar and roll:
            keys.add(counsel_key(bar, roll))
    return keys


def counsel_key(bar: str, roll_number: str) -> str:
    """The access key of a lawyer, e.g. ``counsel_key("Rabat", "1234")``.

    >>> counsel_key("Rabat", "1234")
    'rabat#1234'
    """
    return f"{bar.strip().lower()}#{roll_number.strip()}"


def party_digests(case: CaseModel) -> set[str]:
    """Keyed digests of the parties' national IDs (stored, or computed)."""
    digests = {party_digest(party) for party in case.parties or []}
    return {digest for digest in digests if digest}


def party_digest(party: Any, key: bytes | None = None) -> str | None:
    """The keyed digest of a party's national ID, ``None`` without one.

    Stored with the party, or computed for an older item that kept the number
    itself (``national_id``).
    """
    from chalicelib.personal import national_id_digest

    stored = getattr(party, "national_id_digest", None)
    raw = getattr(party, "national_id", None)
    if stored:
        return str(stored)
    if raw:
        return national_id_digest(raw.strip().upper(), key)
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat()
