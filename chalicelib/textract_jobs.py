"""Asynchronous Textract text detection of PDFs and TIFFs (AWS only).

When the stage reads with Textract (``JUSTICIA_OCR_ENGINE=textract``) and has
a notification channel (``JUSTICIA_TEXTRACT_TOPIC_ARN`` and
``JUSTICIA_TEXTRACT_ROLE_ARN``), a received PDF or TIFF with scanned pages is
handed to Textract whole, and no Lambda waits for it:

1. the OCR function checks the bytes (``pipeline._inspect``), then ``begin``
   calls StartDocumentTextDetection on the stored object version, with the
   notification channel, the document id as ``JobTag`` and a
   ``ClientRequestToken`` derived from the document (a retry after a crash
   gets the same job back). The job id is recorded on the document
   (``textract_job_id``, indexed) and the document stays ``RECEIVED``;
2. Textract publishes the completion to the SNS topic, which feeds the
   ``textract-completions`` queue and its function (``functions/textract``):
   the job is matched to its document by the index (``document_of``), its
   blocks are fetched page after page (``NextToken``), parsed with textractor
   and kept under ``tmp/textract/<case>/<document>/`` (``collect``), and the
   document is queued back to the OCR function;
3. the OCR function reads the document as always, with the kept result as
   its primary engine (``JobReadings``): a text-layer page is extracted;
   a page Tesseract's script detection finds Arabic or unsure is read by
   Tesseract; a Latin page takes Textract's text, unless Textract has none
   for it (a FAILED job, a page missing from a PARTIAL_SUCCESS one) or none
   it is sure of: that page falls back to Tesseract, counted in
   ``OcrFallbacks``. Long documents are fanned out in chunks as usual.

A start Textract throttles (after the client's retries) or refuses leaves no
job: the document is read at once with Tesseract, every Latin page counted as
a fallback. Document text is never logged.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pynamodb.exceptions import UpdateError

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.documents import encryption_arguments
from chalicelib.models import DocumentModel
from chalicelib.observability import count, logger
from chalicelib.ocr import PageReading, TextractUnavailable, textract_reading
from chalicelib.textract import TextractPage

ASYNC_CONTENT_TYPES = ("application/pdf", "image/tiff")
READABLE_STATUSES = ("SUCCEEDED", "PARTIAL_SUCCESS")
FINISHED_STATUSES = (*READABLE_STATUSES, "FAILED")


class Completion(BaseModel):
    """What Textract publishes when a job ends (the SNS message's body)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    job_id: str = Field(alias="JobId", min_length=1, max_length=64)
    status: str = Field(alias="Status")
    api: str = Field(default="", alias="API")
    job_tag: str = Field(default="", alias="JobTag")


class UnknownJob(Exception):
    """A completion names a job no document records (yet)."""


def completion_of(body: str) -> Completion:
    """The completion an SQS message carries: SNS-wrapped, or raw delivery."""
    message = json.loads(body)
    if isinstance(message, dict) and isinstance(message.get("Message"), str):
        message = json.loads(message["Message"])
    return Completion.model_validate(message)


def wants_job(document: DocumentModel) -> bool:
    """True when this stage reads this document with an asynchronous job."""
    settings = get_settings()
    return (
        settings.ocr_engine == "textract"
        and document.content_type in ASYNC_CONTENT_TYPES
        and bool(settings.textract_topic_arn and settings.textract_role_arn)
    )


def request_token(document: DocumentModel) -> str:
    """The ``ClientRequestToken`` of a document's job: one job per document."""
    name = f"justicia:textract:{document.case_id}/{document.document_id}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).hex


class Refused:
    """The primary engine when no job could start: every page falls back."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def read_image(self, image_path: str, number: int) -> PageReading:
        """Never reads: Tesseract takes the page, counted as a fallback."""
        raise TextractUnavailable(f"job not started: {self.reason}")


def begin(document: DocumentModel) -> Any:
    """Start (or pick up) the document's job; the primary engine to read with.

    None when the document now waits for its job's completion. A job already
    recorded (a reprocess, a completion lost) is looked at: still running, the
    document waits; finished, its result is collected now. A start Textract
    throttles or refuses gives ``Refused``.
    """
    if document.textract_job_id:
        return _resume(document, document.textract_job_id)
    try:
        job_id = _start(document)
    except TextractUnavailable as error:
        logger.warning("textract job not started", extra={"reason": str(error)})
        return Refused(str(error))
    _record(document, job_id)
    count("TextractJobsStarted")
    logger.info("textract job started", extra={"job_id": job_id})
    return None


def _start(document: DocumentModel) -> str:
    from chalicelib.ocr import _textract_error_code

    settings = get_settings()
    location: dict[str, str] = {
        "Bucket": settings.documents_bucket,
        "Name": document.object_key,
    }
    if document.version_id:
        location["Version"] = document.version_id
    try:
        answer = client("textract").start_document_text_detection(
            DocumentLocation={"S3Object": location},
            ClientRequestToken=request_token(document),
            JobTag=document.document_id,
            NotificationChannel={
                "SNSTopicArn": settings.textract_topic_arn,
                "RoleArn": settings.textract_role_arn,
            },
        )
    except Exception as error:  # ClientError (throttled, refused), BotoCoreError
        raise TextractUnavailable(_textract_error_code(error)) from error
    return str(answer["JobId"])


def _record(document: DocumentModel, job_id: str) -> None:
    """Note the job on the document, while it still waits to be read."""
    try:
        document.update(
            actions=[DocumentModel.textract_job_id.set(job_id)],
            condition=DocumentModel.status == "RECEIVED",
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("textract job started for a document no longer waiting")


def _resume(document: DocumentModel, job_id: str) -> Any:
    pages = JobPages(document)
    if pages.job_status() is not None:
        return JobReadings(document)
    answer = client("textract").get_document_text_detection(JobId=job_id, MaxResults=1)
    status = str(answer.get("JobStatus", ""))
    if status not in FINISHED_STATUSES:
        logger.info("textract job still running", extra={"job_id": job_id})
        return None
    collect(document, Completion(JobId=job_id, Status=status))
    return JobReadings(document)


def document_of(completion: Completion) -> DocumentModel:
    """The document a completed job reads; ``UnknownJob`` when none records it."""
    found = list(DocumentModel.textract_job_index.query(completion.job_id, limit=1))
    if not found:
        raise UnknownJob(completion.job_id)
    return DocumentModel.get(
        found[0].case_id, found[0].document_id, consistent_read=True
    )


def why_ignored(document: DocumentModel, completion: Completion) -> str | None:
    """Why a matched completion must not be collected, or None to collect it."""
    if document.textract_job_id != completion.job_id:
        return "the document now waits for another job"
    if document.status != "RECEIVED":
        return f"the document is already {document.status}"
    if completion.job_tag and completion.job_tag != document.document_id:
        return "the job's tag names another document"
    if completion.status not in FINISHED_STATUSES:
        return f"the job is {completion.status}"
    return None


def collect(document: DocumentModel, completion: Completion) -> int:
    """Fetch and keep a finished job's pages; return how many were kept.

    The job's status is written last: a crash midway leaves no status, and
    the next attempt collects again (each page simply rewritten).
    """
    from chalicelib import textract

    pages = JobPages(document)
    kept = 0
    if completion.status in READABLE_STATUSES:
        blocks = textract.detected_blocks(client("textract"), completion.job_id)
        for page in textract.pages_of_blocks(blocks):
            pages.save(page)
            kept += 1
    pages.save_status(completion.job_id, completion.status)
    logger.info(
        "textract job collected",
        extra={"job_id": completion.job_id, "status": completion.status, "pages": kept},
    )
    return kept


def pages_prefix(case_id: str, document_id: str) -> str:
    """Where a job's pages are kept until the document is read."""
    return f"tmp/textract/{case_id}/{document_id}/"


class JobPages:
    """A finished job's pages, one JSON object each, and its status, in S3."""

    def __init__(self, document: DocumentModel) -> None:
        self.bucket = get_settings().documents_bucket
        self.prefix = pages_prefix(document.case_id, document.document_id)

    def _get(self, key: str) -> dict[str, Any] | None:
        s3 = client("s3")
        try:
            answer = s3.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except s3.exceptions.NoSuchKey:
            return None
        loaded: dict[str, Any] = json.loads(answer["Body"].read())
        return loaded

    def _put(self, key: str, value: dict[str, Any]) -> None:
        client("s3").put_object(
            Bucket=self.bucket,
            Key=self.prefix + key,
            Body=json.dumps(value, ensure_ascii=False).encode("utf-8"),
            ContentType="application/json; charset=utf-8",
            **encryption_arguments(),
        )

    def save(self, page: TextractPage) -> None:
        """Keep one page as Textract read it."""
        self._put(f"page-{page.number:05d}.json", page.__dict__)

    def load(self, number: int) -> TextractPage | None:
        """The page Textract returned, or None when it returned none."""
        kept = self._get(f"page-{number:05d}.json")
        return TextractPage(**kept) if kept else None

    def save_status(self, job_id: str, status: str) -> None:
        """Note the job's final status, once every page is kept."""
        self._put("job.json", {"job_id": job_id, "status": status})

    def job_status(self) -> str | None:
        """The job's final status, None until its pages are all kept."""
        kept = self._get("job.json")
        return str(kept["status"]) if kept else None

    def clear(self) -> None:
        """Remove the kept pages once the document's text is stored."""
        s3 = client("s3")
        listing = s3.get_paginator("list_objects_v2")
        for answer in listing.paginate(Bucket=self.bucket, Prefix=self.prefix):
            keys = [{"Key": item["Key"]} for item in answer.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


class JobReadings:
    """The primary engine of a document read by a job: its kept pages."""

    def __init__(self, document: DocumentModel) -> None:
        self.pages = JobPages(document)
        self._status: str | None = None

    def read_image(self, image_path: str, number: int) -> PageReading:
        """Textract's reading of page ``number``.

        Raises ``TextractUnavailable`` when the job failed, left the page out,
        or found no text on it it is sure of: Tesseract reads it instead.
        """
        if self._status is None:
            self._status = self.pages.job_status() or "UNCOLLECTED"
        if self._status not in READABLE_STATUSES:
            raise TextractUnavailable(f"job {self._status}")
        page = self.pages.load(number)
        if page is None:
            raise TextractUnavailable(f"page not in the {self._status} job")
        return textract_reading(page)
