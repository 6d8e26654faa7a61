"""The text layer step's budget and failures, with stand-in tools (no sockets).

Each stand-in is a real child process (Python), so the budget really kills a
process group and a failure is a real exit status.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from PIL import Image

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
