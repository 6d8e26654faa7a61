"""Textract answers parsed with textractor into page readings.

The answers are Textract-shaped blocks built from the true text of French
sample pages (``tests/textract_blocks.py``). moto's Textract does not page
its ``GetDocumentTextDetection`` answers (no ``NextToken``), so the paging is
tested here against a real boto3 client answering from a botocore Stubber.
"""

from __future__ import annotations

import os

os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "eu-west-3"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import textract
from chalicelib.ocr import TextractUnavailable, textract_reading
from tests.textract_blocks import mean_word_confidence, page_blocks, truth_lines

SAMPLES = (
    "fr_loi_43-20_mild",
    "fr_tapus_letter_delatre_typed",
    "fr_tapus_an96ap_journal_p0002",
)


def test_a_page_is_its_lines_top_to_bottom_and_mean_word_confidence() -> None:
    lines = truth_lines("fr_loi_43-20_mild")
    blocks = page_blocks(lines, 1)
    page = textract.page_of_blocks(1, blocks)
    assert page.text == "\n".join(lines)
    assert page.text.startswith("Loi n° 43-20\nArticle 1 La présente loi")
    assert page.confidence == pytest.approx(mean_word_confidence(blocks), abs=0.01)
    assert page.words == sum(len(line.split()) for line in lines)
    reading = textract_reading(page)
    assert (reading.source, reading.language, reading.low_confidence) == (
        "textract",
        "fra",
        False,
    )
    # Every word is placed on the page for the searchable PDF's text layer.
    assert [word[5] for word in reading.words] == " ".join(lines).split()
    assert all(0 <= w[0] < w[2] <= 1 and 0 <= w[1] < w[3] <= 1 for w in reading.words)
    assert reading.words[-1][4] == len(lines) - 1, "the last word is on the last line"


def test_lines_are_ordered_by_position_not_by_block_order() -> None:
    lines = truth_lines("fr_tapus_letter_delatre_typed")[:6]
    blocks = page_blocks(lines, 1)
    page_block, line_blocks = blocks[0], blocks[1 : 1 + len(lines)]
    shuffled = [page_block, *reversed(line_blocks), *blocks[1 + len(lines) :]]
    assert textract.page_of_blocks(1, shuffled).text == "\n".join(lines)


def test_spanish_text_is_named_spanish() -> None:
    lines = truth_lines("es_fondue_pardo_bazan_p12")
    reading = textract_reading(textract.page_of_blocks(1, page_blocks(lines, 1)))
    assert reading.language == "spa"


@pytest.mark.parametrize(
    ("lines", "confidence", "reason"),
    [
        ([], (96.0, 99.0), "no text"),
        (["Jugement", "rendu le"], (20.0, 50.0), "low confidence"),
    ],
)
def test_empty_or_unsure_pages_are_handed_to_tesseract(
    lines: list[str], confidence: tuple[float, float], reason: str
) -> None:
    page = textract.page_of_blocks(3, page_blocks(lines, 3, confidence=confidence))
    with pytest.raises(TextractUnavailable, match=reason):
        textract_reading(page)


def test_a_page_with_lines_textract_cannot_read_goes_to_tesseract() -> None:
    # A French letter with an Arabic heading and address: Textract does not
    # read Arabic, so those lines come back unsure, though the page's mean
    # confidence stays high.
    lines = truth_lines("fr_loi_43-20_mild")
    blocks = page_blocks(lines, 2)
    words = {b["Id"]: b for b in blocks if b["BlockType"] == "WORD"}
    line_blocks = [b for b in blocks if b["BlockType"] == "LINE"]
    for line in line_blocks[:2]:
        for word_id in line["Relationships"][0]["Ids"]:
            words[word_id]["Confidence"] = 21.0
    page = textract.page_of_blocks(2, blocks)
    assert page.confidence >= textract.TEXTRACT_MIN_CONFIDENCE
    assert page.unsure_lines == 2
    with pytest.raises(TextractUnavailable, match="2 lines it cannot read"):
        textract_reading(page)


def answers(pages: list[list[dict[str, Any]]], per_answer: int) -> list[dict[str, Any]]:
    """A job's blocks cut into answers of ``per_answer`` blocks, tied by tokens."""
    blocks = [block for page in pages for block in page]
    cut = [blocks[i : i + per_answer] for i in range(0, len(blocks), per_answer)]
    return [
        {
            "JobStatus": "SUCCEEDED",
            "DocumentMetadata": {"Pages": len(pages)},
            "Blocks": part,
            **({"NextToken": f"token-{i + 1}"} if i + 1 < len(cut) else {}),
        }
        for i, part in enumerate(cut)
    ]


def test_a_job_is_read_through_every_next_token() -> None:
    lines = [truth_lines(sample) for sample in SAMPLES]
    pages = [page_blocks(text, n + 1) for n, text in enumerate(lines)]
    # Answers of 150 blocks: every page is cut across two answers or more.
    parts = answers(pages, 150)
    assert len(parts) >= 4
    client = boto3.client("textract", region_name="eu-west-3")
    with Stubber(client) as stubber:
        for i, part in enumerate(parts):
            expected = {"JobId": "job-1", "MaxResults": textract.MAX_RESULTS}
            if i:
                expected["NextToken"] = f"token-{i}"
            stubber.add_response("get_document_text_detection", part, expected)
        found = list(
            textract.pages_of_blocks(textract.detected_blocks(client, "job-1"))
        )
        stubber.assert_no_pending_responses()
    assert [page.number for page in found] == [1, 2, 3]
    assert [page.text for page in found] == ["\n".join(text) for text in lines]
    for page, blocks in zip(found, pages, strict=True):
        assert page.confidence == pytest.approx(mean_word_confidence(blocks), abs=0.01)


def test_a_partial_job_yields_the_pages_it_has() -> None:
    first = page_blocks(truth_lines(SAMPLES[0]), 1)
    third = page_blocks(truth_lines(SAMPLES[2]), 3)
    found = list(textract.pages_of_blocks(first + third))
    assert [page.number for page in found] == [1, 3]
    assert found[1].text.split("\n")[0] == truth_lines(SAMPLES[2])[0]
