"""The OCR engine on its own, on inputs the pipeline test does not cover.

Accuracy on every sample is checked through the whole pipeline in
``test_pipeline_samples.py``; this module checks the text-layer path and the
refusal of corrupt input at the engine's level.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.ocr import OcrFailed, PageReading, TesseractEngine, read_document
from tests.samples import GAZETTE, SAMPLES_DIR, content_type_of

pytestmark = pytest.mark.integration


def read_sample(name: str) -> list[PageReading]:
    """Read one sample file through ``read_document`` with Tesseract."""
    path: Path = SAMPLES_DIR / name
    return read_document(path.read_bytes(), content_type_of(name), TesseractEngine())


def test_born_digital_gazette_comes_from_its_text_layer() -> None:
    pages = read_sample(GAZETTE)
    assert len(pages) == 23
    assert all(page.source == "text-layer" for page in pages)
    assert all(page.language == "ara" for page in pages)
    assert all(page.confidence == 100.0 and not page.low_confidence for page in pages)
    arabic = sum(1 for c in "".join(p.text for p in pages) if "\u0600" <= c <= "\u06ff")
    assert arabic > 10_000


def test_truncated_pdf_is_refused() -> None:
    data = (SAMPLES_DIR / "court_bundle_3p.pdf").read_bytes()[:5000]
    with pytest.raises(OcrFailed, match="corrupt PDF"):
        read_document(data, "application/pdf", TesseractEngine())


def test_garbage_image_is_refused() -> None:
    with pytest.raises(OcrFailed, match="corrupt image"):
        read_document(b"not a jpeg at all", "image/jpeg", TesseractEngine())
