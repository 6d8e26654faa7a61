"""Polyglots: crafted files that are two formats at once are refused.

Each hostile file is built here from real encoders (Pillow, pypdf, zipfile);
the negative cases are the shared samples and the legitimate shapes that look
close (incremental updates, an EXIF thumbnail, a PDF with several %%EOF).
"""

from __future__ import annotations

import base64
import io
import mmap
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from chalicelib import pdf_safety, pipeline, polyglot
from tests.samples import CONTENT_TYPES, SAMPLES_DIR
from tests.unit.test_pdf_safety import object_stream_pdf

LIMITS = pdf_safety.Limits(max_pages=2000, max_page_pixels=150_000_000)


def image_bytes(kind: str, size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, format=kind)
    return buffer.getvalue()


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: Payload\n")
        archive.writestr("index.html", "<p>hello</p>")
    return buffer.getvalue()


def arabic_zip(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An archive whose only entry has a non-ASCII (UTF-8) name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("ملف.txt", "<p>مرحبا</p>" * 20)
    return buffer.getvalue()


def png_with_chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG with an extra ancillary chunk inserted before IEND."""
    data = image_bytes("PNG")
    iend = data.rindex(b"IEND") - 4
    chunk = struct.pack(">I", len(body)) + kind + body + b"\0\0\0\0"
    return data[:iend] + chunk + data[iend:]


def jpeg_with_comment(text: bytes) -> bytes:
    data = image_bytes("JPEG")
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text + data[2:]


def incremental_pdf() -> bytes:
    """A PDF with an incremental update: two %%EOF, both legitimate."""
    first = image_bytes("PDF")
    writer = PdfWriter(PdfReader(io.BytesIO(first)), incremental=True)
    writer.add_metadata({"/Title": "Jugement"})
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    assert data.count(b"%%EOF") >= 2
    return data


def jpeg_with_exif_thumbnail() -> bytes:
    """A JPEG whose APP1 carries a whole JPEG thumbnail (its own SOI and EOI)."""
    thumbnail = image_bytes("JPEG", (16, 16))
    ifd0 = struct.pack("<H", 0) + struct.pack("<I", 26)
    ifd1 = (
        struct.pack("<H", 2)
        + struct.pack("<HHII", 0x0201, 4, 1, 26 + 2 + 2 * 12 + 4)
        + struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail))
        + struct.pack("<I", 0)
    )
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + ifd1 + thumbnail
    body = b"Exif\x00\x00" + tiff
    app1 = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    main = image_bytes("JPEG", (200, 120))
    return main[:2] + app1 + main[2:]


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "received"
    path.write_bytes(data)
    return path


def flagged_zip() -> bytes:
    """An archive whose local header sets flag bit 7, which unzip ignores."""
    data = bytearray(arabic_zip())
    flags = struct.unpack_from("<H", data, 6)[0]
    struct.pack_into("<H", data, 6, flags | 0x80)
    return bytes(data)


def zip64_tail() -> bytes:
    """A ZIP64 end record and its locator, as a ZIP64 archive ends."""
    record = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 1, 1, 0, 0)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, 0, 1)
    return record + locator


def jpeg_out_of_step(payload: bytes) -> bytes:
    """A junk byte after APP0 (decoders skip it), then data after the end."""
    data = image_bytes("JPEG")
    app0_end = 4 + struct.unpack_from(">H", data, 4)[0]
    return data[:app0_end] + b"\x00" + data[app0_end:] + payload


def pdf_with_title(title: bytes) -> bytes:
    """A PDF whose catalog dictionary carries ``title`` as a literal string."""
    data = image_bytes("PDF")
    return data.replace(b"/Type /Catalog", b"/Type /Catalog /Title (" + title + b")")


def pdf_with_stream(body: bytes, *filters: str, indirect: bool = False) -> bytes:
    """A PDF with one more stream object, ``body`` as its (encoded) data.

    ``filters`` are named as its ``/Filter`` (an array when several), in an
    object of their own when ``indirect``.
    """
    writer = PdfWriter(PdfReader(io.BytesIO(image_bytes("PDF"))))
    stream = StreamObject()
    stream.set_data(body)
    names = [NameObject(name) for name in filters]
    if names:
        value = names[0] if len(names) == 1 else ArrayObject(names)
        stream[NameObject("/Filter")] = writer._add_object(value) if indirect else value
    writer._root_object[NameObject("/Payload")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_page_quoting(text: bytes, form: bool = False) -> bytes:
    """A one-page PDF whose deflated drawing shows ``text`` (a report quoting code).

    Drawn by the page's own content stream, or by a form it paints (``form``).
    """
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    drawing = StreamObject()
    drawing.set_data(zlib.compress(b"BT /F1 10 Tf 72 720 Td (" + text + b") Tj ET"))
    drawing[NameObject("/Filter")] = NameObject("/FlateDecode")
    if form:
        drawing[NameObject("/Type")] = NameObject("/XObject")
        drawing[NameObject("/Subtype")] = NameObject("/Form")
        drawing[NameObject("/BBox")] = ArrayObject(
            [NumberObject(0), NumberObject(0), NumberObject(595), NumberObject(842)]
        )
        xobjects = DictionaryObject({NameObject("/Fm1"): writer._add_object(drawing)})
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): xobjects}
        )
        painter = StreamObject()
        painter.set_data(b"q /Fm1 Do Q")
        page[NameObject("/Contents")] = writer._add_object(painter)
    else:
        page[NameObject("/Contents")] = writer._add_object(drawing)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def tiff_with_description(text: str) -> bytes:
    """A TIFF whose ImageDescription tag (270) is ``text``."""
    buffer = io.BytesIO()
    Image.new("L", (120, 80), 200).save(buffer, format="TIFF", tiffinfo={270: text})
    return buffer.getvalue()


def tiff_with_exif_comment(comment: bytes) -> bytes:
    """A one-pixel TIFF whose EXIF directory holds a UserComment (37510)."""
    entries = [
        (256, 4, 1, 1),  # width
        (257, 4, 1, 1),  # height
        (258, 3, 1, 8),  # bits per sample
        (262, 3, 1, 1),  # black is zero
        (273, 4, 1, 8),  # the strip: the byte after the header
        (278, 4, 1, 1),  # rows per strip
        (279, 4, 1, 1),  # strip byte count
        (34665, 4, 1, 10 + 2 + 12 * 8 + 4),  # EXIF directory, after this one
    ]
    first = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHII", *entry) for entry in entries
    )
    exif_at = 10 + len(first) + 4
    comment_at = exif_at + 2 + 12 + 4
    exif = struct.pack("<H", 1) + struct.pack(
        "<HHII", 37510, 7, len(comment), comment_at
    )
    header = b"II*\x00" + struct.pack("<I", 10) + b"\xc8\x00"
    return header + first + b"\0\0\0\0" + exif + b"\0\0\0\0" + comment


def hand_tiff(order: str = "<", tiled: bool = False) -> bytes:
    """A 16x16 grey TIFF whose pixels end the file, located by 16-bit numbers.

    Strips (or one tile) are named by SHORT offsets and byte counts held in
    their entries, as old writers do; ``order`` is ``<`` (II) or ``>`` (MM).
    """
    pixels = bytes(range(256))
    offsets, counts = (324, 325) if tiled else (273, 279)
    shape = [(322, 16), (323, 16)] if tiled else [(278, 16)]
    fields = [(256, 16), (257, 16), (258, 8), (259, 1), (262, 1), *shape]
    pixels_at = 8 + 2 + 12 * (len(fields) + 2) + 4
    entries = sorted([*fields, (offsets, pixels_at), (counts, len(pixels))])
    table = b"".join(
        struct.pack(order + "HHIHH", tag, 3, 1, value, 0) for tag, value in entries
    )
    magic = b"II*\x00" if order == "<" else b"MM\x00*"
    directory = struct.pack(order + "H", len(entries)) + table + b"\0\0\0\0"
    return magic + struct.pack(order + "I", 8) + directory + pixels


def multi_page_tiff(compression: str | None, mode: str = "L", **options: Any) -> bytes:
    """Three pages written by Pillow (its own writer, or libtiff's)."""
    pages = [Image.new(mode, (300 + 10 * i, 200), 90 * i) for i in range(3)]
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="TIFF",
        save_all=True,
        append_images=pages[1:],
        compression=compression,
        **options,
    )
    return buffer.getvalue()


def tiff_directory_maze(tags: int = 600) -> bytes:
    """A TIFF whose one directory lists ``tags`` SubIFDs tags of 16 offsets each."""
    offsets_at = 8 + 2 + 12 * tags + 4
    entry = struct.pack("<HHII", 330, 4, 16, offsets_at)
    directory = struct.pack("<H", tags) + entry * tags + b"\0\0\0\0"
    offsets = struct.pack("<16I", *range(offsets_at + 64, offsets_at + 80))
    return b"II*\x00" + struct.pack("<I", 8) + directory + offsets + b"\0" * 64


HOSTILE: dict[str, tuple[bytes, str, str]] = {
    "pdf+zip": (image_bytes("PDF") + zip_archive(), "application/pdf", "ZIP"),
    "png+zip": (image_bytes("PNG") + zip_archive(), "image/png", "ZIP"),
    "jpeg+zip": (image_bytes("JPEG") + zip_archive(), "image/jpeg", "ZIP"),
    "tiff+zip": (image_bytes("TIFF") + zip_archive(), "image/tiff", "ZIP"),
    "zip inside a pdf comment": (
        image_bytes("PDF").replace(b"\n", b"\n%" + zip_archive()[:60] + b"\n", 1),
        "application/pdf",
        "ZIP",
    ),
    "pdf+html": (
        image_bytes("PDF") + b"\n<html><body>hi</body></html>",
        "application/pdf",
        "markup",
    ),
    "png+script": (
        image_bytes("PNG") + b"<script>alert(1)</script>",
        "image/png",
        "markup",
    ),
    "jpeg comment with script": (
        b"\xff\xd8\xff\xfe\x00\x1d<SCRIPT>alert(1)</SCRIPT>.."
        + image_bytes("JPEG")[2:],
        "image/jpeg",
        "markup",
    ),
    "jpeg+pdf": (
        image_bytes("JPEG") + image_bytes("PDF"),
        "image/jpeg",
        "a PDF follows",
    ),
    "png+program": (
        image_bytes("PNG") + b"MZ\x90\x00\x03" + b"\x00" * 60,
        "image/png",
        "a program follows",
    ),
    "pdf+gzip": (
        image_bytes("PDF") + b"\n\x1f\x8b\x08\x00" + b"\x00" * 20,
        "application/pdf",
        "a gzip archive follows",
    ),
    "pdf+png": (
        image_bytes("PDF") + b"\r\n" + image_bytes("PNG"),
        "application/pdf",
        "a PNG image follows",
    ),
    # Found by the tester: sealed before the checks below were principled.
    "png+svg handlers after IEND": (
        image_bytes("PNG") + b"A<svg onload=alert(1)><img src=x onerror=alert(2)>",
        "image/png",
        "",
    ),
    "jpeg+A+zip with an arabic name+x": (
        image_bytes("JPEG") + b"A" + arabic_zip() + b"x",
        "image/jpeg",
        "",
    ),
    "png+A+zip with an arabic name+x": (
        image_bytes("PNG") + b"A" + arabic_zip() + b"x",
        "image/png",
        "",
    ),
    "tiff+A+zip with an arabic name+x": (
        image_bytes("TIFF") + b"A" + arabic_zip() + b"x",
        "image/tiff",
        "ZIP",
    ),
    "tiff+stored zip with an arabic name": (
        image_bytes("TIFF") + arabic_zip(zipfile.ZIP_STORED),
        "image/tiff",
        "ZIP",
    ),
    "tiff+svg handler": (
        image_bytes("TIFF") + b"<svg/onload=alert(1)>",
        "image/tiff",
        "markup",
    ),
    "tiff+img handler": (
        image_bytes("TIFF") + b"<IMG SRC=x OnError = alert(2)>",
        "image/tiff",
        "markup",
    ),
    "tiff+iframe": (
        image_bytes("TIFF") + b"<iframe src=//example.invalid>",
        "image/tiff",
        "markup",
    ),
    "pdf+javascript url": (
        image_bytes("PDF") + b"\n<a href='javascript:alert(1)'>x</a>",
        "application/pdf",
        "markup",
    ),
    "pdf+svg after the last %%EOF": (
        image_bytes("PDF") + b"AAAA<svg onload=alert(1)>",
        "application/pdf",
        "markup",
    ),
    "pdf+junk then a zip": (
        image_bytes("PDF") + b"garbage" + arabic_zip() + b"x",
        "application/pdf",
        "ZIP",
    ),
    "png+nul padding then a zip": (
        image_bytes("PNG") + b"\0" * 20 + arabic_zip(),
        "image/png",
        "",
    ),
    "png+one letter": (image_bytes("PNG") + b"x", "image/png", "follow the end"),
    "jpeg+17 nul bytes": (
        image_bytes("JPEG") + b"\0" * 17,
        "image/jpeg",
        "follow the end",
    ),
    "jpeg+embed after a blank": (
        image_bytes("JPEG") + b" <embed src=x>",
        "image/jpeg",
        "markup",
    ),
    "png text chunk with an svg": (
        png_with_chunk(b"tEXt", b"Comment\0<svg><a>x</a></svg>"),
        "image/png",
        "markup",
    ),
    "png private chunk with a handler": (
        png_with_chunk(b"prVt", b"x onmouseover=alert(1)"),
        "image/png",
        "markup",
    ),
    "jpeg comment with an img": (
        jpeg_with_comment(b"<img src=x>"),
        "image/jpeg",
        "markup",
    ),
    "zip with flag bit 7 in a png chunk": (
        png_with_chunk(b"zpBx", flagged_zip()),
        "image/png",
        "ZIP",
    ),
    "zip64 records in a png chunk": (
        png_with_chunk(b"zpBx", b"PK\x03\x04" + zip64_tail()),
        "image/png",
        "ZIP",
    ),
    "pdf in a png chunk": (
        png_with_chunk(b"pdFx", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"),
        "image/png",
        "PDF is hidden",
    ),
    "pdf in a jpeg segment": (
        jpeg_with_comment(b"%PDF-1.4\n%%EOF"),
        "image/jpeg",
        "PDF is hidden",
    ),
    "jpeg out of step hiding a pdf after its end": (
        jpeg_out_of_step(b"%PDF-1.4\n" + b"x" * 1024),
        "image/jpeg",
        "structure does not lead to its end",
    ),
    # Markup no whole-file marker catches, in bytes that are not compressed.
    "pdf dictionary with a paragraph handler": (
        pdf_with_title(b"<p onmouseover=alert(1)>"),
        "application/pdf",
        "markup",
    ),
    "pdf raw stream with an svg animate handler": (
        pdf_with_stream(b"<svg><animate onbegin=alert(1)>"),
        "application/pdf",
        "markup",
    ),
    "pdf raw stream with an unknown tag's handler": (
        pdf_with_stream(b"<x-scan\tOnFocus =alert(1) autofocus>"),
        "application/pdf",
        "markup",
    ),
    # Markup in a stream that declares a filter, found once the stream is decoded.
    "pdf deflated stream with a paragraph handler": (
        pdf_with_stream(zlib.compress(b"<p onmouseover=alert(1)>"), "/FlateDecode"),
        "application/pdf",
        "markup",
    ),
    "pdf deflated xml metadata with an svg handler": (
        pdf_with_stream(
            zlib.compress(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><svg onload=alert(1)>'),
            "/FlateDecode",
        ),
        "application/pdf",
        "markup",
    ),
    "pdf deflated stream with a script": (
        pdf_with_stream(zlib.compress(b"<script>alert(1)</script>"), "/Fl"),
        "application/pdf",
        "markup",
    ),
    "pdf deflated stream whose filter is an indirect object": (
        pdf_with_stream(
            zlib.compress(b"<img src=x onerror=alert(1)>"),
            "/FlateDecode",
            indirect=True,
        ),
        "application/pdf",
        "markup",
    ),
    "pdf stream in hexadecimal with a handler": (
        pdf_with_stream(b"<p onclick=alert(1)>".hex().encode() + b">", "/AHx"),
        "application/pdf",
        "markup",
    ),
    "pdf stream in ascii85 then deflated with a handler": (
        pdf_with_stream(
            base64.a85encode(zlib.compress(b"<b onmouseover=alert(1)>")) + b"~>",
            "/ASCII85Decode",
            "/FlateDecode",
        ),
        "application/pdf",
        "markup",
    ),
    "pdf object stream with a paragraph handler in a title": (
        object_stream_pdf(b"/Info 4 0 R", b"<< /Title (<p onmouseover=alert(1)>) >>"),
        "application/pdf",
        "markup",
    ),
    "tiff description with a paragraph handler": (
        tiff_with_description("<p onmouseover=alert(1)>"),
        "image/tiff",
        "markup",
    ),
    "tiff exif comment with an svg animate handler": (
        tiff_with_exif_comment(b"ASCII\0\0\0<svg><animate onbegin=alert(1)>"),
        "image/tiff",
        "markup",
    ),
    # Data after a TIFF's end: the furthest byte its directories name.
    "tiff+pdf": (
        image_bytes("TIFF") + image_bytes("PDF"),
        "image/tiff",
        "a PDF follows",
    ),
    "tiff+paragraph handler after the end": (
        image_bytes("TIFF") + b"<p onmouseover=alert(1)>",
        "image/tiff",
        "markup",
    ),
    "multi-page lzw tiff+program": (
        multi_page_tiff("tiff_lzw") + b"\x7fELF\x02\x01\x01" + b"\0" * 40,
        "image/tiff",
        "a program follows",
    ),
    "big-endian tiff with 16-bit strip offsets+gzip": (
        hand_tiff(">") + b"\x1f\x8b\x08\x00" + b"\0" * 20,
        "image/tiff",
        "a gzip archive follows",
    ),
    "tiled tiff+png": (
        hand_tiff(tiled=True) + image_bytes("PNG"),
        "image/tiff",
        "a PNG image follows",
    ),
    "tiff description hiding a pdf": (
        tiff_with_description("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"),
        "image/tiff",
        "PDF is hidden",
    ),
    "tiff directory maze": (
        tiff_directory_maze(),
        "image/tiff",
        "more directories or tags than a scan",
    ),
    "png chunk running past the file": (
        image_bytes("PNG")[:-12] + struct.pack(">I", 10**6) + b"zzZz" + b"%PDF-1.4",
        "image/png",
        "PDF is hidden",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_two_formats_at_once_are_refused(tmp_path: Path, name: str) -> None:
    data, content_type, said = HOSTILE[name]

    with pytest.raises(pdf_safety.UnsafeDocument) as refused:
        pdf_safety.inspect_file(write(tmp_path, data), content_type, LIMITS)

    assert refused.value.code == "document_polyglot"
    assert said in str(refused.value)


def test_the_refusal_is_explained_in_arabic_and_french() -> None:
    from chalicelib import errors

    reasons = errors.DOCUMENT_FAILURES["document_polyglot"]
    assert reasons["ar"] and reasons["fr"]


def test_a_zip_end_record_is_found_anywhere(tmp_path: Path) -> None:
    archive = arabic_zip()
    # Only the central directory and its end record, with bytes after them:
    # the local headers are gone (renamed), unzip tools still list the entry.
    hollow = archive.replace(b"PK\x03\x04", b"QK\x03\x04") + b"tail"
    data = image_bytes("TIFF") + b"A" + hollow

    with pytest.raises(pdf_safety.UnsafeDocument, match="ZIP"):
        pdf_safety.inspect_file(write(tmp_path, data), "image/tiff", LIMITS)


def test_random_bytes_do_not_look_like_markup_or_an_archive(tmp_path: Path) -> None:
    """Compressed image data is close to random: 32 MB of it trips nothing."""
    import random

    noise = random.Random(20240607).randbytes(32 * 1024 * 1024)  # noqa: S311
    path = write(tmp_path, noise)
    with (
        path.open("rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
    ):
        polyglot._check_markup(mapped)
        polyglot._check_zip(mapped)


@pytest.mark.parametrize(
    "head",
    [b"PK\x03\x04", b"<html>", b"\xff\xd8\xff\xe0", b"GIF89a", b"x"],
    ids=["zip", "html", "jpeg", "gif", "junk"],
)
def test_junk_before_the_pdf_header_is_not_a_pdf(head: bytes) -> None:
    data = head + image_bytes("PDF")

    assert pipeline.sniff_content_type(data[:16]) != "application/pdf"


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("jugement.pdf", "image/jpeg"),
        ("scan.PNG", "application/pdf"),
        ("page.tif", "image/png"),
        ("page.html", "image/png"),
        ("jugement.pdf.exe", "application/pdf"),
        ("photo.svg", "image/jpeg"),
    ],
)
def test_a_name_saying_another_type_is_refused(
    tmp_path: Path, filename: str, content_type: str
) -> None:
    data = {
        "image/jpeg": image_bytes("JPEG"),
        "image/png": image_bytes("PNG"),
        "application/pdf": image_bytes("PDF"),
    }[content_type]

    with pytest.raises(pdf_safety.UnsafeDocument) as refused:
        pdf_safety.inspect_file(write(tmp_path, data), content_type, LIMITS, filename)

    assert refused.value.code == "document_wrong_type"


@pytest.mark.parametrize(
    ("data", "content_type", "filename"),
    [
        (incremental_pdf(), "application/pdf", "jugement.pdf"),
        (jpeg_with_exif_thumbnail(), "image/jpeg", "photo.JPG"),
        (image_bytes("PDF") + b"\r\n\x00\x00 \n", "application/pdf", "scan0001"),
        (image_bytes("TIFF"), "image/tiff", "scan.tiff"),
        (image_bytes("PNG"), "image/png", "no-extension"),
        (image_bytes("PNG") + b"\0" * 16, "image/png", "padded.png"),
        (image_bytes("JPEG") + b"\r\n", "image/jpeg", "padded.jpg"),
        (image_bytes("PDF") + b"\n\x00junk%", "application/pdf", "junk.pdf"),
        (
            png_with_chunk(b"tEXt", b"Software\0Scanner <model 5> on=1 x"),
            "image/png",
            "text.png",
        ),
        (jpeg_with_comment(b"scanned on 2024-06-07 <A4>"), "image/jpeg", "c.jpg"),
        (
            tiff_with_description("Scanner <model 5> on=1, scanned on 2024-06-07"),
            "image/tiff",
            "described.tif",
        ),
        (tiff_with_exif_comment(b"ASCII\0\0\0Greffe <Rabat>"), "image/tiff", "e.tif"),
        (pdf_with_title(b"Jugement <1201> rendu on=2024"), "application/pdf", "t.pdf"),
        (
            pdf_with_stream(b"q 1 0 0 1 0 0 cm BT (Jugement) Tj ET Q"),
            "application/pdf",
            "raw.pdf",
        ),
        (
            pdf_with_stream(b"x\x9c\x8f\tonxy=\x01\xfe", "/FlateDecode"),
            "application/pdf",
            "deflated.pdf",
        ),
        (
            pdf_page_quoting(b"<script>alert(1)</script> onerror=alert(1)"),
            "application/pdf",
            "report.pdf",
        ),
        (
            pdf_page_quoting(b"<svg onload=alert(1)>", form=True),
            "application/pdf",
            "report-form.pdf",
        ),
    ],
    ids=[
        "incremental-pdf",
        "exif-thumbnail",
        "pdf-trailing-blanks",
        "tiff",
        "png",
        "png-nul-padding",
        "jpeg-crlf",
        "pdf-trailing-junk",
        "png-text-chunk",
        "jpeg-comment",
        "tiff-description",
        "tiff-exif-comment",
        "pdf-title",
        "pdf-raw-content-stream",
        "pdf-compressed-bytes-like-a-handler",
        "pdf-page-text-quoting-markup",
        "pdf-form-text-quoting-markup",
    ],
)
def test_legitimate_files_pass(
    tmp_path: Path, data: bytes, content_type: str, filename: str
) -> None:
    path = write(tmp_path, data)

    assert pdf_safety.inspect_file(path, content_type, LIMITS, filename) == 1


@pytest.mark.parametrize(
    "data",
    [
        multi_page_tiff(None),
        multi_page_tiff("tiff_lzw"),
        multi_page_tiff("tiff_adobe_deflate"),
        multi_page_tiff("packbits", "RGB"),
        multi_page_tiff("jpeg", "RGB"),
        multi_page_tiff("group4", "1"),
        multi_page_tiff(None, big_endian=True),
        multi_page_tiff("tiff_lzw", dpi=(300, 300), description="Greffe <Rabat>"),
    ],
    ids=[
        "raw",
        "lzw",
        "deflate",
        "packbits-rgb",
        "jpeg-rgb",
        "group4",
        "big-endian",
        "described",
    ],
)
def test_multi_page_tiffs_pass(tmp_path: Path, data: bytes) -> None:
    """Pillow pads each page to 16 bytes with NULs: nothing else follows."""
    path = write(tmp_path, data)

    assert pdf_safety.inspect_file(path, "image/tiff", LIMITS, "scan.tif") == 3


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("tiled", [False, True], ids=["strips", "tile"])
def test_a_tiff_ends_after_its_pixels(tmp_path: Path, order: str, tiled: bool) -> None:
    data = hand_tiff(order, tiled)

    with (
        write(tmp_path, data).open("rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
    ):
        assert polyglot._tiff_walk(mapped).end == len(data)
    assert pdf_safety.inspect_file(write(tmp_path, data), "image/tiff", LIMITS) == 1


def test_the_thumbnail_is_not_the_end_of_the_jpeg(tmp_path: Path) -> None:
    data = jpeg_with_exif_thumbnail()
    assert data.count(b"\xff\xd9") >= 2  # the thumbnail's end, then the image's

    with (
        write(tmp_path, data).open("rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
    ):
        assert polyglot._jpeg_walk(mapped)[0] == len(data)


SAMPLES = sorted(path for path in SAMPLES_DIR.iterdir() if path.suffix in CONTENT_TYPES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[path.name for path in SAMPLES])
def test_every_shared_sample_passes(sample: Path) -> None:
    polyglot.check_single_format(sample, CONTENT_TYPES[sample.suffix], sample.name)
