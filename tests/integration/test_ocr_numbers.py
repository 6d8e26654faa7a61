"""Numbers in Arabic text: our ``ara_num`` model read beside ``ara``.

``ara`` reads the Arabic-Indic digits of printed court text badly (file
numbers, hijri and gregorian dates, amounts); Tesseract, given
``ara+ara_num``, keeps word by word the surer of the two readings.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from chalicelib import ocr
from chalicelib.ocr import TesseractEngine
from tests.samples import SAMPLES_DIR, truth_of

pytestmark = pytest.mark.integration

JUDGMENT = "ar_judgment_commercial_sans_mild.jpg"
NUMBER = re.compile(r"[٠-٩](?:[٠-٩/,.]*[٠-٩])?")
NOTO_ARABIC = Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf")


def numbers_read(text: str, truth: str) -> tuple[int, int]:
    """How many of the truth's numbers the text holds, of how many."""
    wanted = Counter(NUMBER.findall(truth))
    found = Counter(NUMBER.findall(text)) & wanted
    return sum(found.values()), sum(wanted.values())


@pytest.fixture(scope="module")
def judgment_reading() -> str:
    return TesseractEngine().read_image(str(SAMPLES_DIR / JUDGMENT), 1).text


def test_the_numbers_model_is_read_beside_ara() -> None:
    assert ocr._with_numbers("ara") == "ara+ara_num"


def test_the_judgment_s_numbers_are_read(judgment_reading: str) -> None:
    found, wanted = numbers_read(judgment_reading, truth_of(JUDGMENT))
    assert wanted == 10
    assert found >= 4, f"{found} of {wanted} numbers read"


def test_without_the_numbers_model_few_of_them_are(
    monkeypatch: pytest.MonkeyPatch, judgment_reading: str
) -> None:
    monkeypatch.setattr(ocr, "_with_numbers", lambda models: models)
    alone = TesseractEngine().read_image(str(SAMPLES_DIR / JUDGMENT), 1).text
    found_alone, _ = numbers_read(alone, truth_of(JUDGMENT))
    found_both, _ = numbers_read(judgment_reading, truth_of(JUDGMENT))
    assert found_alone + 3 <= found_both


@pytest.mark.skipif(not NOTO_ARABIC.exists(), reason="fonts-noto-core not installed")
def test_numbers_in_a_face_the_model_never_saw(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    line = "حكم رقم ٤٧١٢ بتاريخ ١٤٤٥ مبلغ ٢٥٠٠٠٠ درهم"
    font = ImageFont.truetype(str(NOTO_ARABIC), 44)
    page = Image.new("L", (1400, 400), 255)
    draw = ImageDraw.Draw(page)
    draw.text((1350, 150), line, font=font, fill=0, anchor="ra", direction="rtl")
    path = tmp_path / "numbers.png"
    page.save(path, dpi=(300, 300))
    reading = TesseractEngine().read_image(str(path), 1)
    assert NUMBER.findall(reading.text) == ["٤٧١٢", "١٤٤٥", "٢٥٠٠٠٠"]
