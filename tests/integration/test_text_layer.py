"""A PDF mixing born-digital and scanned pages: text extracted, scans OCR'd.

Real Tesseract reads the scanned page; the engine notes which pages it was
asked to read, so a text-layer page sent to OCR would show.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from chalicelib.ocr import PageReading, TesseractEngine, read_document

TYPED = "Le tribunal de premiere instance de Rabat statue publiquement."


def typed_page() -> bytes:
    """A one-page PDF whose text is real text (Helvetica), not an image."""
    content = b"BT /F1 14 Tf 72 760 Td (" + TYPED.encode("ascii") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def scanned_page() -> bytes:
    """A one-page PDF that is only an image of a printed line."""
    image = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(image).text((20, 60), "Jugement du tribunal", fill=0, font_size=40)
    buffer = io.BytesIO()
    image.save(buffer, format="PDF")
    return buffer.getvalue()


class NotingTesseract(TesseractEngine):
    """Real Tesseract that notes the pages it is asked to read."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[int] = []

    def read_image(
        self, image_path: str, number: int, script: str | None = None
    ) -> PageReading:
        self.pages.append(number)
        return super().read_image(image_path, number, script)


def test_only_pages_without_text_are_ocrd() -> None:
    writer = PdfWriter()
    for part in (typed_page(), scanned_page(), typed_page()):
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    engine = NotingTesseract()

    pages = read_document(buffer.getvalue(), "application/pdf", engine)

    assert engine.pages == [2]
    assert [page.source for page in pages] == ["text-layer", "tesseract", "text-layer"]
    assert pages[0].text == TYPED and pages[0].language == "fra"
    assert "jugement" in pages[1].text.lower()
