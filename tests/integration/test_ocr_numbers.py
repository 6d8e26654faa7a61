"""Numbers in Arabic text: our ``ara_num`` model read beside ``ara``.

``ara`` reads the Arabic-Indic digits of printed court text badly (file
numbers, hijri and gregorian dates, amounts); Tesseract, given
``ara+ara_num``, keeps word by word the surer of the two readings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
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
    assert found >= 6, f"{found} of {wanted} numbers read"


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


FIQH = "ar_kraken_fiqh_printed_p20.png"


def words_with_digits(text: str) -> list[str]:
    return [word for word in text.split() if re.search(r"[0-9٠-٩۰-۹]", word)]


def test_a_page_without_numbers_gets_almost_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The classical fiqh page holds one number, its folio (٢٠); beside ara,
    # the numbers model won several of its words (الأم read as ٢٩) until ara
    # alone read them again. What is left: the folio (read ٢٠٣), a full stop
    # read ٠, a speck read 2, and one word (أبعد read ه١).
    reread = TesseractEngine().read_image(str(SAMPLES_DIR / FIQH), 1).text
    monkeypatch.setattr(ocr, "MAX_SECOND_OPINIONS", 0)
    unchecked = TesseractEngine().read_image(str(SAMPLES_DIR / FIQH), 1).text
    assert len(words_with_digits(unchecked)) >= 6
    assert len(words_with_digits(reread)) <= 4, words_with_digits(reread)


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary directory of the test's own, and no models directory cached."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ocr._tessdata_dir.cache_clear()
    yield tmp_path
    ocr._tessdata_dir.cache_clear()


def _private_path() -> Path:
    path = ocr._private_directory()
    path.rmdir()
    return path


@pytest.mark.parametrize("in_the_way", ["dangling link", "file", "open directory"])
def test_something_in_the_way_of_the_models_directory_is_not_used(
    own_tmp: Path, in_the_way: str
) -> None:
    path = _private_path()
    if in_the_way == "dangling link":
        path.symlink_to(own_tmp / "nowhere")
    elif in_the_way == "file":
        path.write_bytes(b"")
    else:
        path.mkdir(mode=0o777)
        path.chmod(0o777)
    models = Path(ocr._tessdata_dir())
    assert models != path
    assert (models / "ara_num.traineddata").resolve() == ocr.NUMBERS_MODEL_FILE
    assert TesseractEngine().read_image(str(SAMPLES_DIR / JUDGMENT), 1).text


def test_a_directory_in_place_of_a_model_link_is_not_used(own_tmp: Path) -> None:
    path = _private_path()
    path.mkdir(mode=0o700)
    (path / "ara_num.traineddata").mkdir()
    models = Path(ocr._tessdata_dir())
    assert models != path
    assert (models / "ara_num.traineddata").resolve() == ocr.NUMBERS_MODEL_FILE


def test_a_temporary_directory_with_a_space_or_a_quote_still_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    odd = tmp_path / "court's scans"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    ocr._tessdata_dir.cache_clear()
    try:
        assert Path(ocr._tessdata_dir()).parent == odd
        reading = TesseractEngine().read_image(str(SAMPLES_DIR / JUDGMENT), 1)
    finally:
        ocr._tessdata_dir.cache_clear()
    assert "(٤٤٧١٢٢٧٤٤١)" in reading.text
