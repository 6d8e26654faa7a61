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
from tests.samples import cer, truth_of

pytestmark = pytest.mark.integration

FONTS = Path("/usr/share/fonts/truetype/noto")
ARABIC_FACE = FONTS / "NotoSansArabic-Regular.ttf"
LATIN_FACE = FONTS / "NotoSerif-Regular.ttf"
PAGE = (2480, 3508)
MARGIN = 200


def _wrapped(font: object, words: list[str], count: int, direction: str) -> list[str]:
    """``count`` lines of ``words`` (again from the first when used up)."""
    words = words * 3
    lines, position = [], 0
    for _ in range(count):
        line = [words[position]]
        position += 1
        while (
            font.getlength(  # type: ignore[attr-defined]
                " ".join([*line, words[position]]), direction=direction
            )
            < PAGE[0] - 2 * MARGIN
        ):
            line.append(words[position])
            position += 1
        lines.append(" ".join(line))
    return lines


def bilingual_page(path: Path, arabic_lines: int, french_lines: int) -> str:
    """Draw Arabic lines above French ones on an A4 page; return the text drawn."""
    from PIL import Image, ImageDraw, ImageFont

    arabic_font = ImageFont.truetype(str(ARABIC_FACE), 50)
    latin_font = ImageFont.truetype(str(LATIN_FACE), 50)
    arabic = _wrapped(
        arabic_font,
        truth_of("ar_judgment_commercial_sans_mild.jpg").split(),
        arabic_lines,
        "rtl",
    )
    french = _wrapped(
        latin_font, truth_of("fr_loi_43-20_mild.jpg").split(), french_lines, "ltr"
    )
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
