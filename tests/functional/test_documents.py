"""Documents from upload to signature, through the real local event loop."""

from __future__ import annotations

import hashlib
import io
import json
import time
from typing import Any

import pytest
from PIL import Image, ImageDraw

from chalicelib import audit, signing
from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.models import DocumentModel
from tests.support import Api, new_case, run_pipeline, sample, upload


def small_page(text: str = "Jugement du tribunal") -> bytes:
    """A small printed page as PNG: quick to read."""
    image = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(image).text((20, 60), text, fill=0, font_size=40)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def announce(
    api: Api, headers: dict[str, str], case_id: str, data: bytes, content_type: str
) -> dict[str, Any]:
    status, document = api.call(
        "POST",
        f"/cases/{case_id}/documents",
        headers,
        {"filename": "scan", "content_type": content_type, "size": len(data)},
    )
    assert status == 201, document
    return dict(document)


def status_of(case_id: str, document_id: str) -> str:
    return str(DocumentModel.get(case_id, document_id, consistent_read=True).status)


def settled(case_id: str, document_id: str) -> bool:
    return status_of(case_id, document_id) in ("SIGNED", "FAILED")


def test_upload_is_read_and_signed(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    data = sample("fr_loi_43-20_mild.jpg").read_bytes()
    document = announce(api, clerk, case["id"], data, "image/jpeg")
    assert document["status"] == "AWAITING_UPLOAD"
    assert upload(document["upload"], data, "image/jpeg") == 204

    run_pipeline(lambda: settled(case["id"], document["document_id"]))

    status, read = api.call(
        "GET", f"/cases/{case['id']}/documents/{document['document_id']}", clerk
    )
    assert status == 200
    assert read["status"] == "SIGNED", read.get("reason")
    assert read["language"] == "fra"
    assert read["pages"] == 1 and len(read["text"]) == 1
    assert "signature électronique" in read["text"][0]["text"].lower()
    assert read["text"][0]["low_confidence"] is False
    signature = read["signature"]
    assert signature["format"] == "CMS"
    assert signature["certificate_subject"].startswith("CN=Justicia court seal")
    p7s_key = f"signatures/{case['id']}/{document['document_id']}.p7s"
    assert signature["signed_object"]["location"] == p7s_key
    p7s = (
        client("s3")
        .get_object(Bucket=get_settings().documents_bucket, Key=p7s_key)["Body"]
        .read()
    )
    assert signature["signed_object"]["sha256"] == hashlib.sha256(p7s).hexdigest()
    assert signing.verify_detached(io.BytesIO(data), p7s).valid
    assert not signing.verify_detached(io.BytesIO(data + b"tampered"), p7s).intact

    assert read["sha256"] == hashlib.sha256(data).hexdigest()
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    for action in ("CREATE_DOCUMENT", "DOCUMENT_RECEIVED", "DOCUMENT_OCR_DONE"):
        assert action in actions
    assert "DOCUMENT_SIGNED" in actions


def test_bytes_that_are_not_the_declared_type_fail(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png, "application/pdf")
    upload(document["upload"], png, "application/pdf")
    run_pipeline(lambda: settled(case["id"], document["document_id"]))
    row = DocumentModel.get(case["id"], document["document_id"])
    assert row.status == "FAILED"
    assert "image/png" in (row.failure_reason or "")


def test_larger_than_announced_fails(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png[:100], "image/png")
    upload(document["upload"], png, "image/png")  # moto does not enforce the policy
    run_pipeline(lambda: settled(case["id"], document["document_id"]))
    row = DocumentModel.get(case["id"], document["document_id"])
    assert row.status == "FAILED"
    assert "more than the 100 allowed" in (row.failure_reason or "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"filename": "a.pdf", "content_type": "text/html", "size": 10},
            "content_type",
        ),
        ({"filename": "a.pdf", "content_type": "application/pdf", "size": 0}, "size"),
        (
            {"filename": "a.pdf", "content_type": "application/pdf", "size": 10**12},
            "size",
        ),
        (
            {"filename": "../a", "content_type": "application/pdf", "size": 10},
            "filename",
        ),
        ({"content_type": "application/pdf", "size": 10}, "filename"),
        (
            {"filename": "a.pdf", "content_type": "application/pdf", "size": True},
            "size",
        ),
        (
            {"filename": "a.pdf", "content_type": "application/pdf", "size": "10"},
            "size",
        ),
        ({"filename": "a.pdf", "content_type": "application/pdf", "size": 1e3}, "size"),
        ({"filename": "..", "content_type": "application/pdf", "size": 10}, "filename"),
        (
            {
                "filename": "a\u202efdp.exe",
                "content_type": "application/pdf",
                "size": 9,
            },
            "filename",
        ),
    ],
)
def test_bad_announcement_is_400(
    api: Api, as_role: Any, body: dict[str, Any], field: str
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    status, answer = api.call("POST", f"/cases/{case['id']}/documents", clerk, body)
    assert status == 400, answer
    assert field in [d["field"] for d in answer["error"]["details"]]
    assert list(DocumentModel.query(case["id"])) == []


def test_unknown_document_and_case_are_404(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    status, _ = api.call("GET", f"/cases/{case['id']}/documents/nope", clerk)
    assert status == 404
    status, _ = api.call(
        "POST",
        "/cases/nope/documents",
        clerk,
        {"filename": "a.png", "content_type": "image/png", "size": 10},
    )
    assert status == 404


def test_citizen_may_not_upload(api: Api, as_role: Any) -> None:
    case = new_case(api, as_role("clerk"))
    status, _ = api.call(
        "POST",
        f"/cases/{case['id']}/documents",
        as_role("citizen"),
        {"filename": "a.png", "content_type": "image/png", "size": 10},
    )
    assert status == 403


def test_scanner_drop_joins_its_case(api: Api, as_role: Any) -> None:
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    key = f"incoming/TPI-RABAT/{serial}-{code}-{year}/page-001.png"
    client("s3").put_object(
        Bucket=get_settings().documents_bucket, Key=key, Body=small_page()
    )

    def scanned() -> list[DocumentModel]:
        return [d for d in DocumentModel.query(case["id"]) if d.source == "scanner"]

    run_pipeline(
        lambda: bool(scanned()) and settled(case["id"], scanned()[0].document_id)
    )
    document = scanned()[0]
    assert document.status == "SIGNED", document.failure_reason
    assert document.content_type == "image/png"
    assert document.object_key == key


def drop_and_wait_for_quarantine(key: str) -> str:
    """Drop a page as a scanner would; return the reason it was quarantined."""
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    s3.put_object(Bucket=bucket, Key=key, Body=small_page())

    def quarantined() -> bool:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"quarantine/{key}")
        return listed.get("KeyCount", 0) == 1

    run_pipeline(quarantined)
    head = s3.head_object(Bucket=bucket, Key=f"quarantine/{key}")
    return str(head["Metadata"]["quarantine-reason"])


def test_drop_for_unknown_case_is_quarantined(stack: Any) -> None:
    key = "incoming/TPI-RABAT/999999-1201-2026/lost.png"
    assert drop_and_wait_for_quarantine(key)
    listed = client("s3").list_objects_v2(
        Bucket=get_settings().documents_bucket, Prefix=key
    )
    assert listed.get("KeyCount", 0) == 0


def test_same_event_twice_is_processed_once(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png, "image/png")
    upload(document["upload"], png, "image/png")
    sqs = client("sqs")
    queue = get_settings().document_events_queue_url
    received = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"]
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0
    )
    sqs.send_message(QueueUrl=queue, MessageBody=received[0]["Body"])

    run_pipeline(lambda: settled(case["id"], document["document_id"]))
    run_pipeline(lambda: _queue_empty(queue), seconds=30)
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    assert actions.count("DOCUMENT_OCR_DONE") == 1
    assert actions.count("DOCUMENT_SIGNED") == 1


def _queue_empty(url: str) -> bool:
    attributes = client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ],
    )["Attributes"]
    return all(int(value) == 0 for value in attributes.values())


def test_hsm_failure_ends_failed_and_dead_lettered(
    api: Api, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png, "image/png")
    upload(document["upload"], png, "image/png")
    run_pipeline(
        lambda: status_of(case["id"], document["document_id"]) == "OCR_DONE",
        only=("ocr",),
    )

    monkeypatch.setenv("JUSTICIA_HSM_TOKEN_LABEL", "no-such-token")
    get_settings.cache_clear()
    try:
        run_pipeline(
            lambda: settled(case["id"], document["document_id"]),
            seconds=60,
            only=("signing",),
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    row = DocumentModel.get(case["id"], document["document_id"])
    assert row.status == "FAILED"
    assert "signing failed after retries" in (row.failure_reason or "")
    dlq = get_settings().signing_queue_url + "-dlq"
    run_pipeline(lambda: _dead_lettered(dlq, document["document_id"]), seconds=30)


def _dead_lettered(dlq_url: str, document_id: str) -> bool:
    messages = (
        client("sqs")
        .receive_message(QueueUrl=dlq_url, VisibilityTimeout=0)
        .get("Messages", [])
    )
    return any(json.loads(m["Body"])["document_id"] == document_id for m in messages)


def test_second_upload_with_the_same_form_cannot_replace_a_signed_document(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    original = small_page("Jugement original")
    document = announce(api, clerk, case["id"], original, "image/png")
    upload(document["upload"], original, "image/png")
    run_pipeline(lambda: settled(case["id"], document["document_id"]))

    forged = small_page("Jugement falsifie")[: len(original)]
    assert upload(document["upload"], forged, "image/png") == 204
    queue = get_settings().document_events_queue_url
    run_pipeline(lambda: _queue_empty(queue), seconds=30)

    row = DocumentModel.get(case["id"], document["document_id"])
    assert row.status == "SIGNED"
    current = (
        client("s3")
        .get_object(Bucket=get_settings().documents_bucket, Key=row.object_key)["Body"]
        .read()
    )
    assert hashlib.sha256(current).hexdigest() == row.sha256
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    assert "REFUSE_OVERWRITE" in actions


def test_empty_scanner_drop_ends_failed(api: Api, as_role: Any) -> None:
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    key = f"incoming/TPI-RABAT/{serial}-{code}-{year}/empty.png"
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=b"")

    def scanned() -> list[DocumentModel]:
        return list(DocumentModel.query(case["id"]))

    run_pipeline(
        lambda: bool(scanned()) and settled(case["id"], scanned()[0].document_id)
    )
    (document,) = scanned()
    assert document.status == "FAILED"
    assert document.failure_reason == "the uploaded file is empty"


def test_presigned_form_reused_after_a_refusal_is_quarantined(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png, "image/png")
    upload(document["upload"], b"<html>not a scan</html>", "image/png")
    run_pipeline(lambda: settled(case["id"], document["document_id"]))
    upload(document["upload"], png, "image/png")
    queue = get_settings().document_events_queue_url
    run_pipeline(lambda: _queue_empty(queue), seconds=30)
    assert status_of(case["id"], document["document_id"]) == "FAILED"
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    assert "REFUSE_OVERWRITE" in actions


@pytest.mark.parametrize("name", ["a\u202egnp.exe", "a\u061cb.png", "\u200b.png", ".."])
def test_scanner_drop_with_an_unreadable_name_is_quarantined(
    api: Api, as_role: Any, name: str
) -> None:
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    key = f"incoming/TPI-RABAT/{serial}-{code}-{year}/{name}"
    assert drop_and_wait_for_quarantine(key).startswith("file name refused")
    assert list(DocumentModel.query(case["id"])) == []


@pytest.mark.parametrize(
    "path", ["/cases//documents", "/cases/%20", "/cases//documents/x", "/cases//audit"]
)
def test_empty_identifiers_are_404(api: Api, as_role: Any, path: str) -> None:
    status, body = api.call("GET", path, as_role("admin"))
    assert status == 404, body


def _sealed_bytes_are(document: DocumentModel, data: bytes) -> bool:
    """Whether the document's recorded digest and its seal are those of ``data``."""
    assert document.signature is not None, document.failure_reason
    p7s = (
        client("s3")
        .get_object(
            Bucket=get_settings().documents_bucket,
            Key=document.signature.object_key,
        )["Body"]
        .read()
    )
    return (
        document.sha256 == hashlib.sha256(data).hexdigest()
        and int(document.size) == len(data)
        and signing.verify_detached(io.BytesIO(data), p7s).valid
    )


def test_scanner_redrop_at_one_key_makes_a_document_of_each_scan(
    api: Api, as_role: Any
) -> None:
    """Two scans dropped 2 s apart under one name: both kept, each sealed as is.

    Neither event is handled before the second drop, so "the current version"
    is the second scan for both: only the version each event names is right.
    """
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    key = f"incoming/TPI-RABAT/{serial}-{code}-{year}/scan.png"
    first, second = small_page("Premier acte"), small_page("Second acte, autre")
    assert len(first) != len(second)
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    s3.put_object(Bucket=bucket, Key=key, Body=first)
    time.sleep(2)
    s3.put_object(Bucket=bucket, Key=key, Body=second)

    def scanned() -> list[DocumentModel]:
        return list(DocumentModel.query(case["id"], consistent_read=True))

    run_pipeline(
        lambda: (
            len(scanned()) == 2
            and all(settled(case["id"], d.document_id) for d in scanned())
        )
    )
    documents = scanned()
    assert [d.status for d in documents] == ["SIGNED", "SIGNED"], [
        d.failure_reason for d in documents
    ]
    assert len({d.version_id for d in documents}) == 2
    by_size = {int(d.size): d for d in documents}
    assert _sealed_bytes_are(by_size[len(first)], first)
    assert _sealed_bytes_are(by_size[len(second)], second)
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    assert {v["VersionId"] for v in versions} == {d.version_id for d in documents}


@pytest.mark.parametrize("events_reversed", [False, True])
def test_two_posts_with_one_form_keep_the_first_upload(
    api: Api, as_role: Any, events_reversed: bool
) -> None:
    """The form posted twice before any event is handled: the first bytes stay.

    Even when the second upload's event comes first (a standard queue does not
    keep the order, and a retried event comes late).
    """
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    first, second = small_page("Requete initiale"), small_page("Autre requete, X")
    document = announce(
        api, clerk, case["id"], max(first, second, key=len), "image/png"
    )
    assert upload(document["upload"], first, "image/png") == 204
    time.sleep(1)
    assert upload(document["upload"], second, "image/png") == 204
    queue = get_settings().document_events_queue_url
    if events_reversed:
        _reverse_queue(queue, 2)
    run_pipeline(
        lambda: settled(case["id"], document["document_id"]) and _queue_empty(queue)
    )

    row = DocumentModel.get(case["id"], document["document_id"], consistent_read=True)
    assert row.status == "SIGNED", row.failure_reason
    assert _sealed_bytes_are(row, first)
    current = (
        client("s3")
        .get_object(Bucket=get_settings().documents_bucket, Key=row.object_key)["Body"]
        .read()
    )
    assert current == first
    refusals = [
        e
        for e in audit.entries_for(f"case#{case['id']}")
        if e["action"] == "REFUSE_OVERWRITE"
    ]
    assert len(refusals) == 1


def test_event_not_matching_the_stored_version_is_refused(
    api: Api, as_role: Any
) -> None:
    """An event announcing another size than its version's: FAILED, never sealed."""
    case = new_case(api, as_role("clerk"))
    serial, code, year = case["file_number"].split("/")
    key = f"incoming/TPI-RABAT/{serial}-{code}-{year}/altered.png"
    page = small_page("Acte altere")
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=page)
    sqs = client("sqs")
    queue = get_settings().document_events_queue_url
    (message,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"]
    event = json.loads(message["Body"])
    announced = event["Records"][0]["s3"]["object"]
    assert announced["versionId"]  # as S3 names the version of a versioned bucket
    announced["size"] = len(page) + 1
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(event))

    def scanned() -> list[DocumentModel]:
        return list(DocumentModel.query(case["id"], consistent_read=True))

    run_pipeline(
        lambda: bool(scanned()) and settled(case["id"], scanned()[0].document_id)
    )
    (document,) = scanned()
    assert document.status == "FAILED"
    assert document.failure_code == "document_event_mismatch"
    assert document.signature is None and document.sha256 is None
    actions = [e["action"] for e in audit.entries_for(f"case#{case['id']}")]
    assert "DOCUMENT_SIGNED" not in actions


def _reverse_queue(url: str, expected: int) -> None:
    """Take the queue's ``expected`` messages and send them back, last first."""
    sqs = client("sqs")
    bodies: list[str] = []
    while len(bodies) < expected:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    for body in reversed(bodies):
        sqs.send_message(QueueUrl=url, MessageBody=body)
