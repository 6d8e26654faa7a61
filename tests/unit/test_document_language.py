"""The language of a document, from the languages of its pages."""

from __future__ import annotations

from types import SimpleNamespace

from chalicelib.pipeline import document_language


def _pages(*languages: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(language=language) for language in languages]


def test_the_most_frequent_language_comes_first() -> None:
    assert document_language(_pages("fra", "ara", "ara", "")) == "ara+fra"


def test_a_page_in_both_scripts_counts_for_each() -> None:
    assert document_language(_pages("fra", "ara+fra", "fra+ara")) == "fra+ara"
