"""How cases and document pages are analysed and stored in the index.

Arabic text is normalised (hamza forms of alef, alef maqsura to ya, ta marbuta
to ha, diacritics and tatweel removed) and lightly stemmed, so ``المحكمة``,
``محكمة`` and ``المحكمةُ`` meet; the broken plurals of the legal vocabulary
then meet their singulars (``المحاكم``, ``القضاة``: see ``arabic``). French
text loses elided articles (``l'appel`` -> ``appel``), accents (``décision``
-> ``decision``) and is lightly stemmed (``appels`` -> ``appel``). A text
field is indexed twice, in French and in Arabic (``.ar``), since an OCR page
or a subject may mix both; offsets are kept for fast highlighting. Party
names are normalised but not stemmed (a name is not a word); their Latin
spelling is folded to ASCII. File numbers, courts, statuses and the access
fields are exact keywords.

To index a new field: add it to ``CASE_FIELDS`` or ``PAGE_FIELDS`` (and to
``sources``), raise ``SCHEMA_VERSION``, then ``justicia search reindex``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.search import arabic

# 2: broken plurals of the legal vocabulary meet their singulars.
SCHEMA_VERSION = 2

FRENCH_ARTICLES = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
    "quoiqu",
]  # fmt: skip

ANALYSIS: dict[str, Any] = {
    "char_filter": {
        "apostrophes": {
            "type": "mapping",
            "mappings": ["\u2019 => '", "\u02bc => '", "` => '"],
        },
    },
    "filter": {
        "french_elision": {
            "type": "elision",
            "articles_case": True,
            "articles": FRENCH_ARTICLES,
        },
        "french_light_stem": {"type": "stemmer", "language": "light_french"},
        "arabic_stopwords": {"type": "stop", "stopwords": "_arabic_"},
        # After arabic_stem: its rules name stems, as arabic.analyzed makes them.
        "arabic_plurals": {
            "type": "stemmer_override",
            "rules": arabic.override_rules(),
        },
    },
    "analyzer": {
        "arabic_text": {
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "decimal_digit",
                "arabic_stopwords",
                "arabic_normalization",
                "arabic_stem",
                "arabic_plurals",
            ],
        },
        "french_text": {
            "char_filter": ["apostrophes"],
            "tokenizer": "standard",
            "filter": [
                "lowercase",
                "french_elision",
                "asciifolding",
                "french_light_stem",
            ],
        },
        "person_name": {
            "tokenizer": "standard",
            "filter": ["lowercase", "decimal_digit", "arabic_normalization"],
        },
        "latin_name": {
            "char_filter": ["apostrophes"],
            "tokenizer": "standard",
            "filter": ["lowercase", "asciifolding"],
        },
    },
    "normalizer": {
        "exact_folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
    },
}

KEYWORD: dict[str, Any] = {"type": "keyword"}
TEXT_AR_FR: dict[str, Any] = {
    "type": "text",
    "analyzer": "french_text",
    "index_options": "offsets",
    "fields": {
        "ar": {"type": "text", "analyzer": "arabic_text", "index_options": "offsets"},
    },
}
NAMES: dict[str, Any] = {
    "type": "text",
    "analyzer": "person_name",
    "fields": {"latin": {"type": "text", "analyzer": "latin_name"}},
}

# Fields every document carries: what it is, its case, the facets and the
# access filter (so a page is found and filtered like its case).
SHARED_FIELDS: dict[str, Any] = {
    "kind": KEYWORD,
    "case_id": KEYWORD,
    "court_code": KEYWORD,
    "case_type_code": KEYWORD,
    "year": {"type": "integer"},
    "status": KEYWORD,
    "file_number": KEYWORD,
    "registered_at": {"type": "date"},
    "reporting_judge": KEYWORD,
    "counsel": KEYWORD,
    "party_id_digests": KEYWORD,
    "case_version": {"type": "long"},
}

CASE_FIELDS: dict[str, Any] = {
    **SHARED_FIELDS,
    "serial": {"type": "integer"},
    "subject": TEXT_AR_FR,
    "party_names": NAMES,
    "party_names_latin": {"type": "text", "analyzer": "latin_name"},
    "party_roles": KEYWORD,
    "national_number": KEYWORD,
    "last_judgment_number": KEYWORD,
    "reporting_judge_name": NAMES,
    "next_hearing_at": {"type": "date"},
    "updated_at": {"type": "date"},
}

PAGE_FIELDS: dict[str, Any] = {
    **SHARED_FIELDS,
    "document_id": KEYWORD,
    "page": {"type": "integer"},
    "filename": {"type": "keyword", "normalizer": "exact_folded"},
    "language": KEYWORD,
    "document_status": KEYWORD,
    "text": TEXT_AR_FR,
}


def index_body(fields: dict[str, Any], replicas: int) -> dict[str, Any]:
    """The settings and mapping of a new index holding ``fields``.

    Unknown fields are refused (``dynamic: strict``): a field reaches the
    index only through this module, never by accident (no personal data that
    was not meant to be searchable).
    """
    return {
        "settings": {
            "index": {
                "number_of_shards": 1,
                "number_of_replicas": replicas,
                "max_result_window": 10_000,
            },
            "analysis": ANALYSIS,
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"schema_version": SCHEMA_VERSION},
            "properties": fields,
        },
    }
