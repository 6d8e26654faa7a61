"""The broken-plural vocabulary: its size, its stems, its rules.

That ``analyzed`` computes the node's very stems is checked against the node
itself in ``tests/integration/test_search.py``.
"""

from __future__ import annotations

import pytest

from chalicelib.search import arabic
from chalicelib.search.mappings import ANALYSIS


def test_the_vocabulary_is_large_and_each_singular_listed_once() -> None:
    singulars = [singular for singular, _ in arabic.vocabulary()]
    assert len(singulars) >= 150
    assert len(set(singulars)) == len(singulars)
    assert all(plurals for _, plurals in arabic.vocabulary())


@pytest.mark.parametrize(
    ("word", "term"),
    [
        ("المحكمةُ", "محكم"),
        ("المحاكم", "محاكم"),
        ("القاضي", "قاض"),
        ("قضاة", "قضا"),
        ("والدعاوى", "دعاو"),
        ("دعوى", "دعو"),
    ],
)
def test_terms_are_normalised_then_lightly_stemmed(word: str, term: str) -> None:
    assert arabic.analyzed(word) == term


def test_each_plural_stem_leads_to_its_singular_stem() -> None:
    terms = arabic.plural_terms()
    assert terms["محاكم"] == "محكم"
    assert terms["احكام"] == "حكم"
    assert terms["قضا"] == "قاض"
    assert not set(terms) & set(terms.values())


def test_the_arabic_analyzer_applies_the_rules_after_stemming() -> None:
    chain = ANALYSIS["analyzer"]["arabic_text"]["filter"]
    assert chain[-2:] == ["arabic_stem", "arabic_plurals"]
    assert "محاكم => محكم" in ANALYSIS["filter"]["arabic_plurals"]["rules"]
