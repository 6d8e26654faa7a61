"""Amazon Textract's answers turned into page readings, with textractor.

Both the synchronous ``DetectDocumentText`` (one image) and the asynchronous
``GetDocumentTextDetection`` (a PDF or TIFF, in pages of at most 1000 blocks
tied by ``NextToken``) answer with PAGE, LINE and WORD blocks. They are parsed
with amazon-textract-textractor, one document page at a time, and each page
becomes a ``TextractPage`` built the way the Tesseract path builds a reading:
the lines top to bottom, one per text line, and the mean word confidence
(0-100).

Textract says nothing of a page's language, and does not read Arabic: the
reading step decides whether a Textract page is used (``ocr.read_document``
sends only the pages Tesseract's script detection finds Latin) and names its
language from the text (French or Spanish by their function words).

textractor is imported inside the functions that parse, so importing this
module costs nothing. Document text is never logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# Under this mean word confidence a Textract page is not taken: Tesseract
# reads it instead (Textract scores printed Latin text 90-99).
TEXTRACT_MIN_CONFIDENCE = 60.0
# Nor is a page with this many lines of two words or more that Textract is
# unsure of (mean word confidence under UNSURE_LINE_CONFIDENCE): lines it
# cannot read, Arabic ones on a French page say, which Tesseract reads
# with both scripts' models (chalicelib.ocr, MIXED_MIN_LINES).
MAX_UNSURE_LINES = 1
UNSURE_LINE_CONFIDENCE = 40.0
MAX_RESULTS = 1000


@dataclass(frozen=True)
class TextractPage:
    """The text Textract found on one page of a document."""

    number: int
    text: str
    confidence: float
    words: int
    # Each word placed on the page (``text_layer.Word``: left, top, right,
    # bottom as fractions of the page, line index, text), for the text layer.
    placed: tuple[Any, ...] = ()
    # Lines of two words or more under UNSURE_LINE_CONFIDENCE.
    unsure_lines: int = 0


def page_of_blocks(number: int, blocks: list[dict[str, Any]]) -> TextractPage:
    """Parse the blocks of one page (its PAGE block, lines and words)."""
    from textractor.parsers import response_parser

    pages = [b for b in blocks if b.get("BlockType") == "PAGE"]
    if len(pages) != 1:
        return TextractPage(number, "", 0.0, 0)
    document = response_parser.parse(
        {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks}
    )
    (page,) = document.pages
    lines = [line.text for line in page.lines if line.text.strip()]
    confidences = [
        float(word.confidence) * 100 for line in page.lines for word in line.words
    ]
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return TextractPage(
        number,
        "\n".join(lines),
        round(mean, 2),
        len(confidences),
        _placed(page),
        _unsure_lines(page),
    )


def _unsure_lines(page: Any) -> int:
    """Lines of two words or more whose mean confidence is under the bar."""
    unsure = 0
    for line in page.lines:
        scores = [float(word.confidence) * 100 for word in line.words]
        if len(scores) >= 2 and sum(scores) / len(scores) < UNSURE_LINE_CONFIDENCE:
            unsure += 1
    return unsure


def _placed(page: Any) -> tuple[Any, ...]:
    """The page's words with their boxes, as fractions of the page."""
    return tuple(
        (
            round(word.bbox.x, 5),
            round(word.bbox.y, 5),
            round(word.bbox.x + word.bbox.width, 5),
            round(word.bbox.y + word.bbox.height, 5),
            index,
            word.text,
        )
        for index, line in enumerate(page.lines)
        for word in line.words
        if word.text.strip()
    )


def pages_of_blocks(blocks: Iterable[dict[str, Any]]) -> Iterator[TextractPage]:
    """Group a stream of blocks by their page and parse each page once complete.

    Textract returns a document's blocks page by page (each block carries
    ``Page``; a one-page answer may omit it), so a page is complete when a
    block of a later page arrives: one page's blocks are in memory at a time,
    however long the document. A block of a page already parsed (never seen
    from Textract) is dropped rather than reordering the whole answer.
    """
    current: list[dict[str, Any]] = []
    number = 0
    done: set[int] = set()
    for block in blocks:
        page = int(block.get("Page", 1))
        if page != number:
            if current:
                done.add(number)
                yield page_of_blocks(number, current)
            current, number = [], page
        if page not in done:
            current.append(block)
    if current:
        yield page_of_blocks(number, current)


def detected_blocks(client: Any, job_id: str) -> Iterator[dict[str, Any]]:
    """Every block of a finished text-detection job, following ``NextToken``."""
    token: str | None = None
    while True:
        arguments: dict[str, Any] = {"JobId": job_id, "MaxResults": MAX_RESULTS}
        if token:
            arguments["NextToken"] = token
        answer = client.get_document_text_detection(**arguments)
        yield from answer.get("Blocks", [])
        token = answer.get("NextToken")
        if not token:
            return


def unreadable_reason(page: TextractPage) -> str | None:
    """Why Textract's text of a page may not stand as its reading; None if it may."""
    if not page.text.strip():
        return "no text found"
    if page.confidence < TEXTRACT_MIN_CONFIDENCE:
        return f"low confidence ({page.confidence:.0f})"
    if page.unsure_lines > MAX_UNSURE_LINES:
        return f"{page.unsure_lines} lines it cannot read"
    return None
