"""TextractEngine and the Textract -> Tesseract fallback of read_document.

A real boto3 Textract client answers from a botocore Stubber: nothing leaves
the machine. The page images are small synthetic PNGs drawn with PIL.
"""

from __future__ import annotations

import os

os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-west-3"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from PIL import Image, ImageDraw

from chalicelib import ocr
from chalicelib.ocr import (
    PageLayout,
    PageReading,
    TesseractEngine,
    TextractEngine,
    TextractUnavailable,
    read_document,
)
from tests.textract_blocks import mean_word_confidence, page_blocks


def png_bytes() -> bytes:
    """A small synthetic page with a few dark strokes."""
    image = Image.new("L", (400, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in (40, 90, 140):
        draw.rectangle((30, y, 370, y + 12), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture()
def page_png(tmp_path: Path) -> Path:
    path = tmp_path / "page.png"
    path.write_bytes(png_bytes())
    return path


@pytest.fixture()
def textract() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("textract", region_name=os.environ["AWS_DEFAULT_REGION"])
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


class FakeTesseract(TesseractEngine):
    """Tesseract stand-in: a fixed script, records what it was asked to read."""

    def __init__(self, script: str | None) -> None:
        super().__init__()
        self.script = script
        self.read: list[int] = []

    def detect_layout(self, image_path: str) -> PageLayout:
        return PageLayout(self.script)

    def read_image(
        self, image_path: str, number: int, layout: PageLayout | None = None
    ) -> PageReading:
        self.read.append(number)
        language = "ara" if self.script == "Arabic" else "fra"
        return PageReading(
            number, "lu par tesseract", language, 90.0, "tesseract", False
        )


LINE_TEXTS = ["Le tribunal de commerce", "statue sur la demande"]
# DetectDocumentText's answer for one image: its blocks carry no page number.
LINES = [
    {k: v for k, v in block.items() if k != "Page"}
    for block in page_blocks(LINE_TEXTS, 1)
]


def test_textract_line_blocks_become_the_text(page_png: Path, textract: Any) -> None:
    client, stubber = textract
    stubber.add_response(
        "detect_document_text",
        {"Blocks": LINES},
        {"Document": {"Bytes": page_png.read_bytes()}},
    )
    reading = TextractEngine(client).read_image(str(page_png), 4)
    assert reading.text == "Le tribunal de commerce\nstatue sur la demande"
    assert reading.number == 4
    assert reading.source == "textract"
    assert reading.language == "fra"
    assert reading.confidence == pytest.approx(mean_word_confidence(LINES), abs=0.01)
    assert not reading.low_confidence


def test_unsure_textract_reading_falls_back_to_tesseract(textract: Any) -> None:
    client, stubber = textract
    unsure = page_blocks(LINE_TEXTS, 1, confidence=(20.0, 40.0))
    stubber.add_response("detect_document_text", {"Blocks": unsure}, {"Document": ANY})
    tesseract = FakeTesseract("Latin")
    fallbacks: list[str] = []
    pages = read_png(client, tesseract, fallbacks)
    assert [p.source for p in pages] == ["tesseract"]
    assert len(fallbacks) == 1 and "low confidence" in fallbacks[0]


def test_textract_error_is_raised_as_unavailable(page_png: Path, textract: Any) -> None:
    client, stubber = textract
    stubber.add_client_error(
        "detect_document_text", service_error_code="UnsupportedDocumentException"
    )
    with pytest.raises(TextractUnavailable, match="UnsupportedDocumentException"):
        TextractEngine(client).read_image(str(page_png), 1)


def read_png(client: Any, tesseract: Any, fallbacks: list[str]) -> list[Any]:
    """Read the test page with Textract first and ``tesseract`` as fallback."""
    return read_document(
        png_bytes(),
        "image/png",
        tesseract,
        primary=TextractEngine(client),
        on_fallback=fallbacks.append,
    )


def test_latin_page_goes_to_textract(textract: Any) -> None:
    client, stubber = textract
    stubber.add_response("detect_document_text", {"Blocks": LINES}, {"Document": ANY})
    tesseract = FakeTesseract("Latin")
    fallbacks: list[str] = []
    pages = read_png(client, tesseract, fallbacks)
    assert [p.source for p in pages] == ["textract"]
    assert tesseract.read == []
    assert fallbacks == []


def test_throttling_falls_back_to_tesseract(textract: Any) -> None:
    client, stubber = textract
    stubber.add_client_error(
        "detect_document_text",
        service_error_code="ThrottlingException",
        http_status_code=400,
    )
    tesseract = FakeTesseract("Latin")
    fallbacks: list[str] = []
    pages = read_png(client, tesseract, fallbacks)
    assert [p.source for p in pages] == ["tesseract"]
    assert tesseract.read == [1]
    assert len(fallbacks) == 1
    assert "ThrottlingException" in fallbacks[0]


@pytest.mark.parametrize("script", ["Arabic", None])
def test_arabic_or_unsure_page_is_never_sent_to_textract(
    textract: Any, script: str | None
) -> None:
    client, _ = textract  # no stubbed response: any Textract call would fail
    tesseract = FakeTesseract(script)
    pages = read_document(
        png_bytes(), "image/png", tesseract, primary=TextractEngine(client)
    )
    assert [p.source for p in pages] == ["tesseract"]
    assert tesseract.read == [1]


def test_oversized_image_is_refused_before_any_call(
    page_png: Path, textract: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = textract
    monkeypatch.setattr(ocr, "TEXTRACT_MAX_BYTES", 10)
    with pytest.raises(TextractUnavailable, match="DocumentTooLarge"):
        TextractEngine(client).read_image(str(page_png), 1)
