"""What an uploaded file must be before any worker reads it.

A court accepts scans: PDFs, TIFFs (one page per frame), PNGs and JPEGs. A PDF
is refused when it is encrypted, cannot be parsed, or carries anything that
acts by itself in a reader: JavaScript (a ``/JS`` entry, a ``/JavaScript``
action or name tree, also behind ``/OpenAction`` or ``/AA``), a ``/Launch``
or ``/ImportData`` action, embedded files (``/EmbeddedFile``,
``/EmbeddedFiles``), rich media, or an XFA form. Every file is refused when it
has more pages than allowed, or a page that would render larger than the pixel
budget (decompression bombs, posters of 200 inches a side).

The PDF check walks the object graph from the trailer, as a reader would;
dictionary names are compared after decoding (``/J#53`` is ``/JS``), and
objects inside compressed object streams are seen too. Image streams are
never decoded. Every other stream with a filter (page contents, forms, fonts,
XML metadata, the object streams themselves) is decoded within a budget
(decompression bombs are refused) and its decoded bytes are searched for web
markup with ``polyglot``'s rules for bytes that are not compressed: a
``<p onmouseover=`` or ``<script>`` deflated in a stream is out of reach of
the search of the file's bytes, not of a reader or a text extractor.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENDER_DPI = 300
POINTS_PER_INCH = 72
SCALE = RENDER_DPI / POINTS_PER_INCH
CORRUPT = "document_corrupt"
# A walk visiting more objects than this is refused: no scan needs as many.
MAX_PDF_OBJECTS = 2_000_000
# A stream that is not an image (drawing instructions, forms) may inflate to
# this many bytes at most; checked a slice at a time.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
INFLATE_SLICE = 1024 * 1024
# All the streams of one PDF that are decoded may decode to this many bytes at
# most (``Limits.max_decoded_bytes``). Measured: a text layer (ours, OCRmyPDF's,
# Tesseract's) adds 10 to 20 KB a page, the born-digital gazette of the samples
# decodes to 24 KB a page: 2000 such pages stay under 50 MB. Decoding and
# searching 256 MB took 10 s on a busy 2-core machine.
MAX_DECODED_BYTES = 256 * 1024 * 1024
# Past its first megabyte, a stream may not inflate more than this many times
# its encoded size. Zeros deflate about 1030 to 1; page drawings 3 to 20; a
# cross-reference stream of 2 million objects about 115. The most seen in a
# real file, 874 to 1, is a glyphless font's 128 KB map, under the floor.
MAX_INFLATE_RATIO = 500
RATIO_FLOOR = 1024 * 1024
# The filters undone before the search (with the short names some readers
# also accept outside inline images). A stream through any other filter is
# not decoded: DCT, JPX, CCITT fax and JBIG2 data are pixels.
# NOTE: a stream through LZWDecode or RunLengthDecode is not searched, nor are
# the rows of a /Predictor put back: writers use them for images only (LZW
# not since PDF 1.2); a stream hiding markup behind them would need a decoder.
TEXT_FILTERS = {
    "/FlateDecode": "flate",
    "/Fl": "flate",
    "/ASCIIHexDecode": "hex",
    "/AHx": "hex",
    "/ASCII85Decode": "ascii85",
    "/A85": "ascii85",
}
_BLANKS = re.compile(rb"[\x00\t\n\r\x0c ]")
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/EmbeddedFile": "an embedded file",
    "/EmbeddedFiles": "an embedded file",
    "/XFA": "an XFA form",
    "/RichMedia": "rich media",
}
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/ImportData": "an import-data action",
    "/RichMediaExecute": "rich media",
}


class UnsafeDocument(Exception):
    """The file may not enter the court's records; the message says why.

    ``code`` names the kind of refusal for readers (``chalicelib.errors``'s
    ``DOCUMENT_FAILURES``): unsafe, corrupt, too large, too many pages.
    """

    def __init__(self, reason: str, code: str = "document_unsafe") -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class Limits:
    """How many pages a document may have, and how large a page may render.

    ``max_decoded_bytes`` bounds what a PDF's streams may decode to in all.
    """

    max_pages: int
    max_page_pixels: int
    max_decoded_bytes: int = MAX_DECODED_BYTES


def inspect_file(
    path: Path, content_type: str, limits: Limits, filename: str | None = None
) -> int:
    """Check a received file against ``limits``; return its page count.

    Raises ``UnsafeDocument`` with the reason, e.g. ``"the PDF carries
    JavaScript"`` or ``"the file has 2400 pages, more than the 2000 allowed"``.
    A file that is two formats at once, or whose ``filename`` names another
    type, is refused first (``chalicelib.polyglot``).
    """
    from chalicelib import polyglot

    try:
        polyglot.check_single_format(path, content_type, filename)
    except polyglot.Polyglot as exc:
        raise UnsafeDocument(str(exc), exc.code) from exc
    if content_type == "application/pdf":
        pages = _inspect_pdf(path, limits)
    elif content_type in ("image/tiff", "image/png", "image/jpeg"):
        pages = _inspect_image(path, limits)
    else:
        raise UnsafeDocument(f"unsupported content type: {content_type}")
    if pages == 0:
        raise UnsafeDocument("the file has no pages", CORRUPT)
    return pages


def _too_many(pages: int, limits: Limits) -> None:
    if pages > limits.max_pages:
        raise UnsafeDocument(
            f"the file has {pages} pages, more than the {limits.max_pages} allowed",
            "document_too_many_pages",
        )


def _too_large(number: int, width: float, height: float, limits: Limits) -> None:
    if width * height > limits.max_page_pixels:
        raise UnsafeDocument(
            f"page {number} is {round(width)}x{round(height)} pixels, more than "
            f"the {limits.max_page_pixels} allowed",
            "document_too_large",
        )


# --------------------------------------------------------------------------
# PDF


def _inspect_pdf(path: Path, limits: Limits) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with path.open("rb") as stream:  # given a path, pypdf reads it whole
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise UnsafeDocument("the PDF is encrypted")
            pages = len(reader.pages)
            _too_many(pages, limits)
            for number, page in enumerate(reader.pages, start=1):
                box = page.mediabox
                width, height = abs(box.width) * SCALE, abs(box.height) * SCALE
                _too_large(number, width, height, limits)
            check_objects(
                reader.trailer, reader.resolved_objects, limits, _object_streams(reader)
            )
    except UnsafeDocument:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnsafeDocument(
            f"the PDF is corrupt: {type(exc).__name__}", CORRUPT
        ) from exc
    except RecursionError as exc:
        raise UnsafeDocument(
            "the PDF is corrupt: its objects nest endlessly", CORRUPT
        ) from exc
    return pages


def _object_streams(reader: Any) -> list[Any]:
    """References to the compressed object streams a PDF's cross-references name."""
    from pypdf.generic import IndirectObject

    numbers = {int(number) for number, _ in reader.xref_objStm.values()}
    return [IndirectObject(number, 0, reader) for number in sorted(numbers)]


def check_objects(
    trailer: Any,
    cache: dict[Any, Any],
    limits: Limits,
    object_streams: Iterable[Any] = (),
) -> None:
    """Walk every object reachable from a PDF's trailer; raise if one is unsafe.

    Refused: anything that acts by itself (``active_content``), an image
    larger than the pixel budget, a stream that decodes beyond
    ``MAX_INFLATED_BYTES`` or ``MAX_INFLATE_RATIO`` times its size, streams
    decoding beyond ``MAX_DECODED_BYTES`` in all (800 KB of zeros can make a
    renderer allocate gigabytes), and a decoded stream carrying web markup
    (other than what a page draws: its text may quote markup).
    ``object_streams`` (references to the file's compressed object streams)
    are decoded and searched too: their objects' strings are not otherwise
    searched, reachable or not. ``cache`` is the reader's cache of parsed
    objects: the streams met are dropped from it once looked at, so a large
    scan is never held in memory whole.
    """
    budget = DecodingBudget(limits.max_decoded_bytes)
    drawings: set[int] = set()
    for dictionary in _dictionaries([trailer, *object_streams], cache):
        finding = active_content(dictionary)
        if finding:
            raise UnsafeDocument(f"the PDF carries {finding}")
        if _resolved(dictionary.get("/Type")) == "/Page":
            drawings.update(_references(dictionary.get("/Contents")))
        if hasattr(dictionary, "get_data"):
            _check_stream(dictionary, limits, budget, _is_drawing(dictionary, drawings))


def _references(contents: Any) -> set[int]:
    """Object numbers of a page's content streams (one, or an array of them)."""
    items = contents if isinstance(contents, list) else [contents]
    return {item.idnum for item in items if hasattr(item, "idnum")}


def _is_drawing(stream: Any, drawings: set[int]) -> bool:
    """A page's content stream or a form: what a page shows, text and all.

    Such text may quote markup (an expert's report on a web attack), and no
    browser ever sees it decoded, so it is not searched for markup.
    """
    if _resolved(stream.get("/Subtype")) == "/Form":
        return True
    reference = getattr(stream, "indirect_reference", None)
    return reference is not None and reference.idnum in drawings


def active_content(dictionary: Any) -> str | None:
    """Name what a PDF dictionary holds that could act by itself, or None.

    E.g. ``"JavaScript"`` for ``<< /S /JavaScript /JS (...) >>``, also when
    the action's name is an indirect object (``/S 7 0 R``).
    """
    for key in dictionary:
        if key in ACTIVE_KEYS:
            return str(ACTIVE_KEYS[key])
    action = _resolved(dictionary.get("/S"))
    if isinstance(action, str) and action in ACTIVE_ACTIONS:
        return ACTIVE_ACTIONS[action]
    return None


def _check_stream(
    stream: Any, limits: Limits, budget: DecodingBudget, drawing: bool = False
) -> None:
    if _resolved(stream.get("/Subtype")) == "/Image":
        width, height = stream.get("/Width", 0), stream.get("/Height", 0)
        if int(width) * int(height) > limits.max_page_pixels:
            raise UnsafeDocument(
                f"the PDF holds a {width}x{height} image, more than the "
                f"{limits.max_page_pixels} pixels allowed",
                "document_too_large",
            )
        return
    filters = _filters(stream)
    if not filters or not all(name in TEXT_FILTERS for name in filters):
        return  # no filter (searched in the file's bytes), or pixels
    from chalicelib import polyglot

    decoded = _decoded(stream, filters, budget)
    if drawing:
        return
    try:
        polyglot.check_decoded_markup(decoded)
    except polyglot.Polyglot as exc:
        raise UnsafeDocument(str(exc), exc.code) from exc


def _resolved(value: Any) -> Any:
    """The object an indirect reference points at; any other value as it is."""
    return value.get_object() if hasattr(value, "get_object") else value


def _filters(stream: Any) -> list[str]:
    """The names of a stream's filters, in the order they are undone."""
    filters = _resolved(stream.get("/Filter"))
    if filters is None:
        return []
    if isinstance(filters, list):
        return [str(_resolved(name)) for name in filters]
    return [str(filters)]


class DecodingBudget:
    """What the decoded streams of one PDF may add up to, in bytes."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.spent = 0

    def spend(self, size: int) -> None:
        """Count ``size`` decoded bytes; refuse the PDF once past the budget."""
        self.spent += size
        if self.spent > self.allowed:
            raise UnsafeDocument(
                f"the PDF's streams decode to more than the {self.allowed} bytes "
                "allowed in all",
                "document_too_large",
            )


def _decoded(stream: Any, filters: list[str], budget: DecodingBudget) -> bytes:
    """A stream's data through its ``filters`` (``TEXT_FILTERS`` only).

    A broken encoding ends the data where it breaks: a reader shows no more.
    """
    data = bytes(getattr(stream, "_data", b""))
    for name in filters:
        kind = TEXT_FILTERS[name]
        if kind == "flate":
            data = _inflate(data, budget)
        elif kind == "hex":
            data = _from_hex(data)
            budget.spend(len(data))
        else:
            data = _from_ascii85(data, budget)
    return data


def _inflate(encoded: bytes, budget: DecodingBudget) -> bytes:
    """Inflate ``encoded`` a slice at a time, never past the limits.

    ``encoded`` is the stream's raw data: pypdf keeps it in ``_data`` until
    someone decodes it. Refused past ``MAX_INFLATED_BYTES``, past
    ``MAX_INFLATE_RATIO`` times the bytes consumed (after ``RATIO_FLOOR``),
    and past the PDF's ``budget``. A gzip header is read as well as zlib's.
    """
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    decoded = bytearray()
    pending = encoded
    try:
        while pending and not inflater.eof:
            piece = inflater.decompress(pending, INFLATE_SLICE)
            pending = inflater.unconsumed_tail
            decoded += piece
            budget.spend(len(piece))
            _refuse_bomb(len(decoded), len(encoded) - len(pending))
        decoded += inflater.flush()  # at most a window's worth without input
    except zlib.error:
        pass  # a broken stream is the renderer's problem, not a bomb
    return bytes(decoded)


def _refuse_bomb(produced: int, consumed: int) -> None:
    if produced > MAX_INFLATED_BYTES:
        raise UnsafeDocument(
            f"the PDF holds a stream that inflates beyond {MAX_INFLATED_BYTES} bytes "
            "(a decompression bomb)",
            "document_too_large",
        )
    if produced > RATIO_FLOOR and produced > MAX_INFLATE_RATIO * consumed:
        raise UnsafeDocument(
            f"the PDF holds a stream that inflates more than {MAX_INFLATE_RATIO} "
            "times its size (a decompression bomb)",
            "document_too_large",
        )


def _from_hex(encoded: bytes) -> bytes:
    """ASCIIHexDecode: blanks ignored, ``>`` ends the data, a lone digit is x0."""
    digits = _BLANKS.sub(b"", encoded.split(b">", 1)[0])
    try:
        return binascii.unhexlify(digits + b"0" * (len(digits) % 2))
    except binascii.Error:
        return b""


def _from_ascii85(encoded: bytes, budget: DecodingBudget) -> bytes:
    """ASCII85Decode: blanks ignored, ``~>`` ends the data.

    Each ``z`` stands for four zero bytes: the most it can decode to is
    counted first.
    """
    text = encoded.split(b"~>", 1)[0]
    budget.spend(len(text) + 3 * text.count(b"z"))
    try:
        return base64.a85decode(_BLANKS.sub(b"", text))
    except ValueError:
        return b""


def _dictionaries(roots: list[Any], cache: dict[Any, Any]) -> Iterator[Any]:
    """Every dictionary reachable from ``roots``, each indirect object once."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        StreamObject,
    )

    seen: set[tuple[int, int]] = set()
    pending: list[Any] = list(roots)
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            item = item.get_object()
            if isinstance(item, StreamObject):
                cache.pop((reference[1], reference[0]), None)
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UnsafeDocument("the PDF has too many objects to be checked")
        if isinstance(item, DictionaryObject):
            yield item
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


# --------------------------------------------------------------------------
# Images


def _inspect_image(path: Path, limits: Limits) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            pages = int(getattr(image, "n_frames", 1))
            _too_many(pages, limits)
            for index in range(pages):
                image.seek(index)
                _too_large(index + 1, image.width, image.height, limits)
    except Image.DecompressionBombError as exc:
        raise UnsafeDocument(
            f"the image is too large: {exc}", "document_too_large"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as exc:
        raise UnsafeDocument(
            f"the image is corrupt: {type(exc).__name__}", CORRUPT
        ) from exc
    return pages
