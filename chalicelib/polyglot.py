"""Files that are two formats at once (polyglots) are refused.

A scan must be one thing. A PDF that is also a ZIP, a PNG that ends in a web
page, a JPEG with an archive after its last marker: each reader sees a
different file, and the court would be sealing something it never looked at.
Checked here, on the received bytes, before any reader opens them:

* markup that a browser runs, in every type (TIFF too). Anywhere in the file:
  ``<script``, ``<html``, ``<!doctype html``, ``<iframe``, ``<object``,
  ``<embed``, ``javascript:`` and a ``<svg``/``<img``/... tag carrying an
  ``on...=`` handler (markers long enough that compressed data never forms
  them by chance, see ``WHOLE_FILE_MARKUP``). In the bytes that are not
  compressed (the data after the document's end, a PNG's text and private
  chunks, a JPEG's marker segments, a PDF outside its encoded streams, the
  values of a TIFF's tags, and the decoded data of a PDF's encoded streams
  that are not images, which ``pdf_safety`` decodes within its budget) also
  any ``<svg``, ``<img`` or ``on...=`` handler alone (``REGION_MARKUP``), so
  any tag carrying a handler, whatever its name (``<p onmouseover=``,
  ``<svg><animate onbegin=``);
* a ZIP archive, recognised by structure whatever the encoding of its names:
  a local file header whose version, flags, method, sizes and name fit, or an
  end of central directory record anywhere whose offsets point at a central
  directory header inside the file;
* data after the end of an image: after a PNG's ``IEND`` chunk or a JPEG's
  end-of-image marker (found by walking its segments, so an EXIF thumbnail's
  own markers do not count) more than ``IMAGE_PADDING`` bytes, or any byte
  other than NUL or whitespace, is refused (scanners do not append data);
* after the last ``%%EOF`` of a PDF (incremental updates add several, all
  fine; a few bytes of trailing garbage are common), data that carries another
  format's magic or markup; the same after a TIFF's end, the furthest byte its
  directories name (their entries, tag values, strips and tiles): its padding
  passes, and other bytes are not refused for being there, since a private
  tag may point at data the walk does not know;
* a file name whose extension says another type than the bytes.

Junk before a PDF's ``%PDF`` header never gets here: a file must begin with
its type's magic number (``pipeline.sniff_content_type``).

The file is mapped, not read: a scan of hundreds of MB costs its page cache,
and the searches run in C (``mmap.find``, ``re`` on the mapping).
"""

from __future__ import annotations

import array
import mmap
import operator
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

POLYGLOT = "document_polyglot"
WRONG_TYPE = "document_wrong_type"
ZIP_LOCAL_HEADER = b"PK\x03\x04"
ZIP_CENTRAL_HEADER = b"PK\x01\x02"
ZIP_END = b"PK\x05\x06"
ZIP_END_SIZE = 22
ZIP_LOCAL_SIZE = 30
# Compression methods of the ZIP specification (APPNOTE 4.4.5) in use.
ZIP_METHODS = frozenset({0, 1, 6, 8, 9, 12, 14, 18, 19, 93, 95, 96, 97, 98, 99})
# ZIP64: the end record's locator, and the record it points at.
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END = b"PK\x06\x06"
# Magic numbers never inside an image's metadata (its uncompressed chunks,
# segments or tag values); an EXIF thumbnail is a JPEG, so JPEG's own magic is
# not here.
EMBEDDED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
)
# Bytes of NUL or whitespace tolerated after an image's end (some writers pad).
IMAGE_PADDING = 16
BLANKS = b"\x00\t\n\r\x0c "
_NOT_BLANK = re.compile(rb"[^\x00\t\n\r\x0c ]")
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
)
# Markup searched in the whole file, compressed data included. Each
# alternative must be unlikely enough in random bytes (compressed image data
# is close to uniform) that no genuine scan is ever refused. Per byte
# position, with a letter matching either case (2/256):
#   <script <iframe <object      1/256 * (2/256)^6           ~ 9e-16
#   <embed                       1/256 * (2/256)^5           ~ 1e-13
#   <html                        1/256 * (2/256)^4           ~ 1.4e-11
#   <!doctype html, javascript:  < 1e-20
#   <svg|<img... + handler: the tag (<svg + a separator: 1/256 * (2/256)^3 *
#     8/256 ~ 6e-11) AND, within the next 512 bytes, [sep]on + >=2 letters +
#     = (512 * 8/256 * (2/256)^2 * (52/256)^2 * 1/256 ~ 1.6e-7)     ~ 1e-17
#   (the one-letter tag <a + separator, 1/256 * 2/256 * 8/256 ~ 1e-6,
#   gives ~ 1.5e-13)
# Sum ~ 1.5e-11 per byte (<html dominates, as before this list widened): a
# 500 MB upload (the largest accepted) is refused by chance with probability
# ~ 0.008 if its bytes were uniformly random; real scans (a few MB) ~ 5e-5.
# A bare ``<img ``/``<svg `` (~6e-11 per byte, 3% of 500 MB uploads) or a
# bare `` onload=`` handler (~3e-10) would be too likely, so those are only
# searched where the bytes are not compressed (``REGION_MARKUP``).
_TAGS = rb"(?:svg|img|image|body|video|audio|source|input|details|math|style|a|div)"
WHOLE_FILE_MARKUP = re.compile(
    rb"<(?:script|html|!doctype\s+html|iframe|object|embed)"
    rb"|javascript:"
    rb"|<" + _TAGS + rb"(?=[\s/])[^>]{0,512}?[\s/\"']on[a-z]{2,}\s*=",
    re.IGNORECASE,
)
# Markup searched in bytes that are not compressed: after a document's end,
# in a PNG's text chunks, in a JPEG's marker segments, in a PDF outside its
# encoded streams, in a TIFF's tag values. The bare handler alternative is what
# refuses a tag of any name carrying one (``<p onmouseover=``): a handler
# attribute always follows a blank, a ``/`` or a quote. In metadata of a few
# hundred KB, ~3.5e-10 per byte gives about 1e-4; a PDF's unencoded streams
# may be raw pixels, but 389 MB of the shared samples' pixels decoded raw
# (grey, RGB, 1-bit) hold no match.
REGION_MARKUP = re.compile(
    rb"<(?:script|html|!doctype\s+html|iframe|object|embed)"
    rb"|<(?:svg|img)[\s/>]"
    rb"|javascript:"
    rb"|[\s/\"']on[a-z]{2,}\s*=",
    re.IGNORECASE,
)
# PNG chunks whose data is compressed (the rest is scanned as plain bytes).
PNG_COMPRESSED_CHUNKS = frozenset({b"IDAT", b"fdAT", b"zTXt", b"iCCP"})
# A PDF stream's data, after its keyword (``endstream`` holds it too).
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
# How far before ``stream`` its dictionary (and its ``/Filter``) is looked for.
PDF_DICTIONARY_REACH = 4096
# TIFF: the size of a value of each field type (TIFF 6.0 section 2, plus IFD).
TIFF_TYPE_SIZES = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
}
# Tags whose values are directories: SubIFDs, EXIF, GPS, interoperability.
TIFF_DIRECTORY_TAGS = frozenset({330, 34665, 34853, 40965})
# Tags whose value is compressed data (Photoshop's layers, up to many MB).
TIFF_COMPRESSED_TAGS = frozenset({37724})
# Bounds of the walk: 2000 pages (the most accepted) with their EXIF and GPS
# directories, and tags enough for all of them.
TIFF_MAX_DIRECTORIES = 8192
TIFF_MAX_ENTRIES = 262_144
# Sub-directories read from one tag (a few pages' reduced images).
TIFF_MAX_SUB_DIRECTORIES = 16
# Tags locating data by offsets, with the tag of their byte counts: strips,
# tiles, an old-style JPEG stream (an EXIF thumbnail), free space.
TIFF_DATA_TAGS = {273: 279, 324: 325, 513: 514, 288: 289}
# Offsets and byte counts read in all: 2000 pages of one strip a row at 600
# dpi hold 28 million.
TIFF_MAX_DATA_NUMBERS = 32 * 1024 * 1024
# How offsets and counts are stored (SHORT, LONG, IFD): array codes.
TIFF_NUMBER_TYPES = {3: "H", 4: "I", 13: "I"}
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


def _check_markup(data: mmap.mmap) -> None:
    found = WHOLE_FILE_MARKUP.search(data)
    if found is not None:
        _refuse_markup(found.group(0))


def check_decoded_markup(decoded: bytes) -> None:
    """Refuse markup in a PDF stream's decoded data (``pdf_safety`` decodes it).

    Decoded data is not compressed, so the rules of ``REGION_MARKUP`` apply:
    ``<p onmouseover=`` deflated in a page's drawing instructions or in XML
    metadata is refused like the same bytes in a dictionary.
    """
    found = REGION_MARKUP.search(decoded)
    if found is not None:
        _refuse_markup(found.group(0))


def _check_region_markup(data: mmap.mmap, start: int, end: int) -> None:
    if end <= start:
        return
    found = REGION_MARKUP.search(data, start, end)
    if found is not None:
        _refuse_markup(found.group(0))


def _refuse_markup(found: bytes) -> None:
    shown = found[:24].decode("ascii", "replace").strip()
    raise Polyglot(f"the file carries web markup ({shown}...)")


def _check_zip(data: mmap.mmap) -> None:
    if _has_zip_end(data) or _has_zip64_end(data) or _has_zip_local_header(data):
        raise Polyglot("the file carries a ZIP archive")


def _has_zip64_end(data: mmap.mmap) -> bool:
    """True at a ZIP64 end locator with its end record before it.

    A ZIP64 archive's 32-bit end record says 0xFFFFFFFF and sends unzip tools
    to these two records; two 4-byte signatures in that order, the record
    within a megabyte before its locator, never meet by chance.
    """
    position = data.find(ZIP64_LOCATOR)
    while position != -1:
        if data.rfind(ZIP64_END, max(0, position - 1024 * 1024), position) != -1:
            return True
        position = data.find(ZIP64_LOCATOR, position + 1)
    return False


def _has_zip_end(data: mmap.mmap) -> bool:
    """True at an end-of-central-directory record pointing at a central directory.

    Anywhere in the file, not only at its end (bytes after it do not stop
    unzip tools from finding it). The directory is looked for where the
    record's offset says and where unzip tools look when data was put before
    the archive (just before the record, ``size`` bytes long).
    """
    size = len(data)
    position = data.find(ZIP_END)
    while position != -1:
        if position + ZIP_END_SIZE <= size:
            directory_size, directory_offset = struct.unpack_from(
                "<II", data, position + 12
            )
            for candidate in (directory_offset, position - directory_size):
                if (
                    0 <= candidate < position
                    and candidate + directory_size <= position
                    and data[candidate : candidate + 4] == ZIP_CENTRAL_HEADER
                ):
                    return True
        position = data.find(ZIP_END, position + 1)
    return False


def _has_zip_local_header(data: mmap.mmap) -> bool:
    """True at a local file header whose fields are those of a real archive."""
    position = data.find(ZIP_LOCAL_HEADER)
    while position != -1:
        if _plausible_local_header(data, position):
            return True
        position = data.find(ZIP_LOCAL_HEADER, position + 1)
    return False


def _plausible_local_header(data: mmap.mmap, position: int) -> bool:
    """Whether the header's fields fit the ZIP specification and the file.

    The name's encoding does not matter (UTF-8, CP437, anything). Four bytes
    of signature turn up by chance in compressed image data (2^-32 a byte);
    the version (2^-10) and method (2^-12) checks make a chance match
    ~ 2^-54 a byte: about 2^-27 for a 100 MB scan.
    """
    if position + ZIP_LOCAL_SIZE > len(data):
        return False
    version, flags, method = struct.unpack_from("<HHH", data, position + 4)
    # The flags rule nothing out: unzip tools ignore the unused bits, so an
    # archive may set them to hide (measured: Info-ZIP reads bit 7 set).
    compressed, _ = struct.unpack_from("<II", data, position + 18)
    name_length, extra_length = struct.unpack_from("<HH", data, position + 26)
    if version > 63 or method not in ZIP_METHODS:
        return False
    if name_length == 0:
        return False
    body = position + ZIP_LOCAL_SIZE + int(name_length) + int(extra_length)
    if flags & 0x08:  # sizes follow the data, in a data descriptor
        return body <= len(data)
    return body + int(compressed) <= len(data)


def _check_after_end(data: mmap.mmap, content_type: str) -> None:
    if content_type == "application/pdf":
        for start, stop in _pdf_plain_regions(data):
            _check_region_markup(data, start, stop)
        _check_after_pdf_end(data)
        return
    if content_type == "image/png":
        end, regions = _png_walk(data)
    elif content_type == "image/jpeg":
        end, regions = _jpeg_walk(data)
    else:  # TIFF: its directories and strips may sit anywhere in the file
        layout = _tiff_walk(data)
        for start, stop in layout.regions:
            _check_region_markup(data, start, stop)
            _check_embedded_magic(data, start, stop)
        _check_trailing_data(data, layout.end)
        return
    for start, stop in regions:
        _check_region_markup(data, start, stop)
        _check_embedded_magic(data, start, stop)
    if end is None:
        # A walk that loses its way (a junk byte between segments, a chunk
        # running past the file) is where data hides; decoders skip it.
        raise Polyglot(
            "the image is corrupt or hides data: its structure does not lead to its end"
        )
    trailing = data[end : end + IMAGE_PADDING + 1]
    if not trailing:
        return
    _check_region_markup(data, end, len(data))
    _check_appended_magic(data, end)
    if len(data) - end > IMAGE_PADDING or trailing.strip(BLANKS):
        raise Polyglot(
            f"{len(data) - end} bytes of other data follow the end of the image"
        )


def _check_after_pdf_end(data: mmap.mmap) -> None:
    """After the last ``%%EOF``: no other format's magic, no markup."""
    position = data.rfind(b"%%EOF")
    if position != -1:
        _check_trailing_data(data, position + len(b"%%EOF"))


def _check_trailing_data(data: mmap.mmap, end: int) -> None:
    """After a PDF's or a TIFF's ``end``: no other format's magic, no markup.

    Blanks (a TIFF's word-alignment padding) and a few bytes of junk pass:
    many writers leave some.
    """
    if _NOT_BLANK.search(data, end) is None:
        return
    _check_region_markup(data, end, len(data))
    _check_appended_magic(data, end)
    if data[end : end + 64].lstrip(BLANKS).startswith(b"<"):
        raise Polyglot("markup follows the end of the document")


def _check_embedded_magic(data: mmap.mmap, start: int, stop: int) -> None:
    """Refuse another format's magic inside an image's metadata."""
    for magic, name in EMBEDDED_MAGIC:
        if data.find(magic, start, stop) != -1:
            raise Polyglot(f"{name} is hidden in the image's metadata")


def _check_appended_magic(data: mmap.mmap, end: int) -> None:
    """Refuse another format's magic anywhere after ``end``."""
    for magic, name in APPENDED_MAGIC:
        if data.find(magic, end) != -1:
            raise Polyglot(f"{name} follows the end of the document")


Regions = list[tuple[int, int]]


def _png_walk(data: mmap.mmap) -> tuple[int | None, Regions]:
    """Past the IEND chunk, and the data of chunks that are not compressed.

    An ``iTXt`` chunk is scanned whole even when compressed: its keyword and
    language tags are plain text and its compressed part is small.
    """
    position = len(PNG_SIGNATURE)
    regions: Regions = []
    while position + 12 <= len(data):
        length = int(struct.unpack_from(">I", data, position)[0])
        kind = data[position + 4 : position + 8]
        if kind not in PNG_COMPRESSED_CHUNKS:
            regions.append((position + 8, min(len(data), position + 8 + length)))
        position += 12 + length
        if kind == b"IEND":
            return position, regions
    return None, regions


def _jpeg_walk(data: mmap.mmap) -> tuple[int | None, Regions]:
    """Past the end-of-image marker, and the marker segments' data.

    Segments are skipped by their length, so an EXIF thumbnail (a whole JPEG
    inside APP1) is never mistaken for the end. The segments (metadata,
    comments, tables) are not compressed, unlike the scans' entropy-coded data.
    """
    position = 2
    size = len(data)
    regions: Regions = []
    while position + 2 <= size:
        if data[position] != 0xFF:
            return None, regions
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            return position + 2, regions
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > size:
            return None, regions
        (length,) = struct.unpack_from(">H", data, position + 2)
        regions.append((position + 4, min(size, position + 2 + length)))
        position += 2 + length
        if marker == 0xDA:
            position = _after_entropy_data(data, position)
    return None, regions


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


def _pdf_plain_regions(data: mmap.mmap) -> Regions:
    """The bytes of a PDF outside the data of its encoded streams.

    Objects, dictionaries, strings, cross-reference tables and the data of
    streams without a ``/Filter`` (raw, so not compressed) are regions; a
    stream whose dictionary names a filter is skipped from its ``stream``
    keyword to the next ``endstream``. A stream never ended is not skipped.
    Here such a stream is only searched by ``WHOLE_FILE_MARKUP``; its decoded
    data is searched by ``pdf_safety`` (``check_decoded_markup``), which reads
    the stream's dictionary as a reader does (its filters, whether it is an
    image) and decodes it within a budget.
    """
    regions: Regions = []
    start = 0
    for keyword in PDF_STREAM.finditer(data):
        if keyword.start() < start or not _declares_filter(data, keyword.start()):
            continue
        end = data.find(b"endstream", keyword.end())
        if end == -1:
            break
        regions.append((start, keyword.end()))
        start = end
    regions.append((start, len(data)))
    return regions


def _declares_filter(data: mmap.mmap, keyword: int) -> bool:
    """Whether the dictionary before a ``stream`` keyword names a ``/Filter``.

    The dictionary runs from its object's ``obj`` keyword (at most
    ``PDF_DICTIONARY_REACH`` bytes back) to the stream keyword.
    """
    reach = max(0, keyword - PDF_DICTIONARY_REACH)
    opening = data.rfind(b"obj", reach, keyword)
    return data.find(b"/Filter", opening if opening != -1 else reach, keyword) != -1


@dataclass
class TiffLayout:
    """What a TIFF's directories name: its tag values and its furthest byte."""

    regions: Regions = field(default_factory=list)
    end: int = 8
    data_numbers: int = 0


def _tiff_walk(data: mmap.mmap) -> TiffLayout:
    """A TIFF's end and the values of its tags longer than 4 bytes.

    The page chain and the sub-directories (EXIF, GPS...) are followed, each
    directory once. The end is the furthest byte any directory names: its own
    entries, its tag values, its strips or tiles (offsets plus byte counts).
    Descriptions, software names, XMP and IPTC are plain bytes, so regions;
    the strips and tiles (the pixels, often compressed) and
    ``TIFF_COMPRESSED_TAGS`` are not. A value running past the file is cut
    at its end, and overlapping values are merged, so each byte is searched
    once. More than ``TIFF_MAX_DIRECTORIES`` directories,
    ``TIFF_MAX_ENTRIES`` tags or ``TIFF_MAX_DATA_NUMBERS`` strip offsets and
    counts (far beyond any scan, and beyond the pages accepted) are refused
    rather than walked for minutes.
    """
    order = "<" if data[:2] == b"II" else ">"
    pending = [_tiff_long(data, order, 4)]
    seen: set[int] = set()
    layout = TiffLayout()
    entries = 0
    while pending:
        directory = pending.pop()
        if directory in seen or not 8 <= directory <= len(data) - 2:
            continue
        seen.add(directory)
        entries += int(struct.unpack_from(order + "H", data, directory)[0])
        pending.extend(_tiff_directory(data, order, directory, layout))
        walked = max(len(seen), len(pending))
        if walked > TIFF_MAX_DIRECTORIES or entries > TIFF_MAX_ENTRIES:
            raise Polyglot("the image has more directories or tags than a scan")
    layout.regions = _merged(layout.regions)
    layout.end = min(layout.end, len(data))
    return layout


def _merged(regions: Regions) -> Regions:
    """The union of ``regions`` (empty ones dropped), in the file's order."""
    merged: Regions = []
    for start, stop in sorted(r for r in regions if r[0] < r[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _tiff_directory(
    data: mmap.mmap, order: str, directory: int, layout: TiffLayout
) -> list[int]:
    """Add a directory's tag values and extent to ``layout``; return those next."""
    (count,) = struct.unpack_from(order + "H", data, directory)
    following: list[int] = []
    located: dict[int, Sequence[int]] = {}
    table_end = directory + 2 + 12 * count
    layout.end = max(layout.end, table_end + 4)
    for entry in range(directory + 2, table_end, 12):
        if entry + 12 > len(data):
            return following
        tag, kind, number, value = struct.unpack_from(order + "HHII", data, entry)
        size = TIFF_TYPE_SIZES.get(kind, 1) * number
        if tag in TIFF_DIRECTORY_TAGS:
            following += _tiff_offsets(data, order, number, value, size)
        if tag in TIFF_DATA_TAGS or tag in TIFF_DATA_TAGS.values():
            located[tag] = _tiff_data_numbers(data, order, entry, layout)
        if size > 4:
            layout.end = max(layout.end, value + size)
            if tag not in TIFF_COMPRESSED_TAGS:
                layout.regions.append((value, min(len(data), value + size)))
    for offsets, counts in TIFF_DATA_TAGS.items():
        if offsets in located:
            layout.end = max(layout.end, _tiff_data_end(data, located, offsets, counts))
    following.append(_tiff_long(data, order, table_end))
    return following


def _tiff_data_numbers(
    data: mmap.mmap, order: str, entry: int, layout: TiffLayout
) -> Sequence[int]:
    """The SHORT or LONG numbers of an entry: in the entry, or in an array.

    An array running past the file is cut at its end.
    """
    kind, number, value = struct.unpack_from(order + "HII", data, entry + 2)
    code = TIFF_NUMBER_TYPES.get(kind)
    if code is None:
        return []
    layout.data_numbers += number
    if layout.data_numbers > TIFF_MAX_DATA_NUMBERS:
        raise Polyglot("the image has more strips or tiles than a scan")
    numbers = array.array(code)
    at = entry + 8 if numbers.itemsize * number <= 4 else value
    number = min(number, max(0, len(data) - at) // numbers.itemsize)
    numbers.frombytes(data[at : at + numbers.itemsize * number])
    if (order == "<") != (sys.byteorder == "little"):
        numbers.byteswap()
    return numbers


def _tiff_data_end(
    data: mmap.mmap, located: dict[int, Sequence[int]], offsets: int, counts: int
) -> int:
    """The furthest byte of the strips (or tiles...) an offsets tag locates.

    Offsets without as many byte counts leave the data's end unknown: the
    file's end is taken, and nothing after it is searched.
    """
    starts, sizes = located[offsets], located.get(counts, ())
    if len(sizes) < len(starts):
        return len(data)
    return max(map(operator.add, starts, sizes), default=0)


def _tiff_offsets(
    data: mmap.mmap, order: str, number: int, value: int, size: int
) -> list[int]:
    """The directory offsets a tag holds: in the entry, or in an array."""
    if size <= 4:
        return [value]
    wanted = min(number, TIFF_MAX_SUB_DIRECTORIES)
    return [_tiff_long(data, order, value + 4 * index) for index in range(wanted)]


def _tiff_long(data: mmap.mmap, order: str, position: int) -> int:
    """The 32-bit number at ``position``, 0 (no directory) past the file."""
    if position < 0 or position + 4 > len(data):
        return 0
    return int(struct.unpack_from(order + "I", data, position)[0])
