"""How Tesseract's raw words become the text of a page."""

from __future__ import annotations

from typing import Any

from chalicelib.ocr import _rebuild_text, unmirror_brackets


def _data(words: list[str]) -> dict[str, list[Any]]:
    """An ``image_to_data`` result with every word on one line."""
    count = len(words)
    return {
        "text": words,
        "conf": [90.0] * count,
        "block_num": [1] * count,
        "par_num": [1] * count,
        "line_num": [1] * count,
    }


def test_directional_marks_are_dropped_from_words() -> None:
    text, _, words = _rebuild_text(_data(["\u200fالمحكمة", "التجارية\u200e", "\u061c"]))
    assert text == "المحكمة التجارية"
    assert words == 2


def test_brackets_read_mirrored_are_turned_round() -> None:
    assert unmirror_brackets(")١٠٥,٥٠٠( ريال") == "(١٠٥,٥٠٠) ريال"
    assert unmirror_brackets("]الدائرة[ ثم )السابعة(") == "[الدائرة] ثم (السابعة)"


def test_brackets_the_right_way_round_are_kept() -> None:
    line = "(مؤسسة أحمد) ضد (شركة)"
    assert unmirror_brackets(line) == line


def test_brackets_that_would_not_balance_are_left_alone() -> None:
    assert unmirror_brackets(") وحده") == ") وحده"
    assert unmirror_brackets(")أ( ب)") == ")أ( ب)"
    assert unmirror_brackets("بلا أقواس") == "بلا أقواس"
