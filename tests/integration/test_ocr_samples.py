"""Accuracy of the OCR engine on the real sample scans in ``shared/samples``.

CER is computed as the samples README defines it: Unicode NFC, whitespace
folded to single spaces, Levenshtein distance divided by the length of the
truth. The pipeline must never do worse than plain Tesseract (the baselines).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from chalicelib.ocr import OcrFailed, PageReading, TesseractEngine, read_document

pytestmark = pytest.mark.integration

SAMPLES = Path(
    os.environ.get(
        "JUSTICIA_SAMPLES_DIR",
        str(Path(__file__).resolve().parents[3] / "shared" / "samples"),
    )
)

CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}

# name -> (language of each page, baseline CER of plain Tesseract from the README)
PRINTED: dict[str, tuple[tuple[str, ...], float]] = {
    "ar_judgment_commercial_sans_mild.jpg": (("ara",), 0.143),
    "ar_ocrgs_buldan_line_a_000000.png": (("ara",), 0.077),
    "ar_ocrgs_jahiz_hayawan_line_000000.png": (("ara",), 0.237),
    "ar_ocrgs_yacqubi_tarikh_line_000000.png": (("ara",), 0.033),
    "court_bundle_3p.pdf": (("ara", "fra", "spa"), 0.067),
    "es_fondue_pardo_bazan_p12.jpg": (("spa",), 0.029),
    "es_fondue_prensa_argentina1816_p10.jpg": (("spa",), 0.115),
    "fr_argus_brevets1910_p15.jpg": (("fra",), 0.390),
    "fr_loi_43-20_mild.jpg": (("fra",), 0.011),
    "fr_tapus_an96ap_journal_p0002.jpg": (("fra",), 0.044),
    "fr_tapus_bnf_rapport1984_p8.jpg": (("fra",), 0.013),
    "fr_tapus_letter_delatre_typed.jpg": (("fra",), 0.061),
}
HANDWRITTEN = "fr_timeus_cph_paris_1858_p10.jpg"
GAZETTE = "ar_eg_official_gazette_2022_law8.pdf"


def normalize(text: str) -> str:
    """NFC, whitespace folded to single spaces, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate of ``hypothesis`` against ``truth``."""
    reference = normalize(truth)
    return Levenshtein.distance(normalize(hypothesis), reference) / len(reference)


def read_sample(name: str) -> list[PageReading]:
    """Read one sample file through ``read_document`` with Tesseract."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"sample missing: {path}")
    return read_document(
        path.read_bytes(), CONTENT_TYPES[path.suffix], TesseractEngine()
    )


def truth_of(name: str) -> str:
    """The ground-truth text of a sample (pages separated by form feeds)."""
    return (SAMPLES / name).with_suffix(".gt.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_printed_sample_is_read_at_least_as_well_as_plain_tesseract(name: str) -> None:
    languages, baseline = PRINTED[name]
    pages = read_sample(name)
    assert [page.number for page in pages] == list(range(1, len(languages) + 1))
    assert tuple(page.language for page in pages) == languages
    assert all(page.source == "tesseract" for page in pages)
    assert not any(page.low_confidence for page in pages)
    measured = cer("\f".join(page.text for page in pages), truth_of(name))
    # The README gives baselines to three decimals: compare at that precision.
    assert round(measured, 3) <= baseline, f"{name}: CER {measured:.4f} > {baseline}"


def test_handwritten_page_is_flagged_low_confidence() -> None:
    (page,) = read_sample(HANDWRITTEN)
    assert page.low_confidence
    assert page.language == "fra"
    assert page.source == "tesseract"


def test_born_digital_gazette_comes_from_its_text_layer() -> None:
    pages = read_sample(GAZETTE)
    assert len(pages) == 23
    assert all(page.source == "text-layer" for page in pages)
    assert all(page.language == "ara" for page in pages)
    assert all(page.confidence == 100.0 and not page.low_confidence for page in pages)
    arabic = sum(1 for c in "".join(p.text for p in pages) if "\u0600" <= c <= "\u06ff")
    assert arabic > 10_000


def test_truncated_pdf_is_refused() -> None:
    data = (SAMPLES / "court_bundle_3p.pdf").read_bytes()[:5000]
    with pytest.raises(OcrFailed, match="corrupt PDF"):
        read_document(data, "application/pdf", TesseractEngine())


def test_garbage_image_is_refused() -> None:
    with pytest.raises(OcrFailed, match="corrupt image"):
        read_document(b"not a jpeg at all", "image/jpeg", TesseractEngine())
