"""Dense Arabic pages: what reading numbers beside ``ara`` costs, and gives.

Run on demand: ``python benchmarks/arabic_dense.py``. Draws A4 pages at
300 dpi, full of the judgment sample's text (about a thousand words a page,
in Noto Sans Arabic and Noto Naskh Arabic), then reads each one with the
pipeline and with plain ``tesseract -l ara`` in the same run (one Tesseract
thread each) and reports the time ratio and both character error rates
against the drawn text. It also counts the words holding a digit in the
pipeline's reading of the classical fiqh page, which has none worth reading
(its prose is where a numbers model invents digits). Writes
``benchmarks/results/arabic_dense.json``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.ocr import TesseractEngine, read_document  # noqa: E402
from tests.samples import cer, truth_of, wrapped_lines  # noqa: E402

SAMPLES = Path(
    os.environ.get("JUSTICIA_SAMPLES_DIR", str(ROOT.parent / "shared" / "samples"))
)
JUDGMENT = "ar_judgment_commercial_sans_mild.jpg"
FIQH = "ar_kraken_fiqh_printed_p20.png"
FONTS = Path("/usr/share/fonts/truetype/noto")
FACES = (("NotoSansArabic-Regular.ttf", 40), ("NotoNaskhArabic-Regular.ttf", 44))
PAGE = (2480, 3508)  # A4 at 300 dpi
MARGIN = 150
LEADING = 1.6  # line spacing, in font sizes
DIGIT = re.compile(r"[0-9٠-٩]")
RESULTS = ROOT / "benchmarks" / "results" / "arabic_dense.json"


def dense_page(face: str, size: int, words: list[str]) -> tuple[bytes, str]:
    """A PNG page of ``words`` set right to left in ``face``, and its text."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(
        str(FONTS / face), size, layout_engine=ImageFont.Layout.RAQM
    )
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    count = (PAGE[1] - 2 * MARGIN) // int(size * LEADING)
    lines = wrapped_lines(font, words, count, PAGE[0] - 2 * MARGIN, "rtl")
    for number, text in enumerate(lines):
        top = MARGIN + number * int(size * LEADING)
        right = PAGE[0] - MARGIN
        draw.text((right, top), text, 0, font, anchor="ra", direction="rtl")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue(), "\n".join(lines)


def plain_ara(png: bytes) -> tuple[float, str]:
    """Seconds and text of plain ``tesseract -l ara`` on the page."""
    with tempfile.NamedTemporaryFile(suffix=".png") as page:
        page.write(png)
        page.flush()
        started = time.perf_counter()
        text = subprocess.run(
            ["tesseract", page.name, "-", "-l", "ara"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return time.perf_counter() - started, text


def measure_page(face: str, size: int, words: list[str]) -> dict[str, object]:
    """The pipeline against plain ``ara`` on one dense page."""
    png, truth = dense_page(face, size, words)
    started = time.perf_counter()
    (page,) = read_document(png, "image/png", TesseractEngine())
    seconds = time.perf_counter() - started
    plain_seconds, plain_text = plain_ara(png)
    return {
        "face": face,
        "words": len(truth.split()),
        "seconds": round(seconds, 2),
        "plain_seconds": round(plain_seconds, 2),
        "time_ratio": round(seconds / plain_seconds, 2),
        "cer": round(cer(page.text, truth), 4),
        "plain_cer": round(cer(plain_text, truth), 4),
    }


def invented_digits() -> list[str]:
    """Words holding a digit in the pipeline's reading of the fiqh page."""
    png = (SAMPLES / FIQH).read_bytes()
    (page,) = read_document(png, "image/png", TesseractEngine())
    return [word for word in page.text.split() if DIGIT.search(word)]


def main() -> None:
    """Run the benchmark, print the figures and write the JSON results."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    words = truth_of(JUDGMENT).split()
    pages = [measure_page(face, size, words) for face, size in FACES]
    for row in pages:
        print(
            f"{row['face']:30} {row['words']!s:>5} words  {row['seconds']!s:>6} s "
            f"(plain {row['plain_seconds']} s, x{row['time_ratio']})  "
            f"CER {row['cer']} (plain {row['plain_cer']})"
        )
    digits = invented_digits()
    print(f"fiqh page, words with a digit: {len(digits)} {' '.join(digits)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {"dense_pages": pages, "fiqh_digit_words": digits}
    RESULTS.write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
