"""Reading faults (Textract throttled, a worker killed mid-document) and fan-out.

The documents are put straight into the RECEIVED state under a prefix that
notifies no queue, so each test drives ``pipeline.read_text`` itself with the
engines it needs: real Tesseract, and a real boto3 Textract client answering
from a botocore Stubber (moto's Textract cannot be made to throttle).
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from PIL import Image

from chalicelib import audit, pipeline
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.documents import page_progress_prefix, read_text
from chalicelib.models import DocumentModel
from chalicelib.observability import metrics
from chalicelib.ocr import PageReading, TesseractEngine, TextractEngine
from tests.functional.test_documents import settled, small_page
from tests.support import Api, new_case, run_pipeline, sample


def received(
    data: bytes, content_type: str, case_id: str | None = None
) -> DocumentModel:
    """A document whose bytes arrived and were accepted, as the OCR step sees it."""
    case_id, document_id = case_id or str(uuid.uuid4()), str(uuid.uuid4())
    key = f"fixtures/{case_id}/{document_id}/original"
    answer = client("s3").put_object(
        Bucket=get_settings().documents_bucket, Key=key, Body=data
    )
    now = datetime.now(UTC)
    document = DocumentModel(
        case_id=case_id,
        document_id=document_id,
        status="RECEIVED",
        filename="scan",
        content_type=content_type,
        declared_size=len(data),
        size=len(data),
        object_key=key,
        version_id=answer.get("VersionId"),
        source="api",
        created_at=now,
        created_by="clerk",
        updated_at=now,
    )
    document.save()
    return document


def pdf_of_pages(*lines: str) -> bytes:
    """A scanned PDF (no text layer), one printed line per page."""
    pages = [Image.open(io.BytesIO(small_page(line))) for line in lines]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


class CountingTesseract(TesseractEngine):
    """Real Tesseract that notes each page it reads, and dies on one of them."""

    def __init__(self, dies_on: int | None = None) -> None:
        super().__init__()
        self.dies_on = dies_on
        self.pages: list[int] = []

    def read_image(
        self, image_path: str, number: int, script: str | None = None
    ) -> PageReading:
        if number == self.dies_on:
            raise MemoryError("the worker ran out of memory")
        self.pages.append(number)
        return super().read_image(image_path, number, script)


def kept_pages(document: DocumentModel) -> list[str]:
    listed = client("s3").list_objects_v2(
        Bucket=get_settings().documents_bucket,
        Prefix=page_progress_prefix(document.case_id, document.document_id),
    )
    return sorted(item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", []))


def test_crash_mid_document_resumes_without_reading_pages_again(stack: Any) -> None:
    document = received(
        pdf_of_pages("Premier feuillet", "Second feuillet", "Dernier feuillet"),
        "application/pdf",
    )
    first = CountingTesseract(dies_on=2)
    with pytest.raises(MemoryError):
        pipeline.read_text(document, engine=first)
    assert first.pages == [1]
    assert document.status == "RECEIVED"
    assert kept_pages(document) == ["page-00001.json"]

    second = CountingTesseract()
    pipeline.read_text(document, engine=second)

    assert second.pages == [2, 3]
    assert document.status == "OCR_DONE"
    pages = read_text(document)
    assert [page["number"] for page in pages] == [1, 2, 3]
    assert "premier" in pages[0]["text"].lower()
    assert "dernier" in pages[2]["text"].lower()
    assert kept_pages(document) == []


@pytest.fixture
def throttled_textract() -> Iterator[TextractEngine]:
    textract = boto3.client("textract", region_name=get_settings().region)
    with Stubber(textract) as stubber:
        stubber.add_client_error(
            "detect_document_text",
            service_error_code="ThrottlingException",
            http_status_code=400,
        )
        yield TextractEngine(textract)
        stubber.assert_no_pending_responses()


def test_throttled_textract_falls_back_to_tesseract_and_is_counted(
    stack: Any, throttled_textract: TextractEngine
) -> None:
    document = received(sample("fr_loi_43-20_mild.jpg").read_bytes(), "image/jpeg")
    metrics.clear_metrics()

    pipeline.read_text(document, primary=throttled_textract)

    assert document.status == "OCR_DONE"
    (page,) = read_text(document)
    assert page["source"] == "tesseract"
    assert "signature électronique" in page["text"].lower()
    assert metrics.metric_set["OcrFallbacks"]["Value"] == [1.0]
    metrics.clear_metrics()


def chunks_queued(document: DocumentModel) -> list[tuple[int, int]]:
    """The page chunks queued for ``document`` (left visible for the workers)."""
    sqs = client("sqs")
    queue = get_settings().document_events_queue_url
    received = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
    ).get("Messages", [])
    chunks = []
    for message in received:
        request = json.loads(message["Body"]).get("pages", {})
        if request.get("document_id") == document.document_id:
            chunks.append((request["first"], request["last"]))
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return sorted(chunks)


def test_long_document_is_read_in_chunks_then_signed(
    api: Api, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = new_case(api, as_role("clerk"))
    lines = ["Feuillet premier", "Feuillet second", "Feuillet tiers", "Quatre", "Fin"]
    document = received(pdf_of_pages(*lines), "application/pdf", case["id"])
    try:
        with monkeypatch.context() as patched:
            patched.setenv("JUSTICIA_OCR_PAGES_PER_CHUNK", "2")
            get_settings.cache_clear()
            pipeline.read_text(document)
    finally:
        get_settings.cache_clear()
    assert document.status == "RECEIVED"
    assert chunks_queued(document) == [(1, 2), (3, 4), (5, 5)]

    run_pipeline(lambda: settled(case["id"], document.document_id))

    document.refresh()
    assert document.status == "SIGNED", document.failure_reason
    assert document.pages == 5
    pages = read_text(document)
    assert [page["number"] for page in pages] == [1, 2, 3, 4, 5]
    assert "tiers" in pages[2]["text"].lower()
    assert kept_pages(document) == []
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    assert actions.count("DOCUMENT_OCR_DONE") == 1
