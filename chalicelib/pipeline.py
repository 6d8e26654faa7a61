"""The document pipeline: receive a scan, read it, sign it.

Each step moves a document from one status to the next with a conditional
write, in the same transaction as its audit record, so a step replayed after a
crash or a duplicate event finds the status already moved and does nothing.
Failures that retrying cannot cure (wrong bytes, a corrupt PDF) end the
document ``FAILED`` at once; others are retried by the queue, and the last
attempt marks it ``FAILED`` before the event goes to the dead-letter queue.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import audit
from chalicelib.aws import client
from chalicelib.cases import (
    FileNumber,
    file_number_of,
    find_case,
    find_case_by_file_number,
)
from chalicelib.config import get_settings
from chalicelib.documents import (
    detached_signature_key,
    encryption_arguments,
    fetch,
    page_progress_prefix,
    searchable_pdf_key,
    signed_pdf_key,
    text_key,
    upload_key,
    words_key,
)
from chalicelib.models import DocumentModel, SignatureMap, TextLayerMap, connection
from chalicelib.observability import count, logger, metrics
from chalicelib.schemas import plain_filename

SCANNER = audit.Actor(username="scanner", role="SYSTEM", request_id="-")
MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
DOWNLOAD_CHUNK = 1024 * 1024
FAILED_CODE = "document_failed"
MISMATCH_CODE = "document_event_mismatch"
SEALED_CONTENT_TYPES = {
    "PAdES": "application/pdf",
    "CMS": "application/pkcs7-signature",
}


class DropRefused(Exception):
    """An object no document may take; it goes to quarantine with this reason."""


class DocumentRejected(Exception):
    """The document cannot be processed, and retrying will not change that.

    ``quarantine`` says the fault is in the received bytes (empty, too large,
    of another type, unsafe, corrupt): they are moved out of the records.
    ``code`` names the refusal for readers, in ``errors.DOCUMENT_FAILURES``.
    """

    def __init__(
        self, reason: str, *, quarantine: bool = False, code: str = FAILED_CODE
    ) -> None:
        super().__init__(reason)
        self.quarantine = quarantine
        self.code = code


@dataclass(frozen=True)
class StoredObject:
    """An object version of the documents bucket, as an S3 event announces it.

    The bucket is versioned, so S3's event names the version it announces
    (``s3.object.versionId``): that version, and never "the current one", is
    what the pipeline reads, since the same key may have been written again
    since (a scanner re-drop, a presigned form posted twice).
    """

    bucket: str
    key: str
    size: int
    etag: str
    version_id: str | None = None

    @property
    def reference(self) -> str:
        """A short stable reference for logs: keys may carry names, so never them."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:16]

    def current_version(self) -> str | None:
        """The object's version: the event's, else the bucket's current one.

        Only for an event that names no version (an unversioned bucket).
        """
        if self.version_id:
            return self.version_id
        head = client("s3").head_object(Bucket=self.bucket, Key=self.key)
        version = head.get("VersionId")
        return str(version) if version and version != "null" else None

    def pinned(self) -> StoredObject:
        """The object as stored: the version the event names, checked against it.

        The version named is looked up by its id; its size and ETag must be
        the event's. An event naming no version (an unversioned bucket) is
        checked the same way against the current version, and pinned to it.
        Raises ``DocumentRejected`` (``document_event_mismatch``, nothing
        quarantined: which side is wrong is for an operator to tell) when the
        stored bytes are not the ones announced.
        """
        s3 = client("s3")
        try:
            head = s3.head_object(Bucket=self.bucket, Key=self.key, **_version(self))
        except s3.exceptions.ClientError as exc:
            raise DocumentRejected(
                "the announced version is not stored", code=MISMATCH_CODE
            ) from exc
        size = int(head["ContentLength"])
        etag = str(head.get("ETag", "")).strip('"')
        found = head.get("VersionId")
        version = str(found) if found and found != "null" else None
        if (
            size != self.size
            or (self.etag and etag != self.etag.strip('"'))
            or (self.version_id and version != self.version_id)
        ):
            count("EventMismatches")
            logger.error(
                "stored object does not match its event",
                extra={
                    "object_ref": self.reference,
                    "event_size": self.size,
                    "stored_size": size,
                    "event_version": self.version_id,
                    "stored_version": version,
                },
            )
            raise DocumentRejected(
                f"the stored version has {size} bytes and ETag {etag}, "
                f"the event announced {self.size} bytes and ETag "
                f"{self.etag.strip(chr(34))}",
                code=MISMATCH_CODE,
            )
        return replace(self, version_id=version)


def stored_object_of(document: DocumentModel) -> StoredObject:
    """The object holding a document's bytes, as an S3 event would announce it.

    Raises ``DocumentRejected`` when the bytes are gone (quarantined, say).
    """
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    version = {"VersionId": document.version_id} if document.version_id else {}
    try:
        head = s3.head_object(Bucket=bucket, Key=document.object_key, **version)
    except s3.exceptions.ClientError as exc:
        raise DocumentRejected("the received file is no longer stored") from exc
    found = head.get("VersionId")
    return StoredObject(
        bucket=bucket,
        key=document.object_key,
        size=int(head["ContentLength"]),
        etag=str(head.get("ETag", "")),
        version_id=str(found) if found and found != "null" else None,
    )


def sniff_content_type(head: bytes) -> str | None:
    """Tell a document's type from its first bytes, e.g. ``b"%PDF-1.7"`` -> PDF."""
    for magic, content_type in MAGIC_NUMBERS:
        if head.startswith(magic):
            return content_type
    return None


def locate_document(stored: StoredObject) -> DocumentModel | None:
    """Find (or, for a scanner drop, create) the document an object belongs to.

    ``uploads/<case>/<document>/original`` names an announced upload;
    ``incoming/<court>/<serial>-<code>-<year>/<file>`` a scanner drop. Returns
    None when the key names no known case or document.
    """
    parts = stored.key.split("/")
    if (
        len(parts) == 4
        and parts[0] == "uploads"
        and stored.key == upload_key(parts[1], parts[2])
    ):
        try:
            return DocumentModel.get(parts[1], parts[2], consistent_read=True)
        except DoesNotExist:
            return None
    if len(parts) == 4 and parts[0] == "incoming" and parts[3]:
        return _scanner_document(stored, parts[1], parts[2], parts[3])
    return None


def _scanner_document(
    stored: StoredObject, court_code: str, folder: str, filename: str
) -> DocumentModel | None:
    try:
        number = FileNumber.parse_scanner_folder(folder)
    except ValueError:
        return None
    try:
        plain_filename(filename)
    except ValueError as exc:
        raise DropRefused(f"file name refused: {exc}") from exc
    case = find_case_by_file_number(court_code, number)
    if case is None:
        return None
    if case.status == "ARCHIVED":
        raise DropRefused("the case is archived: its file is read-only")
    document_id = scanner_document_id(stored)
    try:
        return DocumentModel.get(case.case_id, document_id, consistent_read=True)
    except DoesNotExist:
        pass
    head = _read_head(stored)
    now = datetime.now(UTC)
    document = DocumentModel(
        case_id=case.case_id,
        document_id=document_id,
        status="AWAITING_UPLOAD",
        filename=filename,
        content_type=sniff_content_type(head) or "application/octet-stream",
        declared_size=stored.size,
        object_key=stored.key,
        source="scanner",
        created_at=now,
        created_by=SCANNER.username,
        updated_at=now,
    )
    entry = audit.AuditEntry(
        "CREATE_DOCUMENT",
        f"case#{case.case_id}",
        details={"document_id": document_id, "source": "scanner"},
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(document, condition=DocumentModel.document_id.does_not_exist())
        transaction.save(audit.build_record(SCANNER, entry, now))
    return document


def scanner_document_id(stored: StoredObject) -> str:
    """The document a scanner drop makes: one per stored version of its key.

    A scanner writing the same name again makes a new version, hence a new
    document; the same event delivered twice finds the same one. (An event
    naming no version, from an unversioned bucket, is named by its ETag.)
    """
    which = (
        f"?versionId={stored.version_id}" if stored.version_id else f"#{stored.etag}"
    )
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{stored.bucket}/{stored.key}{which}")
    )


def quarantine(stored: StoredObject, reason: str) -> str:
    """Move an object no document claims to ``quarantine/``, keeping the reason."""
    s3 = client("s3")
    target = f"quarantine/{stored.key}"
    s3.copy_object(
        Bucket=stored.bucket,
        Key=target,
        CopySource={"Bucket": stored.bucket, "Key": stored.key, **_version(stored)},
        Metadata={"quarantine-reason": reason},
        MetadataDirective="REPLACE",
    )
    s3.delete_object(Bucket=stored.bucket, Key=stored.key, **_version(stored))
    count("DocumentsQuarantined")
    logger.warning(
        "object quarantined", extra={"object_ref": stored.reference, "reason": reason}
    )
    return target


def _read_head(stored: StoredObject) -> bytes:
    if stored.size == 0:
        return b""
    answer = client("s3").get_object(
        Bucket=stored.bucket, Key=stored.key, Range="bytes=0-15", **_version(stored)
    )
    return bytes(answer["Body"].read())


def _version(stored: StoredObject) -> dict[str, str]:
    return {"VersionId": stored.version_id} if stored.version_id else {}


def refuse_overwrite(document: DocumentModel, stored: StoredObject) -> bool:
    """Refuse bytes posted again with a document's presigned form.

    A presigned form stays valid for minutes after its first use. The document
    is the first version stored under its key: a later version, whether it
    arrives after the document was received or refused or before the first
    version's event was handled, is moved to ``quarantine/`` (with the reason)
    and removed, so the version received, read and signed stays the current
    one. Returns True when something was refused. (A scanner dropping the same
    name again makes a new document instead: scanner documents are named by
    key and version, see ``scanner_document_id``.)
    """
    version = stored.current_version()
    if version is None or version == document.version_id:
        return False
    if document.status == "AWAITING_UPLOAD" and (
        document.source == "scanner" or _first_version(stored) in (None, version)
    ):
        return False
    reason = (
        "a second upload with the same form: the document keeps the first"
        if document.status == "AWAITING_UPLOAD"
        else "overwrites a received document"
    )
    s3 = client("s3")
    target = f"quarantine/{stored.key}.{version}"
    s3.copy_object(
        Bucket=stored.bucket,
        Key=target,
        CopySource={"Bucket": stored.bucket, "Key": stored.key, "VersionId": version},
        Metadata={"quarantine-reason": reason},
        MetadataDirective="REPLACE",
    )
    s3.delete_object(Bucket=stored.bucket, Key=stored.key, VersionId=version)
    audit.record(
        audit.SYSTEM,
        audit.AuditEntry(
            "REFUSE_OVERWRITE",
            f"case#{document.case_id}",
            outcome="REFUSED",
            details={
                "document_id": document.document_id,
                "quarantined_as": target,
                "reason": reason,
            },
        ),
    )
    count("OverwritesRefused")
    logger.warning("overwrite of a received document refused")
    return True


def _first_version(stored: StoredObject) -> str | None:
    """The oldest version still stored under the object's key (None if unversioned)."""
    pages = client("s3").get_paginator("list_object_versions")
    oldest = None
    for page in pages.paginate(Bucket=stored.bucket, Prefix=stored.key):
        # S3 lists a key's versions from the newest to the oldest.
        for version in page.get("Versions", []):
            if version["Key"] == stored.key:
                oldest = version.get("VersionId")
    return str(oldest) if oldest and oldest != "null" else None


def accept_upload(document: DocumentModel, stored: StoredObject) -> None:
    """Check an arrived object's size and bytes, then mark the document RECEIVED.

    The version the event names is the one checked, recorded and read later
    (``StoredObject.pinned``). Raises ``DocumentRejected`` with the reason when
    that version is not the one announced, is empty, larger than announced or
    allowed, or not of its declared type.
    """
    if document.status != "AWAITING_UPLOAD":
        return
    stored = stored.pinned()
    # Bytes refused below are this version's: quarantine_received moves it.
    document.version_id = stored.version_id
    limit = min(int(document.declared_size), get_settings().max_upload_bytes)
    if stored.size == 0:
        raise DocumentRejected(
            "the uploaded file is empty", quarantine=True, code="document_empty"
        )
    if stored.size > limit:
        raise DocumentRejected(
            f"the uploaded file has {stored.size} bytes, more than the {limit} allowed",
            quarantine=True,
            code="document_too_large",
        )
    sniffed = sniff_content_type(_read_head(stored))
    if sniffed != document.content_type:
        raise DocumentRejected(
            f"the file's bytes are {sniffed or 'not a supported document'}, "
            f"not {document.content_type}",
            quarantine=True,
            code="document_wrong_type",
        )
    transition(
        document,
        "AWAITING_UPLOAD",
        "RECEIVED",
        [DocumentModel.size.set(stored.size)]
        + (
            [DocumentModel.version_id.set(stored.version_id)]
            if stored.version_id
            else []
        ),
    )


def read_text(
    document: DocumentModel, *, engine: Any = None, primary: Any = None
) -> None:
    """Check a RECEIVED document's bytes, read it, store its text: OCR_DONE.

    The file is streamed to disk and read from there one page at a time;
    each page read is kept under ``tmp/ocr/`` at once, so a retry after a
    crash reads only the pages still missing. A document of more pages than
    ``JUSTICIA_OCR_PAGES_PER_CHUNK`` is fanned out instead (``fan_out``) and
    stays RECEIVED until its last chunk is read. ``engine`` (Tesseract) and
    ``primary`` (Textract) default to the stage's configuration. In AWS a
    PDF or TIFF with scanned pages is first handed to an asynchronous Textract
    job (``textract_jobs``) and stays RECEIVED until its completion brings it
    back here. Raises ``DocumentRejected`` (to quarantine) for unsafe or
    unreadable bytes.
    """
    if document.status != "RECEIVED":
        return
    progress = StoredPages(document.case_id, document.document_id)
    with tempfile.TemporaryDirectory(prefix="justicia-ocr-") as workdir:
        path = Path(workdir) / "original"
        digest = _download(document, path)
        total = _inspect(document, path)
        if primary is None and _wants_textract_job(document, path):
            from chalicelib import textract_jobs

            primary = textract_jobs.begin(document)
            if primary is None:
                return  # the job's completion brings the document back
        if total > get_settings().ocr_pages_per_chunk:
            fan_out(document, total)
            return
        pages = _read_pages(
            document,
            path,
            engine or _tesseract(),
            primary or _textract(document),
            progress,
        )
    finish_reading(document, digest, pages, progress)


def _wants_textract_job(document: DocumentModel, path: Path) -> bool:
    """A PDF or TIFF read in AWS, with at least one page to OCR."""
    from chalicelib import ocr, textract_jobs

    if not textract_jobs.wants_job(document):
        return False
    try:
        return ocr.has_scanned_pages(path, document.content_type)
    except ocr.OcrFailed as exc:
        raise DocumentRejected(
            str(exc), quarantine=True, code="document_corrupt"
        ) from exc


def fan_out(document: DocumentModel, total: int) -> list[range]:
    """Queue a long document's pages in chunks, one OCR message each.

    Each chunk is read by its own invocation (``read_chunk``) into the pages
    kept under ``tmp/ocr/``; the one that completes the set finishes the
    document. Returns the chunks queued.
    """
    size = get_settings().ocr_pages_per_chunk
    chunks = [
        range(first, min(first + size, total + 1))
        for first in range(1, total + 1, size)
    ]
    sqs = client("sqs")
    for chunk in chunks:
        request = {
            "case_id": document.case_id,
            "document_id": document.document_id,
            "first": chunk.start,
            "last": chunk.stop - 1,
            "total": total,
        }
        sqs.send_message(
            QueueUrl=get_settings().document_events_queue_url,
            MessageBody=json.dumps({"pages": request}),
        )
    count("DocumentsFannedOut")
    return chunks


def read_chunk(
    document: DocumentModel,
    pages: range,
    total: int,
    *,
    engine: Any = None,
    primary: Any = None,
) -> None:
    """Read one chunk of a fanned-out document; finish it if it is complete.

    The pages read are kept under ``tmp/ocr/``; once all ``total`` pages are
    there, the text is assembled and the document moves to OCR_DONE (a
    conditional write: of two chunks finishing at once, one wins).
    """
    if document.status != "RECEIVED":
        return
    progress = StoredPages(document.case_id, document.document_id)
    with tempfile.TemporaryDirectory(prefix="justicia-ocr-") as workdir:
        path = Path(workdir) / "original"
        digest = _download(document, path)
        _read_pages(
            document,
            path,
            engine or _tesseract(),
            primary or _textract(document),
            progress,
            pages,
        )
    progress.forget_listing()
    if not all(progress.has(number) for number in range(1, total + 1)):
        return
    readings = [progress.load(number) for number in range(1, total + 1)]
    finish_reading(document, digest, readings, progress)


def finish_reading(
    document: DocumentModel, digest: str, pages: list[Any], progress: StoredPages
) -> None:
    """Store a document's text and mark it OCR_DONE; drop the kept pages.

    The words Tesseract placed are kept too, under ``tmp/words/``, for the
    searchable PDF (``make_searchable``).
    """
    key = _store_text(document, pages)
    _store_words(document, pages)
    moved = transition(
        document,
        "RECEIVED",
        "OCR_DONE",
        [
            DocumentModel.sha256.set(digest),
            DocumentModel.pages.set(len(pages)),
            DocumentModel.language.set(document_language(pages)),
            DocumentModel.text_key.set(key),
        ],
        details={
            "pages": len(pages),
            "low_confidence_pages": sum(p.low_confidence for p in pages),
        },
    )
    if not moved:
        return
    count("DocumentsRead")
    count("PagesRead", len(pages))
    progress.clear()
    if document.textract_job_id:
        from chalicelib import textract_jobs

        textract_jobs.JobPages(document).clear()


def _inspect(document: DocumentModel, path: Path) -> int:
    """Refuse unsafe bytes (scripts, encryption, too many or too large pages)."""
    from chalicelib import pdf_safety

    settings = get_settings()
    limits = pdf_safety.Limits(settings.max_pages, settings.max_page_pixels)
    try:
        return pdf_safety.inspect_file(
            path, document.content_type, limits, document.filename
        )
    except pdf_safety.UnsafeDocument as exc:
        count("UnsafeDocumentsRefused")
        raise DocumentRejected(str(exc), quarantine=True, code=exc.code) from exc


def _read_pages(
    document: DocumentModel,
    path: Path,
    engine: Any,
    primary: Any,
    progress: Any,
    pages: range | None = None,
) -> list[Any]:
    from chalicelib import ocr

    try:
        return ocr.read_document(
            path,
            document.content_type,
            engine,
            primary=primary,
            on_fallback=_count_fallback,
            progress=progress,
            pages=pages,
        )
    except ocr.OcrFailed as exc:
        raise DocumentRejected(
            str(exc), quarantine=True, code="document_corrupt"
        ) from exc


def _store_text(document: DocumentModel, pages: list[Any]) -> str:
    """Put the pages read as one JSON object; return its key."""
    key = text_key(document.case_id, document.document_id)
    client("s3").put_object(
        Bucket=get_settings().documents_bucket,
        Key=key,
        Body=json.dumps(
            {"pages": [_page_json(page) for page in pages]}, ensure_ascii=False
        ).encode("utf-8"),
        ContentType="application/json; charset=utf-8",
        **encryption_arguments(),
    )
    return key


def _store_words(document: DocumentModel, pages: list[Any]) -> None:
    """Keep the boxes of the words of the pages Tesseract read, by page number.

    A page whose image was turned upright before it was read is left out: its
    boxes are fractions of the turned image, so OCRmyPDF reads it again.
    """
    placed = {
        str(page.number): page.words
        for page in pages
        if page.source == "tesseract" and not getattr(page, "turned", 0)
    }
    if not placed:
        return
    client("s3").put_object(
        Bucket=get_settings().documents_bucket,
        Key=words_key(document.case_id, document.document_id),
        Body=json.dumps({"pages": placed}, ensure_ascii=False).encode("utf-8"),
        ContentType="application/json; charset=utf-8",
        **encryption_arguments(),
    )


def _stored_words(document: DocumentModel) -> dict[int, list[Any]]:
    """The words kept at reading, by page number; empty when gone."""
    s3 = client("s3")
    try:
        body = s3.get_object(
            Bucket=get_settings().documents_bucket,
            Key=words_key(document.case_id, document.document_id),
        )["Body"].read()
    except s3.exceptions.ClientError:
        return {}
    pages: dict[str, list[Any]] = json.loads(body)["pages"]
    return {int(number): words for number, words in pages.items()}


class StoredPages:
    """The pages of one document read so far, one JSON object each in S3.

    Implements ``ocr.PageProgress``. The prefix is listed once; a page is
    fetched only when a retry needs it.
    """

    def __init__(self, case_id: str, document_id: str) -> None:
        self.prefix = page_progress_prefix(case_id, document_id)
        self.bucket = get_settings().documents_bucket
        self._keys: dict[int, str] | None = None

    def _page_key(self, number: int) -> str:
        return f"{self.prefix}page-{number:05d}.json"

    def _listed(self) -> dict[int, str]:
        if self._keys is None:
            pages = client("s3").get_paginator("list_objects_v2")
            self._keys = {
                int(item["Key"].rsplit("-", 1)[1].removesuffix(".json")): item["Key"]
                for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix)
                for item in page.get("Contents", [])
            }
        return self._keys

    def forget_listing(self) -> None:
        """List the prefix again on next use (other workers may have added)."""
        self._keys = None

    def has(self, number: int) -> bool:
        """True when page ``number`` was read by an earlier attempt."""
        return number in self._listed()

    def load(self, number: int) -> Any:
        """The reading an earlier attempt kept for page ``number``."""
        from chalicelib.ocr import PageReading

        body = client("s3").get_object(Bucket=self.bucket, Key=self._page_key(number))
        return PageReading(**json.loads(body["Body"].read()))

    def save(self, reading: Any) -> None:
        """Keep one page's reading as soon as it is read."""
        key = self._page_key(reading.number)
        client("s3").put_object(
            Bucket=self.bucket,
            Key=key,
            Body=json.dumps(reading.__dict__, ensure_ascii=False).encode("utf-8"),
            ContentType="application/json; charset=utf-8",
            **encryption_arguments(),
        )
        self._listed()[reading.number] = key

    def clear(self) -> None:
        """Remove the kept pages once the whole text is stored."""
        keys = list(self._listed().values())
        s3 = client("s3")
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})
        self._keys = {}


def _tesseract() -> Any:
    from chalicelib import ocr

    return ocr.TesseractEngine()


def _textract(document: DocumentModel) -> Any:
    """Textract for this document: its job's result, else the sync call."""
    from chalicelib import ocr, textract_jobs

    if get_settings().ocr_engine != "textract":
        return None
    if document.textract_job_id:
        return textract_jobs.JobReadings(document)
    return ocr.TextractEngine(client("textract"))


def _count_fallback(reason: str) -> None:
    count("OcrFallbacks")
    logger.warning("OCR fell back to Tesseract", extra={"reason": reason})


def _page_json(page: Any) -> dict[str, Any]:
    return {
        "number": page.number,
        "text": page.text,
        "language": page.language,
        "confidence": round(page.confidence, 1),
        "source": page.source,
        "low_confidence": page.low_confidence,
    }


def document_language(pages: list[Any]) -> str:
    """The languages of a document's pages, most frequent first: ``ara+fra``.

    A page read in both scripts (``ara+fra``) counts for each of them.
    """
    counts = Counter(
        language
        for page in pages
        if page.language
        for language in page.language.split("+")
    )
    return "+".join(language for language, _ in counts.most_common())


def _download(document: DocumentModel, path: Path) -> str:
    """Stream a document's received bytes to ``path``; return their SHA-256.

    The bytes are the version received, and must be as many as it had.
    """
    digest = fetch(document.object_key, path, document.version_id)
    if document.size is not None and path.stat().st_size != int(document.size):
        count("EventMismatches")
        logger.error("stored bytes are not the size received")
        raise DocumentRejected(
            f"the stored file has {path.stat().st_size} bytes, "
            f"{int(document.size)} were received",
            code=MISMATCH_CODE,
        )
    return digest


def make_searchable(document: DocumentModel, tool: Sequence[str] = ()) -> None:
    """Give an OCR_DONE scanned PDF a text layer for its seal, within the budget.

    The words Tesseract placed while reading are laid on the pages when every
    page read has them; otherwise OCRmyPDF reads the pages again, within the
    budget. The searchable copy goes under ``tmp/searchable/`` and the outcome
    on the document (``text_layer``): ``ADDED``, or ``SKIPPED`` /
    ``NOT_NEEDED`` with the reason. The original is never changed. Other files, and
    documents past OCR_DONE or already decided, are left alone. ``tool``
    replaces the OCRmyPDF command (tests). Raises only for storage faults;
    the OCR function lets those pass too (``functions.ocr.handler``).
    """
    from chalicelib import text_layer

    if document.status != "OCR_DONE" or document.text_layer is not None:
        return
    if document.content_type != "application/pdf":
        return
    settings = get_settings()
    budget = text_layer.Budget(
        settings.text_layer_seconds_per_page, settings.text_layer_max_seconds
    )
    with tempfile.TemporaryDirectory(prefix="justicia-layer-") as workdir:
        original, searchable = Path(workdir) / "original", Path(workdir) / "out.pdf"
        if _download(document, original) != document.sha256:
            return  # signing refuses the changed bytes
        outcome = _lay_text(document, original, searchable, budget, tool)
        layer = TextLayerMap(
            status=outcome.status,
            code=outcome.code,
            source_sha256=document.sha256,
            seconds=outcome.seconds,
            method=outcome.method,
        )
        if outcome.status == text_layer.ADDED:
            layer.object_key = searchable_pdf_key(
                document.case_id, document.document_id
            )
            layer.object_sha256, layer.object_version = _store_object(
                searchable, layer.object_key, "application/pdf"
            )
    _record_text_layer(document, layer)
    client("s3").delete_object(
        Bucket=settings.documents_bucket,
        Key=words_key(document.case_id, document.document_id),
    )


def _lay_text(
    document: DocumentModel,
    original: Path,
    searchable: Path,
    budget: Any,
    tool: Sequence[str],
) -> Any:
    """Lay the words read when all are at hand, else let OCRmyPDF read again."""
    from chalicelib import text_layer

    needed = _pages_without_text(document)
    if not needed:
        return text_layer.TextLayerOutcome(
            status=text_layer.NOT_NEEDED, code=text_layer.ALREADY_TEXT
        )
    if text_layer.carries_signature(original):
        return text_layer.TextLayerOutcome(
            status=text_layer.SKIPPED, code=text_layer.SIGNED_BY_FILER
        )
    words = _stored_words(document)
    method = get_settings().text_layer_method
    if method == "words" and not tool and all(n in words for n in needed):
        try:
            laid = text_layer.lay_words(original, searchable, words)
        except text_layer.UnsupportedPage:
            laid = None
        if laid is not None and laid.status == text_layer.ADDED:
            return laid
    return text_layer.add_text_layer(
        original,
        searchable,
        pages_to_read=len(needed),
        languages=text_layer.tesseract_languages(document.language or ""),
        budget=budget,
        **({"tool": tool} if tool else {}),
    )


def _pages_without_text(document: DocumentModel) -> list[int]:
    """The numbers of the pages that were OCR'd, not taken from a text layer."""
    from chalicelib.documents import read_text as stored_text

    return [
        int(page["number"])
        for page in stored_text(document)
        if page["source"] != "text-layer"
    ]


def _record_text_layer(document: DocumentModel, layer: TextLayerMap) -> None:
    """Write the outcome once, while the document still waits for its seal."""
    try:
        document.update(
            actions=[DocumentModel.text_layer.set(layer)],
            condition=(DocumentModel.status == "OCR_DONE")
            & DocumentModel.text_layer.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        document.refresh(consistent_read=True)
        return
    if layer.status == "ADDED":
        count("TextLayersAdded")
    elif layer.status == "SKIPPED":
        count("TextLayersSkipped")
    logger.info(
        "text layer",
        extra={"status": layer.status, "code": layer.code, "seconds": layer.seconds},
    )


def _sealing_source(
    document: DocumentModel, original: Path
) -> tuple[Path, TextLayerMap | None]:
    """The file to seal: the searchable copy when one was made and is intact.

    Returns it, and the text layer's new record when the copy had to be given
    up (gone, or not the bytes recorded): the original is sealed then.
    """
    layer = document.text_layer
    if layer is None or layer.status != "ADDED" or not layer.object_key:
        return original, None
    searchable = original.with_name("searchable.pdf")
    s3 = client("s3")
    try:
        digest = fetch(layer.object_key, searchable, layer.object_version)
    except s3.exceptions.ClientError:
        digest = ""
    if digest == layer.object_sha256:
        return searchable, None
    count("TextLayersLost")
    logger.warning("searchable copy missing or changed: sealing the original")
    lost = TextLayerMap(
        status="SKIPPED", code="text_layer_failed", source_sha256=document.sha256
    )
    return original, lost


def sign(document: DocumentModel) -> None:
    """Seal an OCR_DONE document in the HSM and mark it SIGNED.

    A PDF becomes a new PAdES object under ``signed/`` (made from its
    searchable copy when ``make_searchable`` made one); any other file gets a
    detached CMS signature under ``signatures/``. The original stays untouched;
    its bytes are hashed again on the way, and a mismatch with the digest
    recorded at reading means the object changed, and is refused. The
    fingerprints of the public register (``chalicelib.verification``) are
    written in the transaction that marks the document SIGNED.
    """
    from chalicelib import verification

    if document.status != "OCR_DONE":
        return
    case = find_case(document.case_id)
    if case is None:
        raise DocumentRejected("the document's case no longer exists")
    with tempfile.TemporaryDirectory(prefix="justicia-sign-") as workdir:
        original = Path(workdir) / "original"
        if _download(document, original) != document.sha256:
            raise DocumentRejected("the stored file changed after it was read")
        source, layer = _sealing_source(document, original)
        started = time.perf_counter()
        record = _seal(document, source, Path(workdir) / "sealed")
        elapsed_ms = (time.perf_counter() - started) * 1000
    registered = verification.fingerprints(
        document, record, case.court_code, str(file_number_of(case))
    )
    transition(
        document,
        "OCR_DONE",
        "SIGNED",
        [DocumentModel.signature.set(record)]
        + ([DocumentModel.text_layer.set(layer)] if layer else []),
        also_save=registered.entries,
        also_update=registered.heads,
    )
    count("DocumentsSigned")
    _record_signing_latency(elapsed_ms)


def _record_signing_latency(milliseconds: float) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(
        name="SigningLatency", unit=MetricUnit.Milliseconds, value=milliseconds
    )


def _seal(document: DocumentModel, original: Path, sealed: Path) -> SignatureMap:
    """Seal ``original`` into ``sealed``, store it, and describe the seal."""
    from chalicelib import signing

    with original.open("rb") as source, sealed.open("w+b") as output:
        if document.content_type == "application/pdf":
            try:
                seal = signing.seal_pdf(source, output)
            except signing.UnsignableDocument as exc:
                # The file itself is at fault (its cross-references, say):
                # sealing it again cannot help.
                raise DocumentRejected(
                    str(exc), quarantine=True, code="document_corrupt"
                ) from exc
            key = signed_pdf_key(document.case_id, document.document_id)
        else:
            signature, seal = signing.seal_detached(source)
            output.write(signature)
            key = detached_signature_key(document.case_id, document.document_id)
    digest, version = _store_sealed(sealed, key, seal.format)
    return SignatureMap(
        format=seal.format,
        algorithm=seal.algorithm,
        certificate_subject=seal.certificate_subject,
        certificate_serial=seal.certificate_serial,
        signing_time=seal.signing_time,
        object_key=key,
        object_sha256=digest,
        object_version=version,
    )


def _store_sealed(path: Path, key: str, format_name: str) -> tuple[str, str | None]:
    """Put a sealed object; return its SHA-256 and the S3 version written."""
    return _store_object(path, key, SEALED_CONTENT_TYPES[format_name])


def _store_object(path: Path, key: str, content_type: str) -> tuple[str, str | None]:
    """Put a file in the documents bucket; its SHA-256 and the version written."""
    digest = hashlib.sha256()
    with path.open("rb") as sealed:
        for chunk in iter(lambda: sealed.read(DOWNLOAD_CHUNK), b""):
            digest.update(chunk)
        sealed.seek(0)
        answer = client("s3").put_object(
            Bucket=get_settings().documents_bucket,
            Key=key,
            Body=sealed,
            ContentType=content_type,
            **encryption_arguments(),
        )
    version = answer.get("VersionId")
    return digest.hexdigest(), str(version) if version and version != "null" else None


def mark_failed(
    document: DocumentModel,
    reason: str,
    quarantined_as: str | None = None,
    code: str = FAILED_CODE,
) -> None:
    """End a document ``FAILED`` with ``reason`` and its ``code`` (idempotent)."""
    if document.status in ("FAILED", "SIGNED"):
        return
    details = {"reason": reason, "code": code}
    if quarantined_as:
        details["quarantined_as"] = quarantined_as
    transition(
        document,
        document.status,
        "FAILED",
        [
            DocumentModel.failure_reason.set(reason),
            DocumentModel.failure_code.set(code),
        ],
        details=details,
    )
    count("DocumentsFailed")


def refuse(document: DocumentModel, rejection: DocumentRejected) -> None:
    """End a document ``FAILED``; bytes at fault are moved to quarantine first.

    Quarantine comes first: a crash between the two steps leaves the document
    in its status, and the retry finds the bytes gone and fails it then.
    """
    target = None
    if rejection.quarantine and document.status not in ("FAILED", "SIGNED"):
        target = quarantine_received(document, str(rejection))
    mark_failed(document, str(rejection), target, rejection.code)


def quarantine_received(document: DocumentModel, reason: str) -> str | None:
    """Move a document's received bytes to ``quarantine/``; return where.

    The version received is copied with the reason in its metadata, then that
    version itself is deleted, so the bytes leave the records and not only
    disappear behind a delete marker. None when no bytes are left to move.
    """
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    stored = StoredObject(bucket, document.object_key, 0, "", document.version_id)
    try:
        version = stored.current_version()
    except s3.exceptions.ClientError:
        return None
    target = f"quarantine/{document.object_key}"
    source = {"Bucket": bucket, "Key": document.object_key}
    s3.copy_object(
        Bucket=bucket,
        Key=target,
        CopySource={**source, **({"VersionId": version} if version else {})},
        Metadata={"quarantine-reason": reason.encode("ascii", "replace").decode()},
        MetadataDirective="REPLACE",
        **encryption_arguments(),
    )
    s3.delete_object(**source, **({"VersionId": version} if version else {}))
    count("DocumentsQuarantined")
    logger.warning("document quarantined", extra={"reason": reason})
    return target


def transition(
    document: DocumentModel,
    expected: str,
    new_status: str,
    actions: Sequence[Action],
    details: dict[str, Any] | None = None,
    also_save: Sequence[Model] = (),
    also_update: Sequence[tuple[Model, list[Action]]] = (),
) -> bool:
    """Move ``document`` from ``expected`` to ``new_status`` with its audit record.

    ``also_save`` items are written, and ``also_update`` items updated with
    their actions, in the same transaction. Returns False (and changes
    nothing) when another delivery moved it first.
    """
    now = datetime.now(UTC)
    entry = audit.AuditEntry(
        action=f"DOCUMENT_{new_status}",
        target=f"case#{document.case_id}",
        details={"document_id": document.document_id, **(details or {})},
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.update(
                document,
                actions=[
                    DocumentModel.status.set(new_status),
                    DocumentModel.updated_at.set(now),
                    *actions,
                ],
                condition=DocumentModel.status == expected,
            )
            transaction.save(audit.build_record(audit.SYSTEM, entry, now))
            for item in also_save:
                transaction.save(item)
            for item, item_actions in also_update:
                transaction.update(item, actions=item_actions)
    except TransactWriteError as exc:
        if any(
            r is not None and r.code == "ConditionalCheckFailed"
            for r in exc.cancellation_reasons or []
        ):
            return False
        raise
    document.refresh(consistent_read=True)
    logger.info(
        "document status",
        extra={
            "case_id": document.case_id,
            "document_id": document.document_id,
            "status": new_status,
        },
    )
    return True
