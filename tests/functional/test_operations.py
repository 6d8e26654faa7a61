"""``justicia queues redrive`` and ``justicia documents reprocess`` on the stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib import pipeline
from chalicelib.audit import entries_for
from chalicelib.aws import client
from chalicelib.models import DocumentModel
from cli.main import NOT_FOUND, OK, REFUSED, main
from tests.functional.test_documents import announce, settled, small_page, status_of
from tests.functional.test_ocr_faults import received
from tests.functional.test_upload_safety import scripted_pdf
from tests.support import Api, new_case, run_pipeline, upload


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the CLI; its exit code, and its output (JSON: the last line)."""
    capsys.readouterr()  # forget what the pipeline logged before
    code = main([*argv, "--operator", "tester"])
    captured = capsys.readouterr()
    if "--json" in argv and code == OK:
        return code, captured.out.strip().splitlines()[-1]
    return code, captured.out + captured.err


def actions(case_id: str) -> list[str]:
    return [entry["action"] for entry in entries_for(f"case#{case_id}")]


def dead_letters(queue: str) -> int:
    from chalicelib.operations import dead_letter_url, queue_url

    attributes = client("sqs").get_queue_attributes(
        QueueUrl=dead_letter_url(queue_url(queue)),
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def read_only(api: Api, clerk: dict[str, str]) -> tuple[str, str]:
    """A new document taken through OCR only; its case and document ids."""
    case = new_case(api, clerk)
    png = small_page()
    document = announce(api, clerk, case["id"], png, "image/png")
    upload(document["upload"], png, "image/png")
    case_id, document_id = case["id"], document["document_id"]
    run_pipeline(lambda: status_of(case_id, document_id) == "OCR_DONE", only=("ocr",))
    return case_id, document_id


def dead_letter_signing_of(case_id: str, document_id: str) -> None:
    """What three HSM faults leave: the document FAILED, its request dead-lettered.

    (``test_documents`` takes a document down that path with a broken HSM;
    here the outcome is set directly, so that no other document queued for
    signing meanwhile is failed with it.)
    """
    from chalicelib.operations import dead_letter_url, queue_url

    document = DocumentModel.get(case_id, document_id, consistent_read=True)
    pipeline.mark_failed(document, "signing failed after retries: HsmUnavailable")
    client("sqs").send_message(
        QueueUrl=dead_letter_url(queue_url("signing")),
        MessageBody=json.dumps({"case_id": case_id, "document_id": document_id}),
    )


def test_redrive_reopens_and_signs_a_dead_lettered_document(
    api: Api, as_role: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id, document_id = read_only(api, as_role("clerk"))
    dead_letter_signing_of(case_id, document_id)
    assert dead_letters("signing") >= 1

    code, out = run(capsys, "queues", "redrive", "signing", "--json")

    assert code == OK, out
    assert json.loads(out)["moved"] >= 1
    assert dead_letters("signing") == 0
    assert status_of(case_id, document_id) == "OCR_DONE"
    run_pipeline(lambda: settled(case_id, document_id), only=("signing",))
    assert status_of(case_id, document_id) == "SIGNED"
    assert "REPROCESS_DOCUMENT" in actions(case_id)
    redrives = entries_for("queue#signing")
    assert redrives[-1]["actor"] == "cli:tester"


def test_reprocess_resumes_a_document_failed_while_reading(
    api: Api, as_role: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    case = new_case(api, as_role("clerk"))
    document = received(small_page("Jugement repris"), "image/png", case["id"])
    pipeline.mark_failed(document, "reading failed after retries: MemoryError")

    code, out = run(capsys, "documents", "reprocess", case["id"], document.document_id)

    assert code == OK, out
    assert document.document_id in out and "relancé" in out
    run_pipeline(lambda: settled(case["id"], document.document_id))
    row = DocumentModel.get(case["id"], document.document_id)
    assert row.status == "SIGNED", row.failure_reason
    assert row.failure_reason is None
    assert actions(case["id"]).count("REPROCESS_DOCUMENT") == 1


def test_reprocess_refuses_bytes_sent_to_quarantine(
    api: Api, as_role: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    data = scripted_pdf()
    document = announce(api, clerk, case["id"], data, "application/pdf")
    upload(document["upload"], data, "application/pdf")
    run_pipeline(lambda: settled(case["id"], document["document_id"]))

    code, out = run(
        capsys, "documents", "reprocess", case["id"], document["document_id"]
    )

    assert code == REFUSED, out
    assert "upload it again" in out
    assert status_of(case["id"], document["document_id"]) == "FAILED"


def test_reprocess_of_a_case_leaves_signed_documents_alone(
    api: Api, as_role: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    png = small_page()
    signed = announce(api, clerk, case["id"], png, "image/png")
    upload(signed["upload"], png, "image/png")
    run_pipeline(lambda: settled(case["id"], signed["document_id"]))
    stuck = received(small_page("Piece bloquee"), "image/png", case["id"])

    code, out = run(capsys, "documents", "reprocess", case["id"], "--json")

    assert code == OK, out
    results = {o["document_id"]: o for o in json.loads(out)}
    assert results[signed["document_id"]]["result"] == "refused"
    assert results[signed["document_id"]]["reason"] == "already signed"
    assert results[stuck.document_id]["result"] == "requeued"
    run_pipeline(lambda: settled(case["id"], stuck.document_id))
    assert status_of(case["id"], stuck.document_id) == "SIGNED"


def test_reprocess_of_an_unknown_case_is_not_found(
    stack: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "documents", "reprocess", "no-such-case")
    assert code == NOT_FOUND, out
