"""Asynchronous Textract jobs: SNS -> SQS -> completion function -> OCR.

The stack's moto server runs in this process (``ThreadedMotoServer``), so the
class attributes of moto's ``TextractBackend`` set here are what its Textract
answers: moto completes each job at once, publishes the completion on the
job's SNS topic (which the local stack subscribes the completions queue to,
as the CDK app does), and answers ``GetDocumentTextDetection`` with
``BLOCKS``. Those blocks are Textract-shaped pages built from the true text
of the French samples (``tests/textract_blocks.py``); the scans themselves
are the sample images, made into PDFs. Tesseract is real: it detects each
page's script, and reads what Textract does not.

moto pays no heed to ``ClientRequestToken`` or ``JobTag`` and cannot be made
to throttle: the throttled start answers from a botocore Stubber.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.stub import ANY, Stubber
from PIL import Image

from chalicelib import pipeline, textract_jobs
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.documents import read_text
from chalicelib.models import DocumentModel
from chalicelib.observability import metrics
from devstack.events import LocalContext, lambda_record
from functions.ocr import handler as ocr_handler
from functions.textract import handler as completion_handler
from tests.functional.test_documents import announce, settled
from tests.functional.test_ocr_faults import received
from tests.support import Api, new_case, run_pipeline, sample, upload
from tests.textract_blocks import mean_word_confidence, page_blocks, truth_lines

FRENCH = ("fr_loi_43-20_mild", "fr_tapus_an96ap_journal_p0002")
ARABIC = "ar_judgment_commercial_sans_mild"
# What Textract, which does not read Arabic, makes of an Arabic page: Latin
# shapes, some of them with high confidence.
ARABIC_AS_LATIN = ["JI ~ ll.J1 4J", "lc-U, ~JJl ~l"]


def scan_pdf(*samples: str) -> bytes:
    """A scanned PDF (no text layer): one sample image per page, at 300 dpi."""
    pages = [Image.open(sample(f"{name}.jpg")).convert("L") for name in samples]
    buffer = io.BytesIO()
    pages[0].save(
        buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=300
    )
    return buffer.getvalue()


@pytest.fixture
def textract_stage(
    stack: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """This stage reads with Textract; yields a setter of moto's next answer."""
    from moto.textract.models import TextractBackend

    saved = (TextractBackend.BLOCKS, TextractBackend.PAGES, TextractBackend.JOB_STATUS)

    def answer(
        blocks: list[dict[str, Any]], pages: int, status: str = "SUCCEEDED"
    ) -> None:
        TextractBackend.BLOCKS = blocks
        TextractBackend.PAGES = pages  # type: ignore[assignment]
        TextractBackend.JOB_STATUS = status

    with monkeypatch.context() as patched:
        patched.setenv("JUSTICIA_OCR_ENGINE", "textract")
        get_settings.cache_clear()
        metrics.clear_metrics()
        try:
            yield answer
        finally:
            (
                TextractBackend.BLOCKS,
                TextractBackend.PAGES,
                TextractBackend.JOB_STATUS,
            ) = saved
            metrics.clear_metrics()
    get_settings.cache_clear()


def take_messages(
    queue_url: str, wanted: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """Remove and return the messages ``wanted`` picks; leave the others."""
    sqs = client("sqs")
    taken: list[dict[str, Any]] = []
    for _ in range(3):
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        for message in messages:
            receipt = message["ReceiptHandle"]
            if wanted(json.loads(message["Body"])):
                taken.append(message)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt)
            else:
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=receipt, VisibilityTimeout=0
                )
        if taken:
            break
    return taken


def completions_of(job_id: str) -> list[dict[str, Any]]:
    """The completion messages of ``job_id`` moto delivered through SNS."""

    def of_job(body: dict[str, Any]) -> bool:
        return bool(json.loads(body.get("Message", "{}")).get("JobId") == job_id)

    return take_messages(get_settings().textract_completions_queue_url, of_job)


def read_requests_of(document: DocumentModel) -> list[dict[str, Any]]:
    """The ``{"textract": ...}`` requests queued to OCR for ``document``."""

    def of_document(body: dict[str, Any]) -> bool:
        request = body.get("textract", {})
        return bool(request.get("document_id") == document.document_id)

    return take_messages(get_settings().document_events_queue_url, of_document)


def record(message: dict[str, Any]) -> SQSRecord:
    return SQSRecord(lambda_record(message, "arn:aws:sqs:eu-west-3:0:test"))


def complete_and_read(document: DocumentModel) -> None:
    """Deliver the job's completion, then the OCR request it queues."""
    (completion,) = completions_of(str(document.textract_job_id))
    completion_handler.record_handler(record(completion))
    (request,) = read_requests_of(document)
    ocr_handler.record_handler(record(request))
    document.refresh()


def fallbacks() -> list[float]:
    return list(metrics.metric_set.get("OcrFallbacks", {}).get("Value", []))


def test_uploaded_scan_is_read_by_its_job_then_signed(
    api: Api, as_role: Any, textract_stage: Callable[..., None]
) -> None:
    french, arabic = [truth_lines(name) for name in FRENCH], ARABIC_AS_LATIN
    blocks = [
        page_blocks(french[0], 1),
        page_blocks(arabic, 2, confidence=(85.0, 95.0)),
        page_blocks(french[1], 3),
    ]
    textract_stage([b for page in blocks for b in page], 3)
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    data = scan_pdf(FRENCH[0], ARABIC, FRENCH[1])
    announced = announce(api, clerk, case["id"], data, "application/pdf")
    assert upload(announced["upload"], data, "application/pdf") == 204

    run_pipeline(
        lambda: settled(case["id"], announced["document_id"]),
        seconds=300,
        only=("ocr", "textract", "signing"),
    )

    document = DocumentModel.get(case["id"], announced["document_id"])
    assert document.status == "SIGNED", document.failure_reason
    assert document.textract_job_id
    pages = read_text(document)
    assert [page["source"] for page in pages] == ["textract", "tesseract", "textract"]
    assert [page["language"] for page in pages] == ["fra", "ara", "fra"]
    assert pages[0]["text"] == "\n".join(french[0])
    assert pages[2]["text"] == "\n".join(french[1])
    assert pages[0]["confidence"] == round(mean_word_confidence(blocks[0]), 1)
    assert "JI ~" not in pages[1]["text"]
    assert "المحكمة" in pages[1]["text"]
    assert document.language == "fra+ara"
    kept = client("s3").list_objects_v2(
        Bucket=get_settings().documents_bucket,
        Prefix=textract_jobs.pages_prefix(document.case_id, document.document_id),
    )
    assert kept.get("KeyCount", 0) == 0


def test_document_waits_for_its_job_without_a_reading(
    textract_stage: Callable[..., None],
) -> None:
    textract_stage(page_blocks(truth_lines(FRENCH[1]), 1), 1)
    document = received(scan_pdf(FRENCH[1]), "application/pdf")

    pipeline.read_text(document)

    document.refresh()
    assert document.status == "RECEIVED"
    assert document.text_key is None
    assert document.textract_job_id
    assert metrics.metric_set["TextractJobsStarted"]["Value"] == [1.0]
    found = textract_jobs.document_of(
        textract_jobs.Completion(JobId=document.textract_job_id, Status="SUCCEEDED")
    )
    assert (found.case_id, found.document_id) == (
        document.case_id,
        document.document_id,
    )
    assert completions_of(document.textract_job_id)  # drained for the next tests


def test_failed_job_falls_back_to_tesseract_and_is_counted(
    textract_stage: Callable[..., None],
) -> None:
    textract_stage([], 0, status="FAILED")
    document = received(scan_pdf(*FRENCH), "application/pdf")
    pipeline.read_text(document)

    complete_and_read(document)

    assert document.status == "OCR_DONE", document.failure_reason
    pages = read_text(document)
    assert [page["source"] for page in pages] == ["tesseract", "tesseract"]
    assert "présente loi" in pages[0]["text"]
    assert sum(fallbacks()) == 2


def test_missing_and_unsure_pages_of_a_partial_job_go_to_tesseract(
    textract_stage: Callable[..., None],
) -> None:
    # Page 1 read well, page 2 read badly, page 3 left out of a partial job.
    first, second = truth_lines(FRENCH[0]), truth_lines(FRENCH[1])
    blocks = page_blocks(first, 1) + page_blocks(second, 2, confidence=(25.0, 55.0))
    textract_stage(blocks, 2, status="PARTIAL_SUCCESS")
    document = received(scan_pdf(FRENCH[0], FRENCH[1], FRENCH[0]), "application/pdf")
    pipeline.read_text(document)

    complete_and_read(document)

    assert document.status == "OCR_DONE", document.failure_reason
    pages = read_text(document)
    assert [page["source"] for page in pages] == ["textract", "tesseract", "tesseract"]
    assert pages[0]["text"] == "\n".join(first)
    assert "présente loi" in pages[2]["text"]
    assert sum(fallbacks()) == 2


def test_throttled_start_reads_with_tesseract_and_counts_it(
    textract_stage: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    throttled = boto3.client("textract", region_name=get_settings().region)
    stubber = Stubber(throttled)
    stubber.add_client_error(
        "start_document_text_detection",
        service_error_code="ThrottlingException",
        http_status_code=400,
        expected_params={
            "DocumentLocation": ANY,
            "ClientRequestToken": ANY,
            "JobTag": ANY,
            "NotificationChannel": {
                "SNSTopicArn": get_settings().textract_topic_arn,
                "RoleArn": get_settings().textract_role_arn,
            },
        },
    )
    real = textract_jobs.client
    monkeypatch.setattr(
        textract_jobs,
        "client",
        lambda service: throttled if service == "textract" else real(service),
    )
    document = received(scan_pdf(FRENCH[0]), "application/pdf")

    with stubber:
        pipeline.read_text(document)
        stubber.assert_no_pending_responses()

    document.refresh()
    assert document.status == "OCR_DONE"
    assert document.textract_job_id is None
    (page,) = read_text(document)
    assert page["source"] == "tesseract"
    assert "présente loi" in page["text"]
    assert fallbacks() == [1.0]
    assert "TextractJobsStarted" not in metrics.metric_set


def test_a_completion_delivered_twice_is_processed_once(
    textract_stage: Callable[..., None],
) -> None:
    textract_stage(page_blocks(truth_lines(FRENCH[1]), 1), 1)
    document = received(scan_pdf(FRENCH[1]), "application/pdf")
    pipeline.read_text(document)
    (completion,) = completions_of(str(document.textract_job_id))

    for _ in range(2):
        completion_handler.record_handler(record(completion))

    assert len(read_requests_of(document)) == 1
    assert "TextractCompletionsIgnored" not in metrics.metric_set


def test_a_completion_for_a_job_the_document_no_longer_waits_for_is_ignored(
    textract_stage: Callable[..., None],
) -> None:
    textract_stage(page_blocks(truth_lines(FRENCH[1]), 1), 1)
    document = received(scan_pdf(FRENCH[1]), "application/pdf")
    pipeline.read_text(document)
    (completion,) = completions_of(str(document.textract_job_id))
    document.update(actions=[DocumentModel.status.set("FAILED")])

    completion_handler.record_handler(record(completion))

    assert metrics.metric_set["TextractCompletionsIgnored"]["Value"] == [1.0]
    assert read_requests_of(document) == []


def test_a_completion_for_an_unknown_job_is_counted_and_retried(
    textract_stage: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret_key = "incoming/TPI-RABAT/1-1201-2026/Jugement Salma Mouwatina.pdf"
    message = {
        "MessageId": "m-unknown",
        "ReceiptHandle": "r-unknown",
        "Body": json.dumps(
            {
                "Type": "Notification",
                "Message": json.dumps(
                    {
                        "JobId": "f" * 64,
                        "Status": "SUCCEEDED",
                        "API": "StartDocumentTextDetection",
                        "JobTag": "",
                        "DocumentLocation": {
                            "S3Bucket": get_settings().documents_bucket,
                            "S3ObjectName": secret_key,
                        },
                    }
                ),
            }
        ),
    }
    with pytest.raises(textract_jobs.UnknownJob):
        completion_handler.record_handler(record(message))
    assert metrics.metric_set["TextractCompletionsUnmatched"]["Value"] == [1.0]

    # In a batch, only that record fails: the queue retries it alone, then
    # dead-letters it (a known job's completion beside it goes through).
    textract_stage(page_blocks(truth_lines(FRENCH[1]), 1), 1)
    document = received(scan_pdf(FRENCH[1]), "application/pdf")
    pipeline.read_text(document)
    (known,) = completions_of(str(document.textract_job_id))
    event = {
        "Records": [
            lambda_record(m, "arn:aws:sqs:eu-west-3:0:test") for m in (message, known)
        ]
    }
    answer = completion_handler.lambda_handler(event, LocalContext("textract"))

    assert answer["batchItemFailures"] == [{"itemIdentifier": "m-unknown"}]
    assert len(read_requests_of(document)) == 1
    output = capsys.readouterr()
    extras = [json.dumps(r.__dict__, default=str) for r in caplog.records]
    logged = output.out + output.err + caplog.text + "".join(extras)
    assert "textract completion for a job no document records" in logged
    assert "TextractCompletionsUnmatched" in logged  # the metric, flushed
    assert "Salma" not in logged and "Jugement" not in logged


def test_a_lost_completion_is_picked_up_by_a_reprocess(
    textract_stage: Callable[..., None],
) -> None:
    lines = truth_lines(FRENCH[1])
    textract_stage(page_blocks(lines, 1), 1)
    document = received(scan_pdf(FRENCH[1]), "application/pdf")
    pipeline.read_text(document)
    job_id = document.textract_job_id
    assert completions_of(str(job_id))  # the completion is lost

    pipeline.read_text(document)  # what ``justicia documents reprocess`` runs

    document.refresh()
    assert document.status == "OCR_DONE"
    assert document.textract_job_id == job_id  # no second job
    assert metrics.metric_set["TextractJobsStarted"]["Value"] == [1.0]
    (page,) = read_text(document)
    assert (page["source"], page["text"]) == ("textract", "\n".join(lines))


def test_dead_lettered_completions_are_redriven_to_their_queue(stack: Any) -> None:
    from chalicelib.operations import dead_letter_url, queue_url
    from cli.main import OK, main

    source = queue_url("textract")
    assert source == get_settings().textract_completions_queue_url
    body = json.dumps(
        {"Type": "Notification", "Message": json.dumps({"JobId": "j" * 40})}
    )
    client("sqs").send_message(QueueUrl=dead_letter_url(source), MessageBody=body)

    assert main(["queues", "redrive", "textract", "--operator", "tester"]) == OK

    def redriven(message: dict[str, Any]) -> bool:
        return bool(json.loads(message.get("Message", "{}")).get("JobId") == "j" * 40)

    assert len(take_messages(source, redriven)) == 1
