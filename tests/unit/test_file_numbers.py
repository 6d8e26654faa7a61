"""Property tests of file numbers: formatting, parsing, right-to-left display."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.cases import LRI, PDI, FileNumber

numbers = st.builds(
    FileNumber,
    serial=st.integers(min_value=1, max_value=999_999_999),
    code=st.from_regex(r"[0-9]{4}", fullmatch=True),
    year=st.integers(min_value=1000, max_value=9999),
)
arabic_words = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهوي ", max_size=30)


@given(numbers)
def test_a_number_reads_back_as_written(number: FileNumber) -> None:
    assert FileNumber.parse(str(number)) == number
    assert FileNumber.parse(number.isolated()) == number


@given(numbers)
def test_the_three_parts_stay_in_order(number: FileNumber) -> None:
    serial, code, year = str(number).split("/")
    assert (int(serial), code, int(year)) == (number.serial, number.code, number.year)


@given(numbers, arabic_words, arabic_words)
def test_inside_arabic_text_the_number_is_one_left_to_right_unit(
    number: FileNumber, before: str, after: str
) -> None:
    sentence = f"{before} {number.isolated()} {after}"
    start, end = sentence.index(LRI), sentence.index(PDI)
    inside = sentence[start + 1 : end]
    assert inside == str(number)
    # Only European digits and slashes inside: no strong right-to-left
    # character can pull a part of the number out of its order.
    assert {unicodedata.bidirectional(c) for c in inside} <= {"EN", "CS"}
    assert unicodedata.bidirectional(LRI) == "LRI"
    assert unicodedata.bidirectional(PDI) == "PDI"


@given(numbers)
def test_scanner_folders_name_the_same_number(number: FileNumber) -> None:
    folder = str(number).replace("/", "-")
    assert FileNumber.parse_scanner_folder(folder) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "17/1201",
        "17/120/2026",
        "0/1201/2026",
        "17/1201/26",
        "١٧/١٢٠١/٢٠٢٦",
        "a/1201/2026",
    ],
)
def test_what_is_not_a_file_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"file number|serial"):
        FileNumber.parse(text)


@given(st.text(max_size=40))
def test_parsing_never_fails_otherwise(text: str) -> None:
    try:
        number = FileNumber.parse(text)
    except ValueError:
        return
    assert str(number) in text
