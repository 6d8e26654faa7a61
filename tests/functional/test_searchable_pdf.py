"""Scanned PDFs are sealed searchable: a text layer under the court's seal.

The real pipeline runs (Tesseract, OCRmyPDF, SoftHSM, moto): the sealed PDF
must give back the words read, keep its seal valid, and leave the original
scan untouched. When the layer cannot be made (time budget, a PDF signed by
its filer) the document is still sealed, as received, and says why.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import get_settings
from tests.functional.test_signatures import (
    signed_document,
    small_pdf,
    stored,
    verification,
)
from tests.samples import cer
from tests.support import Api, sample


def pdf_text(data: bytes) -> str:
    """The text a reader extracts from a PDF, pages joined by blank lines."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return "\n\n".join(texts)
    finally:
        document.close()


def read_text(document: dict[str, Any]) -> str:
    return "\n\n".join(page["text"] for page in document["text"])


@pytest.fixture
def text_layer_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Set text layer settings for one test; restored afterwards."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


def test_scanned_pdf_is_sealed_with_its_text_layer(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = sample("court_bundle_3p.pdf").read_bytes()
    assert pdf_text(data).strip() == ""  # a scan: no text to start with

    _, document = signed_document(api, clerk, data, "application/pdf")

    layer = document["text_layer"]
    assert layer["status"] == "ADDED" and layer["reason"] is None
    assert layer["method"] == "tesseract-words"  # nothing read twice
    assert layer["source_sha256"] == hashlib.sha256(data).hexdigest()
    assert document["sha256"] == layer["source_sha256"]
    sealed = stored(document["signature"]["signed_object"]["location"])
    assert sealed.startswith(data)  # the scan's bytes, then the layer, the seal
    searchable = pdf_text(sealed).split("\n\n")
    for page, text in zip(document["text"], searchable, strict=True):
        assert cer(text, page["text"]) < 0.1, page["number"]
    outcome = verification(api, clerk, document)
    assert outcome["valid"] and outcome["intact"], outcome


def test_original_scan_stays_untouched(api: Api, as_role: Any) -> None:
    clerk = as_role("clerk")
    data = small_pdf("Jugement du tribunal de premiere instance")

    case_id, document = signed_document(api, clerk, data, "application/pdf")

    original = stored(f"uploads/{case_id}/{document['document_id']}/original")
    assert original == data
    assert document["text_layer"]["status"] == "ADDED"
    sealed = stored(document["signature"]["signed_object"]["location"])
    assert "tribunal" in pdf_text(sealed).lower()
    assert "tribunal" not in pdf_text(original).lower()


def test_ocrmypdf_reads_the_pages_again_when_told(
    api: Api, as_role: Any, text_layer_settings: Any
) -> None:
    text_layer_settings(JUSTICIA_TEXT_LAYER_METHOD="ocrmypdf")
    clerk = as_role("clerk")

    _, document = signed_document(
        api, clerk, small_pdf("Ordonnance du president"), "application/pdf"
    )

    layer = document["text_layer"]
    assert (layer["status"], layer["method"]) == ("ADDED", "ocrmypdf")
    sealed = stored(document["signature"]["signed_object"]["location"])
    assert "president" in pdf_text(sealed).lower()
    outcome = verification(api, clerk, document)
    assert outcome["valid"] and outcome["intact"], outcome


def test_beyond_the_time_budget_the_scan_is_sealed_as_received(
    api: Api, as_role: Any, text_layer_settings: Any
) -> None:
    text_layer_settings(
        JUSTICIA_TEXT_LAYER_METHOD="ocrmypdf",
        JUSTICIA_TEXT_LAYER_SECONDS_PER_PAGE="0.05",
        JUSTICIA_TEXT_LAYER_MAX_SECONDS="60",
    )
    clerk = as_role("clerk")

    _, document = signed_document(api, clerk, small_pdf(), "application/pdf")

    layer = document["text_layer"]
    assert layer["status"] == "SKIPPED"
    assert layer["reason"] == "text_layer_time_budget"
    assert set(layer["reason_messages"]) == {"ar", "fr"}
    sealed = stored(document["signature"]["signed_object"]["location"])
    assert pdf_text(sealed).strip() == ""
    outcome = verification(api, clerk, document)
    assert outcome["valid"] and outcome["intact"], outcome


def test_a_long_scan_is_not_even_tried(
    api: Api, as_role: Any, text_layer_settings: Any
) -> None:
    text_layer_settings(
        JUSTICIA_TEXT_LAYER_METHOD="ocrmypdf", JUSTICIA_TEXT_LAYER_MAX_SECONDS="1"
    )
    clerk = as_role("clerk")

    _, document = signed_document(api, clerk, small_pdf(), "application/pdf")

    assert document["text_layer"]["reason"] == "text_layer_time_budget"
    assert document["text_layer"]["status"] == "SKIPPED"


def lawyer_signed_pdf(tmp_path: Path) -> bytes:
    """A PDF already signed by someone else (a lawyer's own e-signature)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Maitre Avocat")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp_path / "lawyer.key", tmp_path / "lawyer.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    assert signer is not None
    output = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(small_pdf()), strict=False),
        signers.PdfSignatureMetadata(field_name="Lawyer"),
        signer=signer,
        output=output,
    )
    return output.getvalue()


def test_a_pdf_signed_by_its_filer_keeps_that_signature(
    api: Api, as_role: Any, tmp_path: Path
) -> None:
    clerk = as_role("clerk")
    data = lawyer_signed_pdf(tmp_path)

    _, document = signed_document(api, clerk, data, "application/pdf")

    layer = document["text_layer"]
    assert (layer["status"], layer["reason"]) == ("SKIPPED", "text_layer_signed")
    assert layer["reason_messages"]["fr"].startswith("Le PDF porte déjà")
    sealed = stored(document["signature"]["signed_object"]["location"])
    assert sealed.startswith(data)  # the filer's signed bytes, then the seal
    outcome = verification(api, clerk, document)
    assert outcome["valid"] and outcome["intact"], outcome


def test_an_image_gets_no_text_layer(api: Api, as_role: Any) -> None:
    from tests.functional.test_documents import small_page

    clerk = as_role("clerk")

    _, document = signed_document(api, clerk, small_page(), "image/png")

    assert document["text_layer"] is None
    assert document["signature"]["format"] == "CMS"


def test_pages_with_text_keep_it_and_only_scans_get_a_layer(
    api: Api, as_role: Any
) -> None:
    from pypdf import PdfReader, PdfWriter

    from tests.integration.test_text_layer import TYPED, scanned_page, typed_page

    writer = PdfWriter()
    for part in (typed_page(), scanned_page()):
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    clerk = as_role("clerk")

    _, document = signed_document(api, clerk, buffer.getvalue(), "application/pdf")

    assert document["text_layer"]["method"] == "tesseract-words"
    sealed = stored(document["signature"]["signed_object"]["location"])
    typed, scanned = pdf_text(sealed).split("\n\n")
    assert typed.strip() == TYPED  # not doubled by a second, invisible copy
    assert "jugement" in scanned.lower()


def test_a_born_digital_pdf_needs_no_layer(api: Api, as_role: Any) -> None:
    from tests.integration.test_text_layer import typed_page

    clerk = as_role("clerk")

    _, document = signed_document(api, clerk, typed_page(), "application/pdf")

    layer = document["text_layer"]
    assert (layer["status"], layer["reason"]) == ("NOT_NEEDED", "text_layer_present")
    assert set(layer["reason_messages"]) == {"ar", "fr"}
