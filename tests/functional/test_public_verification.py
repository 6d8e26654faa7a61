"""The public register of seals: look-ups by SHA-256 and checks of sent bytes.

Documents are sealed by the real pipeline (Tesseract, SoftHSM, moto); the
public routes are called without any token, each test from its own address so
the limit per address and minute never mixes tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import verification
from chalicelib.config import get_settings
from chalicelib.errors import TooManyRequests
from chalicelib.models import DocumentModel
from tests.functional.test_documents import announce, small_page
from tests.functional.test_signatures import signed_document, small_pdf, stored
from tests.support import Api, new_case

PUBLIC_FIELDS = {
    "registered",
    "sha256",
    "fingerprint_of",
    "signed_at",
    "signer",
    "format",
    "court_code",
    "file_number",
    "origin",
    "documents",
}
DOCUMENT_FIELDS = PUBLIC_FIELDS - {"registered", "sha256", "documents"}
OUTCOME_FIELDS = {"valid", "intact", "trusted", "reason"}
CHECK_FIELDS = PUBLIC_FIELDS | OUTCOME_FIELDS


@pytest.fixture(autouse=True)
def own_address(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make Chalice's local gateway report an address of this test alone."""
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)
    return address


@pytest.fixture(scope="module")
def sealed_pdf(api: Api, as_role: Any) -> dict[str, Any]:
    """A PDF sealed as PAdES: its case, document, original and sealed bytes."""
    return _sealed(
        api, as_role("clerk"), small_pdf("Jugement public"), "application/pdf"
    )


@pytest.fixture(scope="module")
def sealed_png(api: Api, as_role: Any) -> dict[str, Any]:
    """A PNG with a detached CMS seal: its case, document and bytes."""
    return _sealed(api, as_role("clerk"), small_page("Ordonnance"), "image/png")


def _sealed(api: Api, clerk: Any, data: bytes, content_type: str) -> dict[str, Any]:
    case_id, document = signed_document(api, clerk, data, content_type)
    status, case = api.call("GET", f"/cases/{case_id}", clerk)
    assert status == 200, case
    sealed = stored(document["signature"]["signed_object"]["location"])
    return {"case": case, "document": document, "original": data, "sealed": sealed}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def look_up(api: Api, fingerprint: str, headers: Any = None) -> tuple[int, Any]:
    return api.call("GET", f"/public/verification/{fingerprint}", headers)


def check(api: Api, data: bytes) -> tuple[int, Any]:
    body = {"content_base64": base64.b64encode(data).decode("ascii")}
    return api.call("POST", "/public/verification", body=body)


def assert_nothing_personal(answer: Any, sealed: dict[str, Any]) -> None:
    """No party, subject, text, case id or document id in a public answer."""
    text = json.dumps(answer, ensure_ascii=False)
    case = sealed["case"]
    secrets = [case["id"], sealed["document"]["document_id"], case["subject"]]
    for party in case["parties"]:
        secrets += [str(value) for value in party.values() if isinstance(value, str)]
    secrets = [s for s in secrets if len(s) > 3]
    assert not [s for s in secrets if s in text], text


def test_sealed_pdf_is_found_by_its_fingerprint(
    api: Api, sealed_pdf: dict[str, Any]
) -> None:
    status, answer = look_up(api, sha256(sealed_pdf["sealed"]))

    assert status == 200, answer
    assert set(answer) == PUBLIC_FIELDS
    signature = sealed_pdf["document"]["signature"]
    assert answer["registered"] is True and answer["fingerprint_of"] == "signed"
    assert answer["format"] == "PAdES"
    assert answer["signed_at"] == signature["signing_time"]
    assert answer["signer"] == signature["certificate_subject"]
    assert answer["court_code"] == sealed_pdf["case"]["court_code"]
    assert answer["file_number"] == sealed_pdf["case"]["file_number"]
    assert_nothing_personal(answer, sealed_pdf)


def test_original_bytes_are_registered_too(
    api: Api, sealed_pdf: dict[str, Any]
) -> None:
    status, answer = look_up(api, sha256(sealed_pdf["original"]).upper())

    assert status == 200, answer
    assert answer["fingerprint_of"] == "original"
    assert answer["sha256"] == sha256(sealed_pdf["original"])


def test_a_token_changes_nothing(
    api: Api, as_role: Any, sealed_pdf: dict[str, Any]
) -> None:
    fingerprint = sha256(sealed_pdf["sealed"])
    anonymous = look_up(api, fingerprint)
    for username in ("admin", "citizen"):
        assert look_up(api, fingerprint, as_role(username)) == anonymous


def test_sent_sealed_pdf_is_intact_and_trusted(
    api: Api, sealed_pdf: dict[str, Any]
) -> None:
    status, answer = check(api, sealed_pdf["sealed"])

    assert status == 200, answer
    assert set(answer) == CHECK_FIELDS
    assert answer["registered"] and answer["intact"] and answer["trusted"], answer
    assert answer["valid"] is True
    assert answer["file_number"] == sealed_pdf["case"]["file_number"]
    assert_nothing_personal(answer, sealed_pdf)


def test_sent_pdf_before_sealing_is_registered_but_carries_no_seal(
    api: Api, sealed_pdf: dict[str, Any]
) -> None:
    status, answer = check(api, sealed_pdf["original"])

    assert status == 200, answer
    assert answer["fingerprint_of"] == "original"
    assert answer["intact"] is False and answer["valid"] is False


def test_altered_pdf_is_not_registered(api: Api, sealed_pdf: dict[str, Any]) -> None:
    altered = sealed_pdf["sealed"] + b"\n% appended after sealing\n"

    status, answer = check(api, altered)

    assert status == 404, answer
    assert answer["error"]["code"] == "not_found"


def test_sent_image_is_checked_against_its_detached_seal(
    api: Api, sealed_png: dict[str, Any]
) -> None:
    status, answer = check(api, sealed_png["original"])

    assert status == 200, answer
    assert answer["format"] == "CMS" and answer["fingerprint_of"] == "original"
    assert answer["valid"] and answer["intact"] and answer["trusted"], answer
    assert answer["signed_at"] == sealed_png["document"]["signature"]["signing_time"]
    assert_nothing_personal(answer, sealed_png)


def test_the_detached_signature_itself_is_not_a_document(
    api: Api, sealed_png: dict[str, Any]
) -> None:
    status, _ = look_up(api, sha256(sealed_png["sealed"]))
    assert status == 404


def test_register_items_point_at_the_document(sealed_png: dict[str, Any]) -> None:
    document = sealed_png["document"]
    entry = verification.FingerprintModel.get(
        verification.fingerprint_key(sha256(sealed_png["original"]))
    )
    assert (entry.case_id, entry.document_id) == (
        document["case_id"],
        document["document_id"],
    )
    assert entry.documents == {f"{document['case_id']}/{document['document_id']}"}
    own = verification.FingerprintModel.get(
        verification.entry_key(
            sha256(sealed_png["original"]),
            document["case_id"],
            document["document_id"],
        )
    )
    assert own.file_number == sealed_png["case"]["file_number"]


def test_unknown_fingerprint_is_404_in_both_languages(api: Api) -> None:
    status, answer = look_up(api, sha256(uuid.uuid4().bytes))

    assert status == 404, answer
    error = answer["error"]
    assert error["code"] == "not_found" and error["request_id"]
    assert error["messages"]["ar"] and error["messages"]["fr"]


def test_a_fingerprint_of_an_unsigned_document_is_404(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    document = announce(api, clerk, case["id"], small_page(), "image/png")
    unsigned = DocumentModel.get(case["id"], document["document_id"])
    fingerprint = sha256(uuid.uuid4().bytes)
    verification.FingerprintModel(
        pk=verification.fingerprint_key(fingerprint),
        case_id=unsigned.case_id,
        document_id=unsigned.document_id,
        court_code="TPI-RABAT",
        file_number="1/1201/2026",
        fingerprint_of="original",
    ).save()

    status, _ = look_up(api, fingerprint)

    assert status == 404


@pytest.mark.parametrize(
    "fingerprint", ["abc", "g" * 64, "a" * 63, "a" * 65, "a" * 62 + "%20"]
)
def test_a_malformed_fingerprint_is_400_naming_the_field(
    api: Api, fingerprint: str
) -> None:
    status, answer = look_up(api, fingerprint)

    assert status == 400, answer
    assert answer["error"]["details"][0]["field"] == "sha256"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "content_base64"),
        ({"content_base64": "not base64!"}, "content_base64"),
        ({"content_base64": "QUJD\nREVG"}, "content_base64"),
        ({"content_base64": "QUJD", "name": "x"}, "name"),
    ],
)
def test_a_malformed_body_is_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    status, answer = api.call("POST", "/public/verification", body=body)

    assert status == 400, answer
    assert answer["error"]["details"][0]["field"] == field


def test_content_past_the_limit_is_413(api: Api) -> None:
    too_large = b"%PDF-" + bytes(verification.MAX_CONTENT_BYTES)

    status, answer = check(api, too_large)

    assert status == 413, answer
    error = answer["error"]
    assert error["code"] == "payload_too_large"
    assert error["messages"]["ar"] and error["messages"]["fr"]
    assert "/public/verification/{sha256}" in error["reason"]


def test_a_body_past_the_limit_is_refused_before_parsing(api: Api) -> None:
    body = b"x" * (verification.MAX_BODY_BYTES + 1)

    status, answer = api.call("POST", "/public/verification", body=body)

    assert status == 413, answer


def test_addresses_are_limited_per_minute(own_address: str) -> None:
    minute = datetime(2026, 3, 1, 10, 0, 5, tzinfo=UTC)
    for _ in range(3):
        verification.limit_public_requests(own_address, minute, per_minute=3)
    with pytest.raises(TooManyRequests):
        verification.limit_public_requests(own_address, minute, per_minute=3)
    next_minute = minute + timedelta(minutes=1)
    verification.limit_public_requests(own_address, next_minute, per_minute=3)


@pytest.fixture
def no_request_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No public verification allowed per address and minute."""
    monkeypatch.setenv("JUSTICIA_PUBLIC_VERIFICATIONS_PER_MINUTE", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/public/verification/" + "0" * 64, None),
        ("POST", "/public/verification", {"content_base64": "QUJD"}),
    ],
)
def test_the_api_answers_429_past_the_limit(
    api: Api, no_request_allowed: None, method: str, path: str, body: Any
) -> None:
    status, answer = api.call(method, path, body=body)

    assert status == 429, answer
    assert answer["error"]["code"] == "too_many_requests"
    assert answer["error"]["messages"]["ar"] and answer["error"]["messages"]["fr"]


def test_one_scan_filed_in_two_cases_verifies_in_both(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_page("Ordonnance de refere")
    first = _sealed(api, clerk, data, "image/png")
    second = _sealed(api, clerk, data, "image/png")

    status, answer = look_up(api, sha256(data))

    assert status == 200, answer
    assert set(answer) == PUBLIC_FIELDS
    listed = answer["documents"]
    assert [set(item) for item in listed] == [DOCUMENT_FIELDS] * 2
    assert {item["file_number"] for item in listed} == {
        first["case"]["file_number"],
        second["case"]["file_number"],
    }
    assert answer["file_number"] == second["case"]["file_number"]  # the latest
    for sealed in (first, second):
        assert_nothing_personal(answer, sealed)


def test_sent_bytes_of_two_documents_are_checked_against_each_seal(
    api: Api, as_role: Any
) -> None:
    clerk = as_role("clerk")
    data = small_page("Ordonnance sur requete")
    first = _sealed(api, clerk, data, "image/png")
    second = _sealed(api, clerk, data, "image/png")

    status, answer = check(api, data)

    assert status == 200, answer
    assert set(answer) == CHECK_FIELDS
    listed = answer["documents"]
    assert [set(item) for item in listed] == [DOCUMENT_FIELDS | OUTCOME_FIELDS] * 2
    assert all(item["valid"] and item["intact"] for item in listed), listed
    assert [item["signed_at"] for item in listed] == [
        second["document"]["signature"]["signing_time"],
        first["document"]["signature"]["signing_time"],
    ]
    for sealed in (first, second):
        assert_nothing_personal(answer, sealed)


def test_one_pdf_filed_twice_lists_both_originals(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_pdf("Jugement depose deux fois")
    first = _sealed(api, clerk, data, "application/pdf")
    second = _sealed(api, clerk, data, "application/pdf")

    _, original = look_up(api, sha256(data))
    _, sealed_first = look_up(api, sha256(first["sealed"]))

    assert [item["fingerprint_of"] for item in original["documents"]] == [
        "original",
        "original",
    ]
    assert len(sealed_first["documents"]) == 1  # each seal makes its own bytes
    assert sealed_first["file_number"] == first["case"]["file_number"]
    assert first["sealed"] != second["sealed"]


def test_a_head_written_before_the_list_still_verifies(
    api: Api, sealed_png: dict[str, Any]
) -> None:
    document = sealed_png["document"]
    fingerprint = sha256(uuid.uuid4().bytes)
    verification.FingerprintModel(
        pk=verification.fingerprint_key(fingerprint),
        case_id=document["case_id"],
        document_id=document["document_id"],
        court_code=sealed_png["case"]["court_code"],
        file_number=sealed_png["case"]["file_number"],
        fingerprint_of="original",
    ).save()

    status, answer = look_up(api, fingerprint)

    assert status == 200, answer
    assert len(answer["documents"]) == 1
    assert answer["file_number"] == sealed_png["case"]["file_number"]
