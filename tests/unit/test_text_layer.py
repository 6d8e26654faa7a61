"""The text layer: words laid from the first reading, and OCRmyPDF's budget.

Laid words are read back with PDFium, as a reader would. OCRmyPDF's budget
and failures use stand-in tools, each a real child process (Python), so the
budget really kills a process group and a failure is a real exit status.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from chalicelib import text_layer

BUDGET = text_layer.Budget(seconds_per_page=30, max_seconds=120)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    """A one-page scanned PDF."""
    buffer = io.BytesIO()
    Image.new("L", (300, 200), 255).save(buffer, format="PDF")
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def python_tool(code: str) -> list[str]:
    """A stand-in for OCRmyPDF; the output path is its last argument."""
    return [sys.executable, "-c", code]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ara+fra", "ara+fra"), ("", "ara+fra+spa"), ("deu", "ara+fra+spa")],
)
def test_languages_are_those_read(language: str, expected: str) -> None:
    assert text_layer.tesseract_languages(language) == expected


def test_budget_grows_with_pages_up_to_its_maximum() -> None:
    assert BUDGET.allowed(2) == 60
    assert BUDGET.allowed(4) == 120
    assert BUDGET.allowed(5) is None


def test_pages_with_text_need_no_layer(scan: Path, tmp_path: Path) -> None:
    outcome = text_layer.add_text_layer(
        scan, tmp_path / "out.pdf", pages_to_read=0, languages="fra", budget=BUDGET
    )

    assert (outcome.status, outcome.code) == ("NOT_NEEDED", "text_layer_present")


def test_a_copy_is_accepted(scan: Path, tmp_path: Path) -> None:
    copy = "import shutil, sys; shutil.copyfile(sys.argv[-2], sys.argv[-1])"

    outcome = text_layer.add_text_layer(
        scan,
        tmp_path / "out.pdf",
        pages_to_read=1,
        languages="fra",
        budget=BUDGET,
        tool=python_tool(copy),
    )

    assert outcome.status == "ADDED"


@pytest.mark.parametrize(
    ("tool", "code"),
    [
        (python_tool("import sys; sys.exit(2)"), "text_layer_failed"),
        (
            python_tool("import sys; open(sys.argv[-1], 'wb').write(b'%PDF-junk')"),
            "text_layer_failed",
        ),
        (python_tool("import sys"), "text_layer_failed"),  # exits 0, writes nothing
        (["/nonexistent/ocrmypdf"], "text_layer_failed"),
        (python_tool("import time; time.sleep(60)"), "text_layer_time_budget"),
    ],
    ids=["exit-status", "not-a-pdf", "no-output", "missing-tool", "too-slow"],
)
def test_failures_are_outcomes(
    scan: Path, tmp_path: Path, tool: list[str], code: str
) -> None:
    budget = text_layer.Budget(seconds_per_page=1, max_seconds=10)

    outcome = text_layer.add_text_layer(
        scan,
        tmp_path / "out.pdf",
        pages_to_read=1,
        languages="fra",
        budget=budget,
        tool=tool,
    )

    assert (outcome.status, outcome.code) == ("SKIPPED", code)


def test_a_long_scan_is_refused_before_running(scan: Path, tmp_path: Path) -> None:
    outcome = text_layer.add_text_layer(
        scan,
        tmp_path / "out.pdf",
        pages_to_read=500,
        languages="fra",
        budget=BUDGET,
        tool=["/nonexistent/ocrmypdf"],
    )

    assert (outcome.status, outcome.code) == ("SKIPPED", "text_layer_time_budget")


# --- the words of the first reading -------------------------------------------


def tesseract_data(words: list[tuple[int, int, int, int, int, str]]) -> dict[str, Any]:
    """An ``image_to_data`` result of a 1000x2000 image: (line, l, t, w, h, text)."""
    data: dict[str, list[Any]] = {
        key: []
        for key in (
            "level",
            "block_num",
            "par_num",
            "line_num",
            "left",
            "top",
            "width",
            "height",
            "conf",
            "text",
        )
    }
    rows = [(1, 0, 0, 0, 1000, 2000, -1, "")] + [
        (5, line, left, top, width, height, 90, text)
        for line, left, top, width, height, text in words
    ]
    for level, line, left, top, width, height, conf, text in rows:
        for key, value in zip(
            data,
            (level, 1, 1, line, left, top, width, height, conf, text),
            strict=True,
        ):
            data[key].append(value)
    return data


def test_words_are_placed_as_fractions_of_the_page() -> None:
    data = tesseract_data([(1, 100, 200, 200, 50, "Jugement"), (2, 0, 0, 10, 10, " ")])

    assert text_layer.words_of(data) == ((0.1, 0.1, 0.3, 0.125, 0, "Jugement"),)


def laid_text(scan: Path, tmp_path: Path, words: list[Any]) -> tuple[bytes, str]:
    import pypdfium2 as pdfium

    output = tmp_path / "laid.pdf"
    outcome = text_layer.lay_words(scan, output, {1: words})
    assert (outcome.status, outcome.method) == ("ADDED", "tesseract-words")
    data = output.read_bytes()
    document = pdfium.PdfDocument(data)
    textpage = document[0].get_textpage()
    text = textpage.get_text_bounded()
    textpage.close()
    document.close()
    return data, text


def test_laid_words_come_back_and_the_scan_is_kept(scan: Path, tmp_path: Path) -> None:
    words = [
        [0.1, 0.1, 0.4, 0.2, 0, "Tribunal"],
        [0.45, 0.1, 0.7, 0.2, 0, "commercial"],
        [0.1, 0.5, 0.5, 0.6, 1, "Casablanca"],
    ]

    data, text = laid_text(scan, tmp_path, words)

    assert data.startswith(scan.read_bytes())
    assert text.split() == ["Tribunal", "commercial", "Casablanca"]


def test_arabic_words_come_back_in_reading_order(scan: Path, tmp_path: Path) -> None:
    words = [  # reading order: the rightmost word first
        [0.55, 0.1, 0.9, 0.2, 0, "المحكمة"],
        [0.1, 0.1, 0.5, 0.2, 0, "التجارية"],
    ]

    _, text = laid_text(scan, tmp_path, words)

    assert text.split() == ["المحكمة", "التجارية"]


def test_a_rotated_page_is_left_to_ocrmypdf(tmp_path: Path, scan: Path) -> None:
    writer = PdfWriter(clone_from=scan)
    writer.pages[0].rotate(90)
    rotated = tmp_path / "rotated.pdf"
    writer.write(rotated)

    with pytest.raises(text_layer.UnsupportedPage):
        text_layer.lay_words(rotated, tmp_path / "out.pdf", {1: [[0, 0, 1, 1, 0, "x"]]})


def test_a_signed_pdf_is_recognised(scan: Path, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=scan)
    signature = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject("Lawyer"),
            NameObject("/V"): DictionaryObject(
                {NameObject("/Type"): NameObject("/Sig")}
            ),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(signature)])}
    )
    signed = tmp_path / "signed.pdf"
    writer.write(signed)

    assert text_layer.carries_signature(signed)
    assert not text_layer.carries_signature(scan)


def test_a_rotated_page_read_as_nothing_is_left_to_ocrmypdf(
    tmp_path: Path, scan: Path
) -> None:
    """No words found on a sideways page: never a layer claimed for it."""
    writer = PdfWriter(clone_from=scan)
    writer.pages[0].rotate(90)
    rotated = tmp_path / "rotated.pdf"
    writer.write(rotated)

    with pytest.raises(text_layer.UnsupportedPage):
        text_layer.lay_words(rotated, tmp_path / "out.pdf", {1: []})


def test_ocrmypdf_turns_pages_before_reading_them(tmp_path: Path) -> None:
    command = text_layer._command(
        ("ocrmypdf",), tmp_path / "in.pdf", tmp_path / "out.pdf", "fra"
    )
    assert "--rotate-pages" in command
