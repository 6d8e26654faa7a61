"""Broken plurals of the legal vocabulary, met with their singulars.

Light stemming strips articles and suffixes, so sound plurals (``طلبات``)
meet their singulars; broken plurals change the word inside (``محاكم`` for
``محكمة``, ``قضاة`` for ``قاضي``) and do not. ``data/arabic_plurals.json`` lists
the legal, judicial and administrative ones a court's papers use. The analyzer
rewrites the stem of each plural to the stem of its singular after
``arabic_stem``, so both are indexed and searched as one term, with any
article, conjunction, pronoun suffix, diacritic or hamza spelling around them.
A word starting with waw (``وثيقة``, ``وزير``) is stemmed one way bare and
another after the article; both lead to the same term. A word whose stem is
already an unrelated common word is not listed (``أمين`` stems to ``ام``,
``منطقة`` to ``منطق``): its plural would join that word too.

The rules must name stems exactly as the node computes them. ``analyzed``
mirrors the node's ``arabic_normalization`` and ``arabic_stem`` (Lucene's
``ArabicNormalizer`` and ``ArabicStemmer``); the integration tests compare it
with the node's ``_analyze`` for every word of the list. A plural whose stem
is already its singular's is left out; two singulars claiming one plural stem,
or a rule leading to another rule's plural, are refused.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

PLURALS = Path(__file__).parent.parent / "data" / "arabic_plurals.json"

# ArabicNormalizer: hamza forms of alef, alef maqsura, ta marbuta, and the
# characters it deletes (tatweel and the eight harakat).
FOLDED = str.maketrans({"آ": "ا", "أ": "ا", "إ": "ا", "ى": "ي", "ة": "ه"})
DELETED = dict.fromkeys(
    map(ord, "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652")
)
# ArabicStemmer: the first matching prefix goes; then each suffix, in order.
PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def normalised(word: str) -> str:
    """``word`` as ``arabic_normalization`` leaves it."""
    return word.translate(FOLDED).translate(DELETED)


def analyzed(word: str) -> str:
    """The term of ``word``: normalised, then lightly stemmed."""
    term = normalised(word)
    for prefix in PREFIXES:
        shortest = 4 if len(prefix) == 1 else len(prefix) + 2
        if len(term) >= shortest and term.startswith(prefix):
            term = term[len(prefix) :]
            break
    for suffix in SUFFIXES:
        if len(term) >= len(suffix) + 2 and term.endswith(suffix):
            term = term[: -len(suffix)]
    return term


@cache
def vocabulary() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The listed ``(singular, plurals)`` pairs, as written."""
    entries = json.loads(PLURALS.read_text(encoding="utf-8"))
    return tuple((e["singular"], tuple(e["plurals"])) for e in entries)


def terms_of(word: str) -> set[str]:
    """The terms ``word`` gets bare and after an article or conjunction.

    They differ when the word itself starts like a prefix: ``وثيقة`` loses
    its waw as if it were "and", ``الوثيقة`` keeps it.
    """
    return {analyzed(word), analyzed(f"ال{word}")}


def plural_terms() -> dict[str, str]:
    """Each term of a listed word mapped to its singular's (see the module).

    The target is the singular's term after the article; the plurals' terms,
    and a singular's bare term where it differs, lead to it.
    """
    terms: dict[str, str] = {}
    for singular, plurals in vocabulary():
        target = analyzed(f"ال{singular}")
        for word in (singular, *plurals):
            for term in terms_of(word) - {target}:
                if terms.get(term, target) != target:
                    raise ValueError(f"term {term} claimed by two singulars")
                terms[term] = target
    chained = set(terms) & set(terms.values())
    if chained:
        raise ValueError(f"terms both rewritten and targets: {sorted(chained)}")
    return terms


def override_rules() -> list[str]:
    """The ``stemmer_override`` rules (``plural => singular``), sorted."""
    return [
        f"{plural} => {singular}" for plural, singular in sorted(plural_terms().items())
    ]
