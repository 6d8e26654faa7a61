"""Court seals: PAdES for PDFs, detached CMS for images, and their verification.

Documents go through the real pipeline (Tesseract, SoftHSM, moto); the seals
are then checked by the API, by pyHanko, and by tools that know nothing of
this project (OpenSSL for CMS, Poppler's ``pdfsig`` for PAdES) when installed.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms
from PIL import Image

from chalicelib import signing
from chalicelib.aws import client
from chalicelib.config import get_settings
from tests.functional.test_documents import announce, settled, small_page
from tests.support import Api, Headers, new_case, run_pipeline, upload


def small_pdf(text: str = "Jugement du tribunal") -> bytes:
    """A one-page PDF of a printed line, as a scanner would make it."""
    buffer = io.BytesIO()
    Image.open(io.BytesIO(small_page(text))).save(buffer, format="PDF")
    return buffer.getvalue()


def stored(key: str) -> bytes:
    """The current bytes of an object of the documents bucket."""
    bucket = get_settings().documents_bucket
    return bytes(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def put(key: str, data: bytes) -> None:
    """Overwrite an object of the documents bucket, as an intruder would."""
    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=key, Body=data)


def signed_document(
    api: Api, headers: Headers, data: bytes, content_type: str
) -> tuple[str, dict[str, Any]]:
    """Upload ``data`` to a new case, run the pipeline, return the case id and doc."""
    case = new_case(api, headers)
    document = announce(api, headers, case["id"], data, content_type)
    assert upload(document["upload"], data, content_type) == 204
    run_pipeline(lambda: settled(case["id"], document["document_id"]))
    status, read = api.call(
        "GET", f"/cases/{case['id']}/documents/{document['document_id']}", headers
    )
    assert status == 200 and read["status"] == "SIGNED", read.get("reason")
    return case["id"], read


def verification(api: Api, headers: Headers, document: dict[str, Any]) -> Any:
    status, body = api.call(
        "GET",
        f"/cases/{document['case_id']}/documents/{document['document_id']}"
        "/verification",
        headers,
    )
    assert status == 200, body
    return body


def test_pdf_is_sealed_as_pades_in_a_new_object(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_pdf()
    case_id, document = signed_document(api, clerk, data, "application/pdf")

    signature = document["signature"]
    assert signature["format"] == "PAdES"
    key = f"signed/{case_id}/{document['document_id']}.pdf"
    assert signature["signed_object"]["location"] == key
    sealed = stored(key)
    assert signature["signed_object"]["sha256"] == hashlib.sha256(sealed).hexdigest()
    assert sealed.startswith(data) and len(sealed) > len(data)
    original_key = f"uploads/{case_id}/{document['document_id']}/original"
    assert stored(original_key) == data
    assert document["sha256"] == hashlib.sha256(data).hexdigest()
    signed_at = datetime.fromisoformat(signature["signing_time"])
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=5)
    assert signature["certificate_subject"].startswith("CN=Justicia court seal")


def test_pades_seal_verifies(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    _, document = signed_document(api, clerk, small_pdf(), "application/pdf")

    answer = verification(api, clerk, document)

    assert answer["valid"] and answer["intact"] and answer["trusted"], answer
    assert verification(api, as_role("citizen"), document) == answer  # a party
    assert answer["format"] == "PAdES"
    assert answer["algorithm"] == "sha256_rsa"
    assert answer["signer"] == document["signature"]["certificate_subject"]
    assert answer["signed_at"] == document["signature"]["signing_time"]


def test_tampered_signed_pdf_is_not_intact(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    _, document = signed_document(api, clerk, small_pdf(), "application/pdf")
    key = document["signature"]["signed_object"]["location"]
    sealed = bytearray(stored(key))
    at = sealed.index(b"stream") + 40  # inside the page image, under the seal
    sealed[at] ^= 0x01
    put(key, bytes(sealed))

    answer = verification(api, clerk, document)

    assert answer["intact"] is False and answer["valid"] is False, answer
    assert answer["format"] == "PAdES"


def test_pdf_with_an_appended_revision_is_not_intact(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    _, document = signed_document(api, clerk, small_pdf(), "application/pdf")
    key = document["signature"]["signed_object"]["location"]
    put(key, stored(key) + b"\n% appended after sealing\n")

    answer = verification(api, clerk, document)

    assert answer["intact"] is False, answer


def test_image_gets_a_detached_cms_seal(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_page()
    case_id, document = signed_document(api, clerk, data, "image/png")

    signature = document["signature"]
    assert signature["format"] == "CMS"
    key = f"signatures/{case_id}/{document['document_id']}.p7s"
    assert signature["signed_object"]["location"] == key
    p7s = stored(key)
    signed_data = cms.ContentInfo.load(p7s)["content"]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    attributes = {
        a["type"].native for a in signed_data["signer_infos"][0]["signed_attrs"]
    }
    assert {"content_type", "message_digest", "signing_time"} <= attributes
    answer = verification(api, clerk, document)
    assert answer["valid"] and answer["format"] == "CMS", answer
    assert answer["signed_at"] == signature["signing_time"]


def test_tampered_original_of_a_cms_seal_is_not_intact(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_page()
    case_id, document = signed_document(api, clerk, data, "image/png")
    original_key = f"uploads/{case_id}/{document['document_id']}/original"
    put(original_key, data[:-1] + bytes([data[-1] ^ 0x01]))

    answer = verification(api, clerk, document)
    assert answer["intact"] is False and answer["valid"] is False, answer

    # The pipeline then refuses the overwrite, and the original is back.
    queue = get_settings().document_events_queue_url
    run_pipeline(lambda: _queue_empty(queue), seconds=30)
    assert verification(api, clerk, document)["valid"] is True


def test_replaced_p7s_is_not_intact(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    _, first = signed_document(api, clerk, small_page("Premier"), "image/png")
    _, second = signed_document(api, clerk, small_page("Second"), "image/png")
    put(
        first["signature"]["signed_object"]["location"],
        stored(second["signature"]["signed_object"]["location"]),
    )

    answer = verification(api, clerk, first)

    assert answer["intact"] is False, answer


def test_unsigned_document_cannot_be_verified(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    case = new_case(api, clerk)
    document = announce(api, clerk, case["id"], small_page(), "image/png")
    status, _ = api.call(
        "GET",
        f"/cases/{case['id']}/documents/{document['document_id']}/verification",
        clerk,
    )
    assert status == 409


def test_verification_of_a_hidden_case_is_404(api: Api, as_role: Any) -> None:
    admin = as_role("admin")
    other = new_case(
        api,
        admin,
        court_code="TPI-MARRAKECH",
        parties=[{"role": "plaintiff", "name": "Autre", "national_id": "ZZ999999"}],
    )
    document = announce(api, admin, other["id"], small_page(), "image/png")
    path = f"/cases/{other['id']}/documents/{document['document_id']}/verification"
    for username in ("clerk", "judge", "lawyer", "citizen"):
        status, _ = api.call("GET", path, as_role(username))
        assert status == 404, username


@pytest.mark.skipif(shutil.which("openssl") is None, reason="OpenSSL not installed")
def test_openssl_verifies_the_cms_seal(api: Api, as_role: Any, tmp_path: Path) -> None:
    data = small_page()
    _, document = signed_document(api, as_role("clerk"), data, "image/png")
    (tmp_path / "scan.png").write_bytes(data)
    (tmp_path / "seal.p7s").write_bytes(
        stored(document["signature"]["signed_object"]["location"])
    )
    *_, root = signing.chain_certificates()
    (tmp_path / "ca.der").write_bytes(root.dump())
    subprocess.run(
        ["openssl", "x509", "-inform", "DER", "-in", "ca.der", "-out", "ca.pem"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [
            *("openssl", "cms", "-verify", "-binary", "-inform", "DER"),
            *("-in", "seal.p7s", "-content", "scan.png", "-CAfile", "ca.pem"),
            *("-purpose", "any", "-out", "/dev/null"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="Poppler not installed")
def test_pdfsig_reads_the_pades_seal(api: Api, as_role: Any, tmp_path: Path) -> None:
    _, document = signed_document(api, as_role("clerk"), small_pdf(), "application/pdf")
    path = tmp_path / "sealed.pdf"
    path.write_bytes(stored(document["signature"]["signed_object"]["location"]))
    result = subprocess.run(
        ["pdfsig", "-nocert", str(path)], capture_output=True, text=True
    )
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout, result.stdout


def _queue_empty(url: str) -> bool:
    from tests.functional.test_documents import _queue_empty as empty

    return empty(url)
