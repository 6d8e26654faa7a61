"""Render training lines for ``ara_num``: one text line a page, with its box.

Writes ``OUT.tif`` (a multi-page TIFF, one line a page) and ``OUT.box`` (one
``WordStr`` box a page, the whole line and its text), the input of
``tesseract OUT.tif OUT --psm 13 lstm.train``. Lines are drawn with the
font's shaping in a right-to-left paragraph, as numbers sit in Arabic text,
at random sizes, then blurred, noised and thresholded a little differently
each time, as a scan would.

Tesseract learns a line's characters in the order they stand on the image,
left to right, so each box holds its line in that visual order (the Unicode
bidirectional algorithm, python-bidi), brackets turned round as the font
draws them mirrored in a right-to-left run.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bidi import get_display
from PIL import Image, ImageDraw, ImageFilter, ImageFont

_MIRRORED = str.maketrans("()", ")(")


def visual_order(text: str) -> str:
    """``text`` as it stands on a right-to-left line, read left to right."""
    return get_display(text, base_dir="R").translate(_MIRRORED)


def render(text: str, font: ImageFont.FreeTypeFont, rng: random.Random) -> Image.Image:
    """One line of ``text`` on white, degraded like a scan, in grayscale."""
    left, top, right, bottom = font.getbbox(text, direction="rtl")
    margin = rng.randint(4, 14)
    size = (right - left + 2 * margin, bottom - top + 2 * margin)
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text(
        (margin - left, margin - top), text, font=font, fill=0, direction="rtl"
    )
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 1.2)))
    noise = Image.effect_noise(size, rng.uniform(5, 30))
    image = Image.blend(image, noise, rng.uniform(0.0, 0.15))
    threshold = rng.randint(110, 170)
    if rng.random() < 0.5:
        image = image.point(lambda value: 0 if value < threshold else 255)
    return image


def main(font_path: str, lines_path: str, out: str, seed: int) -> None:
    """Render every line of ``lines_path`` in the font; write OUT.tif and OUT.box."""
    rng = random.Random(seed)  # noqa: S311 - reproducible degradation
    pages: list[Image.Image] = []
    boxes: list[str] = []
    lines = Path(lines_path).read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(line for line in lines if line.strip()):
        font = ImageFont.truetype(
            font_path, rng.randint(26, 46), layout_engine=ImageFont.Layout.RAQM
        )
        page = render(text, font, rng)
        width, height = page.size
        boxes.append(f"WordStr 0 0 {width} {height} {number} #{visual_order(text)}")
        boxes.append(f"\t 0 0 {width} {height} {number}")
        pages.append(page)
    pages[0].save(f"{out}.tif", save_all=True, append_images=pages[1:], dpi=(300, 300))
    Path(f"{out}.box").write_text("\n".join(boxes) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
