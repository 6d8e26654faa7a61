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


BUNDLE = "court_bundle_3p.pdf"


def bundle_page_two_rotated(degrees: int) -> bytes:
    """The bundle with ``/Rotate degrees`` on page 2 (shown sideways/upside down)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(SAMPLES_DIR / BUNDLE))
    writer.pages[1].rotate(degrees)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def page_two(data: bytes) -> PageReading:
    return read_document(data, "application/pdf", TesseractEngine(), pages=range(2, 3))[
        0
    ]


@pytest.fixture(scope="module")
def upright_page_two() -> PageReading:
    return page_two((SAMPLES_DIR / BUNDLE).read_bytes())


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_rotated_page_is_turned_upright_and_read(
    upright_page_two: PageReading, degrees: int
) -> None:
    from tests.samples import cer, truth_of

    truth = truth_of(BUNDLE).split("\f")[1]
    reading = page_two(bundle_page_two_rotated(degrees))

    assert upright_page_two.turned == 0
    assert reading.turned in (90, 180, 270)
    assert reading.confidence > 50 and not reading.low_confidence
    assert cer(reading.text, truth) <= cer(upright_page_two.text, truth) + 0.02


def test_a_page_scanned_upside_down_is_read(
    tmp_path: Path, upright_page_two: PageReading
) -> None:
    """The image itself upside down (no /Rotate): OSD turns it."""
    import pypdfium2 as pdfium

    from tests.samples import cer, truth_of

    document = pdfium.PdfDocument(str(SAMPLES_DIR / BUNDLE))
    image = document[1].render(scale=300 / 72, grayscale=True).to_pil()
    document.close()
    path = tmp_path / "upside-down.png"
    image.rotate(180).save(path, dpi=(300, 300))

    reading = TesseractEngine().read_image(str(path), 2)

    truth = truth_of(BUNDLE).split("\f")[1]
    assert reading.turned == 180
    assert cer(reading.text, truth) <= cer(upright_page_two.text, truth) + 0.02


@pytest.mark.parametrize(
    "name", ["fr_loi_43-20_mild.jpg", "ar_judgment_commercial_sans_mild.jpg", BUNDLE]
)
def test_an_upright_page_is_never_turned(name: str) -> None:
    assert all(page.turned == 0 for page in read_sample(name))


PARDO = "es_fondue_pardo_bazan_p12.jpg"


@pytest.mark.parametrize(("degrees", "turned"), [(90, 90), (180, 180)])
def test_a_small_page_osd_cannot_orient_is_read_turned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, degrees: int, turned: int
) -> None:
    """The 599 x 1017 book page: OSD is unsure of it whichever way it lies."""
    from PIL import Image

    from chalicelib import ocr
    from tests.samples import cer, truth_of

    path = tmp_path / "turned.png"
    with Image.open(SAMPLES_DIR / PARDO) as image:
        image.rotate(degrees, expand=True).save(path)  # counter-clockwise
    reading = TesseractEngine().read_image(str(path), 1)
    monkeypatch.setattr(ocr, "OSD_UNSURE_LONG_SIDE", 0)
    as_it_lies = TesseractEngine().read_image(str(path), 1)
    assert reading.turned == turned
    assert cer(reading.text, truth_of(PARDO)) <= 0.03
    assert as_it_lies.turned == 0
    assert cer(as_it_lies.text, truth_of(PARDO)) >= 0.5
