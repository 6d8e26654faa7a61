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
never decoded; other Flate streams (page contents, forms) are inflated a
slice at a time, keeping nothing, only to measure them (decompression bombs).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENDER_DPI = 300
POINTS_PER_INCH = 72
SCALE = RENDER_DPI / POINTS_PER_INCH
CORRUPT = "document_corrupt"
# A walk visiting more objects than this is refused: no scan needs as many.
MAX_PDF_OBJECTS = 2_000_000
# A Flate stream that is not an image (drawing instructions, forms) may
# inflate to this many bytes at most; checked a slice at a time.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
INFLATE_SLICE = 1024 * 1024
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
    """How many pages a document may have, and how large a page may render."""

    max_pages: int
    max_page_pixels: int


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
            check_objects(reader.trailer, reader.resolved_objects, limits)
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


def check_objects(trailer: Any, cache: dict[Any, Any], limits: Limits) -> None:
    """Walk every object reachable from a PDF's trailer; raise if one is unsafe.

    Refused: anything that acts by itself (``active_content``), an image
    larger than the pixel budget, and a Flate-compressed stream (page
    drawing instructions, forms) that inflates beyond
    ``MAX_INFLATED_BYTES``: 800 KB of zeros can make a renderer allocate
    gigabytes. ``cache`` is the reader's cache of parsed objects: the streams
    met are dropped from it once looked at, so a large scan is never held in
    memory whole.
    """
    for dictionary in _dictionaries(trailer, cache):
        finding = active_content(dictionary)
        if finding:
            raise UnsafeDocument(f"the PDF carries {finding}")
        if hasattr(dictionary, "get_data"):
            _check_stream(dictionary, limits)


def active_content(dictionary: Any) -> str | None:
    """Name what a PDF dictionary holds that could act by itself, or None.

    E.g. ``"JavaScript"`` for ``<< /S /JavaScript /JS (...) >>``.
    """
    for key in dictionary:
        if key in ACTIVE_KEYS:
            return str(ACTIVE_KEYS[key])
    action = dictionary.get("/S")
    if isinstance(action, str) and action in ACTIVE_ACTIONS:
        return ACTIVE_ACTIONS[action]
    return None


def _check_stream(stream: Any, limits: Limits) -> None:
    if stream.get("/Subtype") == "/Image":
        width, height = stream.get("/Width", 0), stream.get("/Height", 0)
        if int(width) * int(height) > limits.max_page_pixels:
            raise UnsafeDocument(
                f"the PDF holds a {width}x{height} image, more than the "
                f"{limits.max_page_pixels} pixels allowed",
                "document_too_large",
            )
        return
    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, list) and filters else filters
    if first == "/FlateDecode" and _inflates_beyond(
        getattr(stream, "_data", b""), MAX_INFLATED_BYTES
    ):
        raise UnsafeDocument(
            f"the PDF holds a stream that inflates beyond {MAX_INFLATED_BYTES} bytes "
            "(a decompression bomb)",
            "document_too_large",
        )


def _inflates_beyond(encoded: bytes, limit: int) -> bool:
    """Inflate ``encoded`` a slice at a time, keeping nothing; True past ``limit``.

    ``encoded`` is the stream's raw (still compressed) data: pypdf keeps it
    in ``_data`` until someone decodes it, which is the very thing to avoid.
    """
    inflater = zlib.decompressobj()
    produced = 0
    pending = encoded
    try:
        while pending and produced <= limit:
            produced += len(inflater.decompress(pending, INFLATE_SLICE))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return False  # a broken stream is the renderer's problem, not a bomb
    return produced > limit


def _dictionaries(root: Any, cache: dict[Any, Any]) -> Iterator[Any]:
    """Every dictionary reachable from ``root``, each indirect object once."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        StreamObject,
    )

    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [root]
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
