"""Searchable PDFs: an invisible text layer laid over a scan's pages.

A scanned PDF is sealed with a text layer when one can be made within the
time budget, so a reader can search and copy its words. Two ways, the first
preferred:

* ``lay_words``: the words Tesseract already found while the pipeline read
  the pages (``words_of``: each word's box as fractions of the page) are
  written as invisible text (rendering mode 3, a glyphless font) in an
  incremental update: the searchable PDF is the original bytes, unchanged,
  followed by the layer. Nothing is read twice; it takes milliseconds.
* ``add_text_layer``: OCRmyPDF reads the pages again (``--mode skip``: pages
  that already carry text keep it; images are never recompressed), in a
  child process killed at the budget, turning sideways or upside-down pages
  (``--rotate-pages``, Tesseract's OSD) before it reads them. Used when the
  words are not at hand or cannot be placed: a page with a ``/Rotate``, a
  page whose image had to be turned upright before it was read
  (``PageReading.turned``), words expired from ``tmp/``.

Any failure (the tool missing, a PDF it refuses such as one already signed,
an output that is not the same document) ends in an outcome that says why;
the document is then sealed as received. The budget is
``seconds_per_page`` times the pages to read, refused outright when above
``max_seconds`` (a long scan would not fit the function's time).

Arabic words are written in visual order (their letters reversed, the words
of a line left to right), the order PDF text extractors expect and reorder
back: written in reading order, PDFium gives Arabic back reversed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel

logger = logging.getLogger(__name__)

TOOL: tuple[str, ...] = (sys.executable, "-m", "ocrmypdf")
WORDS = "tesseract-words"
OCRMYPDF = "ocrmypdf"
FONT_NAME = "/JusticiaOcr"
# Every glyph of the glyphless font is this wide (thousandths of the size);
# each word is then stretched (Tz) to the width of its box.
GLYPH_WIDTH = 500
# Tesseract's glyphless font, embedded when found (invisible text needs no
# shapes, but readers warn about a font they cannot find).
GLYPHLESS_FONTS = (
    "/opt/share/tessdata/pdf.ttf",
    "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf",
    "/usr/share/tesseract-ocr/4.00/tessdata/pdf.ttf",
)
# A word: its box as fractions of the page (left, top, right, bottom), the
# number of its line on the page, its text.
# Left-to-right, right-to-left and Arabic letter marks: Tesseract adds them
# around Arabic words; they are never on the page.
DIRECTIONAL_MARKS: Final = str.maketrans("", "", "\u200e\u200f\u061c")
Word = tuple[float, float, float, float, int, str]
LANGUAGES = ("ara", "fra", "spa")
Status = Literal["ADDED", "SKIPPED", "NOT_NEEDED"]
ADDED: Final[Status] = "ADDED"
SKIPPED: Final[Status] = "SKIPPED"
NOT_NEEDED: Final[Status] = "NOT_NEEDED"
TIME_BUDGET = "text_layer_time_budget"
FAILED = "text_layer_failed"
ALREADY_TEXT = "text_layer_present"
SIGNED_BY_FILER = "text_layer_signed"


class TextLayerOutcome(BaseModel):
    """What became of a document's text layer, and why (``code``).

    ``method`` is ``tesseract-words`` or ``ocrmypdf`` when one was made.
    """

    status: Status
    code: str | None = None
    seconds: float = 0.0
    method: str | None = None


class UnsupportedPage(Exception):
    """A page the words cannot be laid on (rotated): OCRmyPDF's turn."""


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
    return TextLayerOutcome(status=ADDED, seconds=seconds, method=OCRMYPDF)


def carries_signature(path: Path) -> bool:
    """True when the PDF holds a filled signature field (a filer's own).

    Any page change after it would show as a change after signing, so such
    a PDF is sealed as received. An unreadable form counts as no signature:
    the layer's own checks then decide.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with path.open("rb") as stream:
            reader = PdfReader(stream, strict=False)
            return any(
                field.get("/FT") == "/Sig" and field.get("/V") is not None
                for field in (reader.get_fields() or {}).values()
            )
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return False


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
        "--rotate-pages",
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


# --------------------------------------------------------------------------
# The words of the first reading


def words_of(data: Mapping[str, Sequence[Any]]) -> tuple[Word, ...]:
    """The words of a Tesseract ``image_to_data`` result, placed on the page.

    Boxes become fractions of the image (its level-1 row), so the scale the
    page was read at does not matter. E.g. a word at x 100-300 of a 1000 px
    wide image spans 0.1-0.3 of the page.
    """
    pages = [i for i, level in enumerate(data["level"]) if int(level) == 1]
    if not pages:
        return ()
    width = float(data["width"][pages[0]]) or 1.0
    height = float(data["height"][pages[0]]) or 1.0
    lines: dict[tuple[int, int, int], int] = {}
    words: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = (text or "").translate(DIRECTIONAL_MARKS).strip()
        if int(data["level"][i]) != 5 or not text or float(data["conf"][i]) < 0:
            continue
        line = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        left, top = float(data["left"][i]), float(data["top"][i])
        words.append(
            (
                round(left / width, 5),
                round(top / height, 5),
                round((left + float(data["width"][i])) / width, 5),
                round((top + float(data["height"][i])) / height, 5),
                lines.setdefault(line, len(lines)),
                text,
            )
        )
    return tuple(words)


def lay_words(
    original: Path, output: Path, words: Mapping[int, Sequence[Sequence[Any]]]
) -> TextLayerOutcome:
    """Write ``original`` plus an update laying ``words`` (by page number).

    ``output`` begins with the original bytes unchanged. Raises
    ``UnsupportedPage`` for a rotated page; other failures are outcomes.
    """
    from pypdf import PdfWriter
    from pypdf.errors import PyPdfError

    started = time.monotonic()
    try:
        writer = PdfWriter(str(original), incremental=True)
        font = _glyphless_font(writer)
        for number, page in enumerate(writer.pages, start=1):
            if number in words and int(page.get("/Rotate", 0)) % 360:
                # Even with no words found: a sideways page read as nothing
                # must be read again, never claimed searchable.
                raise UnsupportedPage("rotated page")
            if words.get(number):
                _lay_page(writer, page, font, words[number])
        with output.open("wb") as sink:
            writer.write(sink)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.warning("words could not be laid (%s)", type(exc).__name__)
        return TextLayerOutcome(status=SKIPPED, code=FAILED)
    seconds = round(time.monotonic() - started, 2)
    return TextLayerOutcome(status=ADDED, seconds=seconds, method=WORDS)


def _lay_page(
    writer: Any, page: Any, font: Any, words: Sequence[Sequence[Any]]
) -> None:
    """Wrap the page's drawing in q/Q, then draw its words invisibly."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if int(page.get("/Rotate", 0)) % 360:
        raise UnsupportedPage("rotated page")
    box = page.cropbox
    drawing = _page_text(words, float(box.left), float(box.top), box)
    contents = page.get("/Contents")
    if isinstance(contents, ArrayObject):
        before = list(contents)
    else:
        before = [page.raw_get("/Contents")] if contents is not None else []
    page[NameObject("/Contents")] = ArrayObject(
        [_stream(writer, b"q\n"), *before, _stream(writer, b"\nQ\n" + drawing)]
    )
    resources = page.get("/Resources")
    resources = DictionaryObject(resources or {})
    fonts = DictionaryObject(resources.get("/Font") or {})
    fonts[NameObject(FONT_NAME)] = font
    resources[NameObject("/Font")] = fonts
    page[NameObject("/Resources")] = resources


def _page_text(
    words: Sequence[Sequence[Any]], left: float, top: float, box: Any
) -> bytes:
    """The drawing instructions of a page's invisible words, in visual order."""
    width, height = float(box.width), float(box.height)
    ordered = sorted(words, key=lambda word: (int(word[4]), float(word[0])))
    operations = ["BT", "3 Tr"]
    for index, (x0, y0, x1, y1, line, text) in enumerate(ordered):
        last = index + 1 == len(ordered) or int(ordered[index + 1][4]) != int(line)
        shown = _visual(str(text)) + ("" if last else " ")
        units = shown.encode("utf-16-be")
        size = max(1.0, (float(y1) - float(y0)) * height)
        stretch = 100 * (float(x1) - float(x0)) * width
        stretch /= len(units) / 2 * GLYPH_WIDTH / 1000 * size
        operations.append(
            f"{FONT_NAME} {size:.2f} Tf {stretch:.2f} Tz "
            f"1 0 0 1 {left + float(x0) * width:.2f} {top - float(y1) * height:.2f} "
            f"Tm <{units.hex()}> Tj"
        )
    operations.append("ET")
    return "\n".join(operations).encode("ascii")


def _visual(text: str) -> str:
    """A right-to-left word's letters in visual order; others as they are."""
    rtl = sum(1 for c in text if unicodedata.bidirectional(c) in ("R", "AL"))
    return text[::-1] if rtl * 2 > len(text) else text


def _stream(writer: Any, data: bytes) -> Any:
    """A new compressed stream object of ``writer``; its reference."""
    from pypdf.generic import StreamObject

    stream = StreamObject()
    stream.set_data(data)
    return writer._add_object(stream.flate_encode())


def _glyphless_font(writer: Any) -> Any:
    """A Type 0 font whose every character is an invisible, fixed-width glyph.

    Character codes are UTF-16 code units, mapped back to text by an identity
    ToUnicode CMap.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    descendant = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject("/GlyphLessFont"),
            NameObject("/CIDSystemInfo"): _identity_system_info(),
            NameObject("/FontDescriptor"): writer._add_object(_descriptor(writer)),
            NameObject("/DW"): NumberObject(GLYPH_WIDTH),
            NameObject("/CIDToGIDMap"): _stream(writer, b"\x00\x01" * 65536),
        }
    )
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/GlyphLessFont"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject(
                [writer._add_object(descendant)]
            ),
            NameObject("/ToUnicode"): _stream(writer, _identity_cmap()),
        }
    )
    return writer._add_object(font)


def _identity_system_info() -> Any:
    from pypdf.generic import DictionaryObject, NameObject, NumberObject
    from pypdf.generic import TextStringObject as Text

    return DictionaryObject(
        {
            NameObject("/Registry"): Text("Adobe"),
            NameObject("/Ordering"): Text("Identity"),
            NameObject("/Supplement"): NumberObject(0),
        }
    )


def _descriptor(writer: Any) -> Any:
    """The font's descriptor, with Tesseract's glyphless font when installed."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject("/GlyphLessFont"),
            NameObject("/Flags"): NumberObject(5),
            NameObject("/FontBBox"): ArrayObject(
                [NumberObject(v) for v in (0, 0, GLYPH_WIDTH, 1000)]
            ),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(1000),
            NameObject("/Descent"): NumberObject(0),
            NameObject("/CapHeight"): NumberObject(1000),
            NameObject("/StemV"): NumberObject(80),
        }
    )
    program = _font_program()
    if program is not None:
        from pypdf.generic import StreamObject

        stream = StreamObject()
        stream.set_data(program)
        stream[NameObject("/Length1")] = NumberObject(len(program))
        descriptor[NameObject("/FontFile2")] = writer._add_object(stream.flate_encode())
    return descriptor


def _font_program() -> bytes | None:
    prefix = os.environ.get("TESSDATA_PREFIX", "")
    candidates = ([f"{prefix.rstrip('/')}/pdf.ttf"] if prefix else []) + list(
        GLYPHLESS_FONTS
    )
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path.read_bytes()
    return None


def _identity_cmap() -> bytes:
    """A ToUnicode CMap mapping each 2-byte code to the same UTF-16 unit."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for first in range(0, 256, 100):
        block = range(first, min(first + 100, 256))
        lines.append(f"{len(block)} beginbfrange")
        lines += [f"<{high:02X}00> <{high:02X}FF> <{high:02X}00>" for high in block]
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")
