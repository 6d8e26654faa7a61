"""Files that are two formats at once (polyglots) are refused.

A scan must be one thing. A PDF that is also a ZIP, a PNG that ends in a web
page, a JPEG with an archive after its last marker: each reader sees a
different file, and the court would be sealing something it never looked at.
Checked here, on the received bytes, before any reader opens them:

* markup that a browser runs (``<script``, ``<html``, ``<!doctype html``)
  anywhere in the file;
* a ZIP archive: an end of central directory record that reaches the end of
  the file as unzip tools find it, or a well-formed local file header;
* another format's magic after the end of the document: after the last
  ``%%EOF`` of a PDF (incremental updates add several, all fine), after a
  PNG's ``IEND`` chunk, after a JPEG's end-of-image marker (found by walking
  its segments, so an EXIF thumbnail's own markers do not count);
* a file name whose extension says another type than the bytes.

Junk before a PDF's ``%PDF`` header never gets here: a file must begin with
its type's magic number (``pipeline.sniff_content_type``).

The file is mapped, not read: a scan of hundreds of MB costs its page cache,
and the searches run in C (``mmap.find``).
"""

from __future__ import annotations

import mmap
import re
import struct
from pathlib import Path

POLYGLOT = "document_polyglot"
WRONG_TYPE = "document_wrong_type"
MARKUP = (b"<script", b"<html", b"<!doctype html")
SCAN_SLICE = 8 * 1024 * 1024
ZIP_LOCAL_HEADER = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
ZIP_END_SIZE = 22
ZIP_MAX_COMMENT = 0xFFFF
# Magic numbers of formats that must not follow a document's end.
APPENDED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (ZIP_LOCAL_HEADER, "a ZIP archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"<", "markup"),
)
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
# Names a scan never has: the file would be opened as something else.
ACTIVE_EXTENSIONS = frozenset(
    [
        ".htm",
        ".html",
        ".xhtml",
        ".svg",
        ".js",
        ".mjs",
        ".hta",
        ".exe",
        ".dll",
        ".bat",
        ".cmd",
        ".com",
        ".scr",
        ".ps1",
        ".vbs",
        ".jar",
        ".zip",
        ".php",
        ".sh",
        ".msi",
        ".lnk",
    ]
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_EXTENSION = re.compile(r"(\.[A-Za-z0-9]{1,8})$")


class Polyglot(Exception):
    """The bytes are more than one format (or not the one named); ``code`` says."""

    def __init__(self, reason: str, code: str = POLYGLOT) -> None:
        super().__init__(reason)
        self.code = code


def check_single_format(
    path: Path, content_type: str, filename: str | None = None
) -> None:
    """Raise ``Polyglot`` unless the file at ``path`` is only ``content_type``.

    E.g. ``"the file carries a ZIP archive"`` for a PDF with a JAR appended,
    or ``"the file name ends in .pdf but the bytes are image/jpeg"``.
    """
    if filename:
        check_extension(filename, content_type)
    if path.stat().st_size == 0:
        return
    with (
        path.open("rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
    ):
        _check_markup(data)
        _check_zip(data)
        _check_after_end(data, content_type)


def check_extension(filename: str, content_type: str) -> None:
    """Refuse a name whose extension says another type than ``content_type``.

    A name without an extension (``scan0001``) says nothing and passes.

    >>> check_extension("jugement.PDF", "application/pdf")
    """
    match = _EXTENSION.search(filename)
    if match is None:
        return
    extension = match.group(1).lower()
    if extension in ACTIVE_EXTENSIONS:
        raise Polyglot(
            f"the file name ends in {extension}, which is not a scan", WRONG_TYPE
        )
    expected = EXTENSIONS.get(extension)
    if expected is not None and expected != content_type:
        raise Polyglot(
            f"the file name ends in {extension} but the bytes are {content_type}",
            WRONG_TYPE,
        )


def _slices(data: mmap.mmap, overlap: int) -> list[tuple[int, int]]:
    """Bounds of overlapping slices covering ``data``."""
    size = len(data)
    return [
        (start, min(size, start + SCAN_SLICE + overlap))
        for start in range(0, size, SCAN_SLICE)
    ]


def _check_markup(data: mmap.mmap) -> None:
    longest = max(len(marker) for marker in MARKUP)
    for start, end in _slices(data, longest):
        lowered = data[start:end].lower()
        for marker in MARKUP:
            if marker in lowered:
                raise Polyglot(f"the file carries web markup ({marker.decode()}...)")


def _check_zip(data: mmap.mmap) -> None:
    if _zip_end_reaches_end(data) or _has_zip_local_header(data):
        raise Polyglot("the file carries a ZIP archive")


def _zip_end_reaches_end(data: mmap.mmap) -> bool:
    """True when an end-of-central-directory record ends the file, as unzip sees it."""
    size = len(data)
    floor = max(0, size - ZIP_END_SIZE - ZIP_MAX_COMMENT)
    position = data.rfind(ZIP_END, floor)
    while position != -1:
        if position + ZIP_END_SIZE <= size:
            (comment,) = struct.unpack_from("<H", data, position + 20)
            if position + ZIP_END_SIZE + comment == size:
                return True
        position = data.rfind(ZIP_END, floor, position)
    return False


def _has_zip_local_header(data: mmap.mmap) -> bool:
    """True at a local file header whose fields are those of a real archive.

    Four bytes alone turn up by chance in compressed image data; a real
    header also has a known version and method and a printable name.
    """
    position = data.find(ZIP_LOCAL_HEADER)
    while position != -1:
        if _plausible_local_header(data, position):
            return True
        position = data.find(ZIP_LOCAL_HEADER, position + 1)
    return False


def _plausible_local_header(data: mmap.mmap, position: int) -> bool:
    if position + 30 > len(data):
        return False
    version, _, method = struct.unpack_from("<HHH", data, position + 4)
    name_length, _ = struct.unpack_from("<HH", data, position + 26)
    if version > 63 or method not in (0, 8, 9, 12, 14, 93, 95, 99):
        return False
    if not 0 < name_length <= 255:
        return False
    name = data[position + 30 : position + 30 + name_length]
    return len(name) == name_length and all(32 <= byte < 127 for byte in name)


def _check_after_end(data: mmap.mmap, content_type: str) -> None:
    end = _document_end(data, content_type)
    if end is None:
        return
    trailing = data[end : end + 64].lstrip(b"\x00\t\n\r\x0c ")
    for magic, name in APPENDED_MAGIC:
        if trailing.startswith(magic):
            raise Polyglot(f"{name} follows the end of the document")


def _document_end(data: mmap.mmap, content_type: str) -> int | None:
    """Offset just past the document's own end, when its format says one."""
    if content_type == "application/pdf":
        position = data.rfind(b"%%EOF")
        return None if position == -1 else position + len(b"%%EOF")
    if content_type == "image/png":
        return _png_end(data)
    if content_type == "image/jpeg":
        return _jpeg_end(data)
    return None  # TIFF: its directories may sit anywhere in the file


def _png_end(data: mmap.mmap) -> int | None:
    """Past the IEND chunk, walking the chunks from the signature."""
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int(struct.unpack_from(">I", data, position)[0])
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            return position
    return None


def _jpeg_end(data: mmap.mmap) -> int | None:
    """Past the end-of-image marker, walking segments and entropy-coded data.

    Segments are skipped by their length, so an EXIF thumbnail (a whole JPEG
    inside APP1) is never mistaken for the end.
    """
    position = 2
    size = len(data)
    while position + 2 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > size:
            return None
        (length,) = struct.unpack_from(">H", data, position + 2)
        position += 2 + length
        if marker == 0xDA:
            position = _after_entropy_data(data, position)
    return None


def _after_entropy_data(data: mmap.mmap, position: int) -> int:
    """The next marker after a scan's entropy-coded data (stuffing skipped)."""
    size = len(data)
    while True:
        position = data.find(b"\xff", position)
        if position == -1 or position + 1 >= size:
            return size
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1
            continue
        return position
