"""Polyglots: crafted files that are two formats at once are refused.

Each hostile file is built here from real encoders (Pillow, pypdf, zipfile);
the negative cases are the shared samples and the legitimate shapes that look
close (incremental updates, an EXIF thumbnail, a PDF with several %%EOF).
"""

from __future__ import annotations

import io
import mmap
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from chalicelib import pdf_safety, pipeline, polyglot
from tests.samples import CONTENT_TYPES, SAMPLES_DIR

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
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_two_formats_at_once_are_refused(tmp_path: Path, name: str) -> None:
    data, content_type, said = HOSTILE[name]

    with pytest.raises(pdf_safety.UnsafeDocument) as refused:
        pdf_safety.inspect_file(write(tmp_path, data), content_type, LIMITS)

    assert refused.value.code == "document_polyglot"
    assert said in str(refused.value)


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
    ],
    ids=["incremental-pdf", "exif-thumbnail", "pdf-trailing-blanks", "tiff", "png"],
)
def test_legitimate_files_pass(
    tmp_path: Path, data: bytes, content_type: str, filename: str
) -> None:
    path = write(tmp_path, data)

    assert pdf_safety.inspect_file(path, content_type, LIMITS, filename) == 1


def test_the_thumbnail_is_not_the_end_of_the_jpeg(tmp_path: Path) -> None:
    data = jpeg_with_exif_thumbnail()
    assert data.count(b"\xff\xd9") >= 2  # the thumbnail's end, then the image's

    with (
        write(tmp_path, data).open("rb") as handle,
        mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped,
    ):
        assert polyglot._jpeg_end(mapped) == len(data)


SAMPLES = sorted(path for path in SAMPLES_DIR.iterdir() if path.suffix in CONTENT_TYPES)


@pytest.mark.parametrize("sample", SAMPLES, ids=[path.name for path in SAMPLES])
def test_every_shared_sample_passes(sample: Path) -> None:
    polyglot.check_single_format(sample, CONTENT_TYPES[sample.suffix], sample.name)
