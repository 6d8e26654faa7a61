"""Pages in both scripts: an Arabic page with a French paragraph, and the reverse.

Moroccan court papers mix them (a French letter under an Arabic heading, an
Arabic judgment quoting a French contract). OSD names one script; the lines
in the other one are found in the first reading and the page is read again
with both scripts' models.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib import ocr
from chalicelib.ocr import TesseractEngine
from tests.samples import cer, truth_of, wrapped_lines

pytestmark = pytest.mark.integration

FONTS = Path("/usr/share/fonts/truetype/noto")
ARABIC_FACE = FONTS / "NotoSansArabic-Regular.ttf"
LATIN_FACE = FONTS / "NotoSerif-Regular.ttf"
PAGE = (2480, 3508)
MARGIN = 200


def bilingual_page(path: Path, arabic_lines: int, french_lines: int) -> str:
    """Draw Arabic lines above French ones on an A4 page; return the text drawn."""
    from PIL import Image, ImageDraw, ImageFont

    arabic_font = ImageFont.truetype(str(ARABIC_FACE), 50)
    latin_font = ImageFont.truetype(str(LATIN_FACE), 50)
    width = PAGE[0] - 2 * MARGIN
    arabic_words = truth_of("ar_judgment_commercial_sans_mild.jpg").split()
    french_words = truth_of("fr_loi_43-20_mild.jpg").split()
    arabic = wrapped_lines(arabic_font, arabic_words, arabic_lines, width, "rtl")
    french = wrapped_lines(latin_font, french_words, french_lines, width, "ltr")
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    top = MARGIN
    for line in arabic:
        draw.text((PAGE[0] - MARGIN, top), line, 0, arabic_font, "ra", direction="rtl")
        top += 90
    for line in french:
        draw.text((MARGIN, top + 60), line, 0, latin_font, "la")
        top += 80
    page.save(path, dpi=(300, 300))
    return "\n".join(arabic + french)


pages = pytest.mark.skipif(
    not (ARABIC_FACE.exists() and LATIN_FACE.exists()),
    reason="fonts-noto-core not installed",
)


@pages
@pytest.mark.parametrize(
    ("arabic_lines", "french_lines", "language", "most"),
    [(12, 6, "ara+fra", 0.10), (4, 14, "fra+ara", 0.05)],
)
def test_a_page_in_both_scripts_is_read_in_both(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    arabic_lines: int,
    french_lines: int,
    language: str,
    most: float,
) -> None:
    path = tmp_path / "bilingual.png"
    drawn = bilingual_page(path, arabic_lines, french_lines)
    reading = TesseractEngine().read_image(str(path), 1)
    monkeypatch.setattr(ocr, "MIXED_MIN_LINES", 10_000)
    one_script = TesseractEngine().read_image(str(path), 1)
    assert reading.language == language
    assert cer(reading.text, drawn) <= most
    assert cer(one_script.text, drawn) >= 2 * most
