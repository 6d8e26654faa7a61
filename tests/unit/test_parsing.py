"""Parsing at the edges: file numbers, S3 notifications, document bytes."""

from __future__ import annotations

import pytest

from chalicelib.cases import FileNumber, file_number_key, serial_counter_key
from chalicelib.pipeline import sniff_content_type
from chalicelib.workers import stored_objects
from tests.conftest import EVENTS_DIR


def test_file_number_reads_left_to_right_serial_code_year() -> None:
    assert str(FileNumber(17, "1201", 2026)) == "17/1201/2026"


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("17-1201-2026", FileNumber(17, "1201", 2026)),
        ("1-0101-2025", FileNumber(1, "0101", 2025)),
    ],
)
def test_scanner_folder_names_a_file_number(folder: str, expected: FileNumber) -> None:
    assert FileNumber.parse_scanner_folder(folder) == expected


@pytest.mark.parametrize(
    "folder", ["17-12-2026", "x-1201-2026", "17_1201_2026", "17-1201", ""]
)
def test_bad_scanner_folder_is_refused(folder: str) -> None:
    with pytest.raises(ValueError):
        FileNumber.parse_scanner_folder(folder)


def test_registry_keys_separate_courts_codes_and_years() -> None:
    number = FileNumber(3, "1201", 2026)
    assert file_number_key("TPI-RABAT", number) != file_number_key("TPI-SALE", number)
    assert serial_counter_key("TPI-RABAT", "1201", 2026) != serial_counter_key(
        "TPI-RABAT", "1201", 2027
    )


def test_notification_keys_are_url_decoded() -> None:
    body = (EVENTS_DIR / "s3_object_created_incoming.json").read_text()
    (stored,) = stored_objects(body)
    assert stored.key == "incoming/TPI-RABAT/17-1201-2026/page 001.pdf"
    assert stored.bucket == "justicia-test-documents"
    assert stored.size == 52431


def test_s3_test_event_announces_nothing() -> None:
    assert stored_objects((EVENTS_DIR / "s3_test_event.json").read_text()) == []


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"II*\x00\x08\x00", "image/tiff"),
        (b"MM\x00*\x00\x00", "image/tiff"),
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_document_type_comes_from_its_bytes(
    head: bytes, content_type: str | None
) -> None:
    assert sniff_content_type(head) == content_type


def test_scanner_folder_digits_are_ascii_only() -> None:
    with pytest.raises(ValueError):
        FileNumber.parse_scanner_folder("\u0661-1201-2026")
