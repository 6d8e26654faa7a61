"""How Tesseract's raw words become the text of a page."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chalicelib.ocr import (
    _WELL_FORMED,
    ARABIC_DENSE_MIN_LINE_HEIGHT,
    ARABIC_PROBE_LONG_SIDE,
    DENSE_MIN_LINE_HEIGHT,
    DENSE_PAGE_WORDS,
    TARGET_LINE_HEIGHT,
    _arabic_probe,
    _arabic_probe_scale,
    _foreign_lines,
    _link,
    _PageImage,
    _Pass,
    _reading_scale,
    _rebuild_text,
    _turns_to_try,
    line_pitch,
    normalise_number,
    put_date_marks_last,
    restore_arabic_commas,
    unmirror_brackets,
)


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


def test_a_guillemet_that_closes_nothing_is_the_arabic_comma() -> None:
    assert restore_arabic_commas("عشر بركات» في مصر تسع") == "عشر بركات، في مصر تسع"
    assert restore_arabic_commas("قال» ثم قال»") == "قال، ثم قال،"


def test_guillemets_that_quote_are_kept() -> None:
    line = "قال «البينة على من ادعى» ثم سكت"
    assert restore_arabic_commas(line) == line


def test_a_quotation_over_two_lines_is_kept() -> None:
    text = "وجاء في العقد ما يلي: «يلتزم البائع\nبتسليم المبيع»، ثم وقع\nقال» ثم"
    expected = "وجاء في العقد ما يلي: «يلتزم البائع\nبتسليم المبيع»، ثم وقع\nقال، ثم"
    assert restore_arabic_commas(text) == expected


def test_a_line_holding_a_quotation_read_mirrored_is_left_as_read() -> None:
    text = "القرار »١٢/٨٢٠٦/٢٠٢٤« الصادر\nوحيث إن الطلب» فإنه مقبول» شكلا"
    expected = "القرار »١٢/٨٢٠٦/٢٠٢٤« الصادر\nوحيث إن الطلب، فإنه مقبول، شكلا"
    assert restore_arabic_commas(text) == expected


def _probe(words: int, line_height: float) -> _Pass:
    return _Pass("fra", "", 90.0, words, line_height)


def test_a_page_is_read_again_where_its_lines_are_about_30_px() -> None:
    scale = _reading_scale(_probe(200, 18.0), probe_scale=0.4, long_side=4500)
    assert scale == TARGET_LINE_HEIGHT / (18.0 / 0.4)


def test_a_dense_page_of_readable_type_keeps_the_probe_scale() -> None:
    probe = _probe(DENSE_PAGE_WORDS, DENSE_MIN_LINE_HEIGHT)
    assert _reading_scale(probe, probe_scale=0.4, long_side=4500) == 0.4


def test_a_dense_page_of_tiny_type_is_still_enlarged() -> None:
    probe = _probe(DENSE_PAGE_WORDS * 2, DENSE_MIN_LINE_HEIGHT - 4)
    assert _reading_scale(probe, probe_scale=0.4, long_side=4500) > 0.4


def test_a_dense_arabic_page_needs_taller_lines_to_keep_the_probe() -> None:
    arabic = _Pass("ara", "", 90.0, DENSE_PAGE_WORDS, ARABIC_DENSE_MIN_LINE_HEIGHT - 6)
    latin = replace(arabic, language="fra")
    assert _reading_scale(latin, probe_scale=0.3, long_side=3508) == 0.3
    assert _reading_scale(arabic, probe_scale=0.3, long_side=3508) > 0.3


def _ruled(pitch: int, size: tuple[int, int] = (2480, 3508)) -> Any:
    """A white page crossed by dark bands every ``pitch`` px (text lines)."""
    from PIL import Image, ImageDraw

    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    for top in range(150, size[1] - 150, pitch):
        draw.rectangle((150, top, size[0] - 150, top + pitch * 2 // 3), fill=0)
    return page


@pytest.mark.parametrize(("pitch", "expected"), [(64, 20), (105, 33), (150, 47)])
def test_the_line_pitch_is_measured_on_the_rows_ink(pitch: int, expected: int) -> None:
    # the A4 page at the Arabic probe's size: its height is the long side
    assert abs(line_pitch(_ruled(pitch), ARABIC_PROBE_LONG_SIDE) - expected) <= 1


def test_a_blank_page_has_no_line_pitch() -> None:
    from PIL import Image

    assert line_pitch(Image.new("L", (2480, 3508), 255), 1100) == 0


def test_an_arabic_page_of_small_type_is_probed_larger(tmp_path: Path) -> None:
    small, usual = tmp_path / "small.png", tmp_path / "usual.png"
    _ruled(64).save(small)
    _ruled(105).save(usual)
    probe_scale = 1700 / 3508
    small_type = _PageImage(str(small), str(tmp_path))
    usual_type = _PageImage(str(usual), str(tmp_path))
    assert _arabic_probe(small_type, probe_scale) == probe_scale
    assert _arabic_probe(usual_type, probe_scale) == ARABIC_PROBE_LONG_SIDE / 3508


def test_a_date_mark_read_before_its_date_goes_after_it() -> None:
    assert put_date_marks_last("م٢٠١٣/١١/٠٣") == "٢٠١٣/١١/٠٣م"
    assert put_date_marks_last("ـه١٤٣٤/١٢/٢٩") == "١٤٣٤/١٢/٢٩هـ"


def test_a_mark_before_a_shorter_number_is_kept() -> None:
    for word in ("م٢٣", "م٢٠١٣/١١", "ه١٢٣/٢٠٢٣", "١٤٤٤/١٢/٢٤هـ", "هم"):
        assert put_date_marks_last(word) == word


def test_a_number_is_written_as_arabic_text_writes_it() -> None:
    assert normalise_number("\u200eم۲۰۱۳/۱۱/۰۳\u200f") == "٢٠١٣/١١/٠٣م"
    assert normalise_number("(١٠٥,٥٠٠.٠٠)") == "(١٠٥,٥٠٠.٠٠)"


def test_a_model_link_pointing_elsewhere_is_replaced(tmp_path: Path) -> None:
    old, new = tmp_path / "old.traineddata", tmp_path / "new.traineddata"
    old.write_bytes(b"old")
    new.write_bytes(b"new")
    link = tmp_path / "linked" / "ara_num.traineddata"
    link.parent.mkdir()
    link.symlink_to(old)
    _link(link, new)
    assert link.read_bytes() == b"new"
    _link(link, new)  # already right: left alone
    assert os.readlink(link) == str(new)


def test_a_dangling_model_link_is_replaced(tmp_path: Path) -> None:
    model = tmp_path / "ara_num.traineddata"
    model.write_bytes(b"model")
    link = tmp_path / "link.traineddata"
    link.symlink_to(tmp_path / "deleted-checkout.traineddata")
    _link(link, model)
    assert link.read_bytes() == b"model"


def test_an_arabic_page_is_probed_smaller_but_a_small_page_is_not() -> None:
    assert _arabic_probe_scale((2480, 3508)) == ARABIC_PROBE_LONG_SIDE / 3508
    assert _arabic_probe_scale((1240, 1754)) == 1.0


@pytest.mark.parametrize(
    "word", ["(١٠٥,٥٠٠.٠٠)", "٤٣.٢٠", "١٤٤٤/١٢/٢٤هـ", "٢٠١٣/١١/٠٣م", "1234/1201/2024"]
)
def test_a_well_formed_number_has_no_second_opinion(word: str) -> None:
    assert _WELL_FORMED.match(word)


@pytest.mark.parametrize("word", ["٢٩", "٤٤٠", "٤٤/٠٥", "٤١٥٨٤١١٤٥", "ه٨/٦)"])
def test_a_number_of_another_shape_has_one(word: str) -> None:
    assert not _WELL_FORMED.match(word)


def _lines_data(lines: list[list[tuple[str, float]]]) -> dict[str, list[Any]]:
    """An ``image_to_data`` result holding ``lines`` of (word, confidence)."""
    data: dict[str, list[Any]] = {
        key: [] for key in ("text", "conf", "block_num", "par_num", "line_num")
    }
    for number, line in enumerate(lines, start=1):
        for word, conf in line:
            data["text"].append(word)
            data["conf"].append(conf)
            data["block_num"].append(1)
            data["par_num"].append(1)
            data["line_num"].append(number)
    return data


def test_latin_lines_read_by_ara_are_foreign() -> None:
    arabic = [("حكمت", 90.0), ("المحكمة", 91.0), ("بتاريخ", 88.0), ("2024/05/12", 80.0)]
    latin = [("110376", 60.0), ("٤٢", 50.0), ("Ra", 40.0), ("06", 45.0), ("5ع5", 30.0)]
    amounts = [("الفوائد", 90.0), ("12,350.50", 85.0), ("2026/04/01", 88.0)]
    numbered = [("البند", 90.0), ("3", 85.0), ("المبلغ", 88.0), ("120", 80.0)]
    data = _lines_data([arabic, latin, latin, amounts, amounts, numbered, numbered])
    assert _foreign_lines("ara", data) == 2


def test_arabic_lines_read_by_fra_are_foreign() -> None:
    french = [("Vu", 95.0), ("la", 96.0), ("loi", 94.0)]
    arabic = [("iis", 20.0), ("Jl", 35.0), ("ae", 50.0)]
    data = _lines_data([french, arabic, arabic, [("x", 10.0)]])
    assert _foreign_lines("fra", data) == 2


def test_the_turns_tried_follow_the_lines(tmp_path: Path) -> None:
    from PIL import Image

    across, down, blank = (tmp_path / f"{name}.png" for name in ("a", "d", "b"))
    _ruled(64, (1200, 1700)).save(across)
    _ruled(64, (1200, 1700)).rotate(90, expand=True).save(down)
    Image.new("L", (1200, 1700), 255).save(blank)
    pages = [_PageImage(str(path), str(tmp_path)) for path in (across, down, blank)]
    turns = [_turns_to_try(page) for page in pages]
    assert turns == [(180,), (90, 270), (90, 270, 180)]
