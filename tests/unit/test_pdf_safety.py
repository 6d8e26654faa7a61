"""Hostile and harmless files against the upload checks (no sockets)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from chalicelib.pdf_safety import Limits, UnsafeDocument, inspect_file

LIMITS = Limits(max_pages=5, max_page_pixels=40_000_000)


def pdf(tmp_path: Path, change: Callable[[PdfWriter], None] | None = None) -> Path:
    """A two-page blank PDF, changed by ``change`` before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    if change is not None:
        change(writer)
    path = tmp_path / "document.pdf"
    with path.open("wb") as sink:
        writer.write(sink)
    return path


def raw_pdf(
    tmp_path: Path, catalog_extra: bytes, page_extra: bytes = b"", *more: bytes
) -> Path:
    """A hand-written one-page PDF; ``more`` objects are numbered from 4."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b">>",
        *more,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    path = tmp_path / "raw.pdf"
    path.write_bytes(out.getvalue())
    return path


def object_stream_pdf(catalog_extra: bytes, *compressed: bytes) -> bytes:
    """A one-page PDF whose objects from 4 on are compressed in an object stream.

    Its cross-references are a stream too (PDF 1.5), as they must be to name
    compressed objects.
    """
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    first, offsets, body = len(plain) + 1, [], b""
    for item in compressed:
        offsets.append(len(body))
        body += item + b"\n"
    pairs = b" ".join(b"%d %d" % (first + i, at) for i, at in enumerate(offsets))
    encoded = zlib.compress(pairs + b"\n" + body)
    container, table_number = first + len(compressed), first + len(compressed) + 1
    out = io.BytesIO(b"%PDF-1.7\n")
    out.seek(0, io.SEEK_END)
    at: dict[int, int] = {}
    for number, item in enumerate(plain, start=1):
        at[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, item))
    at[container] = out.tell()
    out.write(
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
        b"/Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (container, len(compressed), len(pairs) + 1, len(encoded), encoded)
    )
    at[table_number] = out.tell()
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, table_number + 1):
        if number in at:
            rows.append(struct.pack(">BIH", 1, at[number], 0))
        else:
            rows.append(struct.pack(">BIH", 2, container, number - first))
    table = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>"
        b"\nstream\n%s\nendstream\nendobj\n"
        % (table_number, table_number + 1, len(table), table)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % at[table_number])
    return out.getvalue()


def test_plain_pdf_passes_with_its_page_count(tmp_path: Path) -> None:
    assert inspect_file(pdf(tmp_path), "application/pdf", LIMITS) == 2


def _javascript(writer: PdfWriter) -> None:
    """Document-level JavaScript, in the catalog's /Names tree."""
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x');"),
        }
    )
    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("init"), writer._add_object(action)]
            )
        }
    )
    names = DictionaryObject({NameObject("/JavaScript"): tree})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)


def _attachment(writer: PdfWriter) -> None:
    writer.add_attachment("payload.exe", b"MZ\x90\x00")


def _launch_on_open(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _javascript_on_open(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("this.exportDataObject()"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def _javascript_on_page(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.launchURL('x')"),
        }
    )
    page = writer.pages[1]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


def _xfa(writer: PdfWriter) -> None:
    form = DictionaryObject(
        {
            NameObject("/Fields"): writer._add_object(DictionaryObject()),
            NameObject("/XFA"): TextStringObject("<xdp:xdp/>"),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = form


def _encrypted(writer: PdfWriter) -> None:
    writer.encrypt(user_password="", owner_password="owner")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_javascript, "the PDF carries JavaScript"),
        (_attachment, "the PDF carries an embedded file"),
        (_launch_on_open, "the PDF carries a launch action"),
        (_javascript_on_open, "the PDF carries JavaScript"),
        (_javascript_on_page, "the PDF carries JavaScript"),
        (_xfa, "the PDF carries an XFA form"),
        (_encrypted, "the PDF is encrypted"),
    ],
)
def test_active_or_encrypted_pdf_is_refused(
    tmp_path: Path, change: Callable[[PdfWriter], None], reason: str
) -> None:
    with pytest.raises(UnsafeDocument, match=reason):
        inspect_file(pdf(tmp_path, change), "application/pdf", LIMITS)


def test_hex_escaped_names_are_seen(tmp_path: Path) -> None:
    path = raw_pdf(tmp_path, b"/OpenAction << /S /J#61vaScript /J#53 (x) >>")
    with pytest.raises(UnsafeDocument, match="JavaScript"):
        inspect_file(path, "application/pdf", LIMITS)


def test_hand_written_pdf_without_actions_passes(tmp_path: Path) -> None:
    path = raw_pdf(tmp_path, b"/PageMode /UseNone")
    assert inspect_file(path, "application/pdf", LIMITS) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF",
        b"%PDF-1.4\n" + b"\x00" * 4096,
    ],
)
def test_broken_pdf_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(UnsafeDocument, match=r"corrupt|no pages"):
        inspect_file(path, "application/pdf", LIMITS)


def test_too_many_pages_is_refused(tmp_path: Path) -> None:
    def six_pages(writer: PdfWriter) -> None:
        for _ in range(4):
            writer.add_blank_page(width=595, height=842)

    with pytest.raises(UnsafeDocument, match="6 pages, more than the 5 allowed"):
        inspect_file(pdf(tmp_path, six_pages), "application/pdf", LIMITS)


def test_poster_sized_pdf_page_is_refused(tmp_path: Path) -> None:
    def poster(writer: PdfWriter) -> None:
        writer.add_blank_page(width=14400, height=14400)

    with pytest.raises(UnsafeDocument, match="page 3 is 60000x60000 pixels"):
        inspect_file(pdf(tmp_path, poster), "application/pdf", LIMITS)


def tiff(tmp_path: Path, frames: int, size: tuple[int, int] = (200, 100)) -> Path:
    images = [Image.new("L", size, 255) for _ in range(frames)]
    path = tmp_path / "scan.tiff"
    images[0].save(path, save_all=True, append_images=images[1:])
    return path


def test_multi_page_tiff_counts_its_frames(tmp_path: Path) -> None:
    assert inspect_file(tiff(tmp_path, 3), "image/tiff", LIMITS) == 3


def test_tiff_with_too_many_frames_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeDocument, match="7 pages"):
        inspect_file(tiff(tmp_path, 7), "image/tiff", LIMITS)


def test_huge_image_is_refused(tmp_path: Path) -> None:
    path = tiff(tmp_path, 1, size=(8000, 6000))  # 48 million pixels
    with pytest.raises(UnsafeDocument, match="more than the 40000000 allowed"):
        inspect_file(path, "image/tiff", LIMITS)


def test_png_bomb_header_is_refused_without_decoding(tmp_path: Path) -> None:
    small = io.BytesIO()
    Image.new("1", (1, 1)).save(small, format="PNG")
    data = bytearray(small.getvalue())
    data[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR: 100000 x 100000
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeDocument, match="the image is too large"):
        inspect_file(path, "image/png", LIMITS)


def test_truncated_jpeg_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 10)
    with pytest.raises(UnsafeDocument, match="corrupt"):
        inspect_file(path, "image/jpeg", LIMITS)


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    encoded = zlib.compress(data, 9)
    header = b"<< /Length %d /Filter /FlateDecode %s>>" % (len(encoded), extra)
    return header + b"\nstream\n" + encoded + b"\nendstream"


def test_page_drawing_that_inflates_enormously_is_refused(tmp_path: Path) -> None:
    bomb = flate_stream(b"0 0 m 1 1 l S\n" * 5_000_000)  # 70 MB from 70 KB
    path = raw_pdf(tmp_path, b"", b"/Contents 4 0 R ", bomb)
    assert path.stat().st_size < 200_000
    with pytest.raises(UnsafeDocument, match="decompression bomb"):
        inspect_file(path, "application/pdf", LIMITS)


def test_ordinary_compressed_page_drawing_passes(tmp_path: Path) -> None:
    drawing = flate_stream(b"BT /F1 12 Tf 72 720 Td (Jugement) Tj ET\n" * 100)
    path = raw_pdf(tmp_path, b"", b"/Contents 4 0 R ", drawing)
    assert inspect_file(path, "application/pdf", LIMITS) == 1


def test_image_larger_than_the_pixel_budget_is_refused(tmp_path: Path) -> None:
    image = flate_stream(
        b"\x00" * 64, b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
    )
    page = b"/Resources << /XObject << /Im0 4 0 R >> >> "
    path = raw_pdf(tmp_path, b"", page, image)
    with pytest.raises(UnsafeDocument, match="100000x100000 image"):
        inspect_file(path, "application/pdf", LIMITS)


def test_javascript_compressed_in_an_object_stream_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "compressed.pdf"
    path.write_bytes(
        object_stream_pdf(b"/OpenAction 4 0 R", b"<< /S /J#61vaScript /J#53 (x) >>")
    )
    with pytest.raises(UnsafeDocument, match="JavaScript"):
        inspect_file(path, "application/pdf", LIMITS)


def test_an_action_named_by_an_indirect_object_is_seen(tmp_path: Path) -> None:
    path = raw_pdf(
        tmp_path, b"/OpenAction << /S 4 0 R /F (cmd.exe) >>", b"", b"/Launch"
    )
    with pytest.raises(UnsafeDocument, match="a launch action"):
        inspect_file(path, "application/pdf", LIMITS)


def test_a_compressed_object_stream_without_actions_passes(tmp_path: Path) -> None:
    path = tmp_path / "compressed.pdf"
    path.write_bytes(object_stream_pdf(b"/Info 4 0 R", b"<< /Title (Jugement) >>"))
    assert inspect_file(path, "application/pdf", LIMITS) == 1


def test_a_stream_inflating_hundreds_of_times_its_size_is_refused(
    tmp_path: Path,
) -> None:
    """Below the size limit (30 MB), but 1000 to 1: refused after 1 MB or so."""
    bomb = flate_stream(b"\x00" * 30_000_000)
    path = raw_pdf(tmp_path, b"", b"/Contents 4 0 R ", bomb)
    with pytest.raises(UnsafeDocument, match="more than 500 times its size"):
        inspect_file(path, "application/pdf", LIMITS)


def test_streams_decoding_beyond_the_budget_in_all_are_refused(
    tmp_path: Path,
) -> None:
    drawing = b"".join(
        b"%d %d m %d %d l S\n" % (i, i, i + 7, i * 3) for i in range(9000)
    )
    streams = [flate_stream(drawing) for _ in range(4)]  # 4 x 180 KB
    contents = b"/Contents [4 0 R 5 0 R 6 0 R 7 0 R] "
    path = raw_pdf(tmp_path, b"", contents, *streams)
    limits = Limits(max_pages=5, max_page_pixels=40_000_000, max_decoded_bytes=600_000)

    with pytest.raises(
        UnsafeDocument, match="more than the 600000 bytes allowed"
    ) as refused:
        inspect_file(path, "application/pdf", limits)

    assert refused.value.code == "document_too_large"
    assert inspect_file(path, "application/pdf", LIMITS) == 1
