"""Searchable PDFs: an invisible text layer laid over a scan's pages.

A scanned PDF is sealed with a text layer when one can be made within the
time budget, so a reader can search and copy its words. OCRmyPDF makes it
(``--mode skip``: pages that already carry text keep it untouched; images
are never recompressed) in a child process that is killed at the budget.
The original bytes are never changed: the layer is written to a new file.

Any failure (the tool missing, a PDF it refuses such as one already signed,
an output that is not the same document) ends in an outcome that says why;
the document is then sealed as received. The budget is
``seconds_per_page`` times the pages to read, refused outright when above
``max_seconds`` (a long scan would not fit the function's time).

NOTE: OCRmyPDF reads the pages again with Tesseract, about as long again as
the pipeline's own reading (``benchmarks/text_layer_speed.py``). Building the
layer from the word boxes of the first reading would halve that, once the OCR
step keeps them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel

logger = logging.getLogger(__name__)

TOOL: tuple[str, ...] = (sys.executable, "-m", "ocrmypdf")
LANGUAGES = ("ara", "fra", "spa")
Status = Literal["ADDED", "SKIPPED", "NOT_NEEDED"]
ADDED: Final[Status] = "ADDED"
SKIPPED: Final[Status] = "SKIPPED"
NOT_NEEDED: Final[Status] = "NOT_NEEDED"
TIME_BUDGET = "text_layer_time_budget"
FAILED = "text_layer_failed"
ALREADY_TEXT = "text_layer_present"


class TextLayerOutcome(BaseModel):
    """What became of a document's text layer, and why (``code``)."""

    status: Status
    code: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Budget:
    """How long making a text layer may take: per page read, and at most."""

    seconds_per_page: float
    max_seconds: float

    def allowed(self, pages: int) -> float | None:
        """Seconds allowed for ``pages`` pages, or None when beyond the maximum."""
        seconds = self.seconds_per_page * pages
        return seconds if seconds <= self.max_seconds else None


def tesseract_languages(language: str) -> str:
    """The Tesseract languages for a document's ``ara+fra``; all three if none.

    >>> tesseract_languages("fra+ara")
    'fra+ara'
    >>> tesseract_languages("")
    'ara+fra+spa'
    """
    known = [code for code in language.split("+") if code in LANGUAGES]
    return "+".join(known or LANGUAGES)


def add_text_layer(
    original: Path,
    output: Path,
    *,
    pages_to_read: int,
    languages: str,
    budget: Budget,
    tool: Sequence[str] = TOOL,
) -> TextLayerOutcome:
    """Write ``original`` with a text layer to ``output``; say how it went.

    ``pages_to_read`` is the number of pages without text (those the layer
    is for). Never raises for the tool's failures: the outcome is
    ``SKIPPED`` with ``text_layer_time_budget`` or ``text_layer_failed``.
    """
    if pages_to_read == 0:
        return TextLayerOutcome(status=NOT_NEEDED, code=ALREADY_TEXT)
    allowed = budget.allowed(pages_to_read)
    if allowed is None:
        return TextLayerOutcome(status=SKIPPED, code=TIME_BUDGET)
    started = time.monotonic()
    code = _run(_command(tool, original, output, languages), allowed)
    if code is None and not _same_document(original, output):
        code = FAILED
    seconds = round(time.monotonic() - started, 2)
    if code is not None:
        return TextLayerOutcome(status=SKIPPED, code=code, seconds=seconds)
    return TextLayerOutcome(status=ADDED, seconds=seconds)


def _command(
    tool: Sequence[str], original: Path, output: Path, languages: str
) -> list[str]:
    return [
        *tool,
        "--mode",
        "skip",
        "--output-type",
        "pdf",
        "--optimize",
        "0",
        "--jobs",
        "1",
        "--rasterizer",
        "pypdfium",
        "--language",
        languages,
        "--quiet",
        str(original),
        str(output),
    ]


def _run(command: list[str], seconds: float) -> str | None:
    """Run the tool in its own process group; the failure code, or None."""
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
            start_new_session=True,
        )
    except OSError:
        logger.warning("text layer tool cannot be started")
        return FAILED
    try:
        status = process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        _stop(process)
        logger.warning("text layer beyond its time budget (%.1f s)", seconds)
        return TIME_BUDGET
    if status != 0:
        logger.warning("text layer tool failed (exit status %s)", status)
        return FAILED
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the tool and the Tesseract processes it started, then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _same_document(original: Path, output: Path) -> bool:
    """True when ``output`` is a readable PDF with as many pages as ``original``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not output.exists():
        return False
    try:
        with original.open("rb") as before, output.open("rb") as after:
            return len(PdfReader(before).pages) == len(PdfReader(after).pages)
    except (PyPdfError, ValueError, KeyError, OSError):
        return False
