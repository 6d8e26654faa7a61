"""Textract-shaped answers built from the true text of the sample pages.

``page_blocks`` lays a page's text out as Textract's text detection returns
it: one PAGE block (the whole page, its lines as children), a LINE block per
text line (with its words as children) and a WORD block per word, each with
its Geometry (bounding box and polygon, relative to the page), Confidence,
``TextType`` and ``Page`` number. Long paragraphs of the truth files are
wrapped into lines as a printed page has them. Confidences are drawn from a
seeded generator, so each answer is the same from run to run.
"""

from __future__ import annotations

import random
import textwrap
import uuid
from pathlib import Path
from typing import Any

from tests.samples import SAMPLES_DIR

LINE_WIDTH = 80
MARGIN = 0.08
LINE_HEIGHT = 0.018


def truth_lines(sample: str) -> list[str]:
    """The lines of a sample's truth file, wrapped at about 80 characters."""
    text = (Path(SAMPLES_DIR) / f"{sample}.gt.txt").read_text(encoding="utf-8")
    lines: list[str] = []
    for paragraph in text.splitlines():
        if paragraph.strip():
            lines.extend(textwrap.wrap(paragraph.strip(), LINE_WIDTH))
    return lines


def _geometry(left: float, top: float, width: float, height: float) -> dict[str, Any]:
    return {
        "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
        "Polygon": [
            {"X": left, "Y": top},
            {"X": left + width, "Y": top},
            {"X": left + width, "Y": top + height},
            {"X": left, "Y": top + height},
        ],
    }


def _id(seed: random.Random) -> str:
    return str(uuid.UUID(int=seed.getrandbits(128)))


def page_blocks(
    lines: list[str],
    page: int,
    *,
    confidence: tuple[float, float] = (96.0, 99.9),
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The PAGE, LINE and WORD blocks of one page holding ``lines``."""
    draw = random.Random(seed * 1000 + page)  # noqa: S311 - test data, not secrets
    page_block: dict[str, Any] = {
        "BlockType": "PAGE",
        "Geometry": _geometry(0.0, 0.0, 1.0, 1.0),
        "Id": _id(draw),
        "Page": page,
    }
    blocks: list[dict[str, Any]] = [page_block]
    line_ids: list[str] = []
    words_out: list[dict[str, Any]] = []
    for row, text in enumerate(lines):
        top = MARGIN + row * LINE_HEIGHT * 1.5
        words = text.split()
        word_width = (1 - 2 * MARGIN) / max(len(words), 1)
        word_blocks = [
            {
                "BlockType": "WORD",
                "Confidence": round(draw.uniform(*confidence), 4),
                "Text": word,
                "TextType": "PRINTED",
                "Geometry": _geometry(
                    MARGIN + i * word_width, top, word_width * 0.9, LINE_HEIGHT
                ),
                "Id": _id(draw),
                "Page": page,
            }
            for i, word in enumerate(words)
        ]
        line = {
            "BlockType": "LINE",
            "Confidence": round(
                sum(w["Confidence"] for w in word_blocks) / len(word_blocks), 4
            ),
            "Text": " ".join(words),
            "Geometry": _geometry(MARGIN, top, 1 - 2 * MARGIN, LINE_HEIGHT),
            "Id": _id(draw),
            "Relationships": [{"Type": "CHILD", "Ids": [w["Id"] for w in word_blocks]}],
            "Page": page,
        }
        line_ids.append(line["Id"])
        blocks.append(line)
        words_out.extend(word_blocks)
    page_block["Relationships"] = [{"Type": "CHILD", "Ids": line_ids}]
    # Textract lists a page's lines, then its words.
    return blocks + words_out


def mean_word_confidence(blocks: list[dict[str, Any]]) -> float:
    """The mean confidence of the WORD blocks, as a page reading has it."""
    words = [b["Confidence"] for b in blocks if b["BlockType"] == "WORD"]
    return round(sum(words) / len(words), 2)
