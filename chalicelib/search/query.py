"""A search request: parsed from the query string, checked, turned into a query.

``GET /search?q=&court=&type=&year=&status=&from=&size=&sort=``. Every bad
parameter is refused with its name and the reason in Arabic and French. The
text goes through ``simple_query_string``, whose syntax never fails (``+``,
``|``, ``-``, quotes and ``*`` work; anything else is read as words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ValidationFailed

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 50
MAX_WINDOW = 1000
DEFAULT_PAGE_SIZE = 20
SORTS = {
    "relevance": [{"_score": "desc"}, {"registered_at": "desc"}],
    "newest": [{"registered_at": "desc"}, {"_score": "desc"}],
    "oldest": [{"registered_at": "asc"}, {"_score": "desc"}],
}
STATUSES = frozenset(
    {
        "REGISTERED",
        "SCHEDULED",
        "DELIBERATION",
        "JUDGED",
        "CLOSED",
        "APPEALED",
        "ARCHIVED",
    }
)
COURT_CODE = re.compile(r"[A-Z][A-Z0-9-]{1,39}", re.ASCII)
CASE_TYPE = re.compile(r"[0-9]{4}", re.ASCII)
FILE_NUMBER = re.compile(r"[0-9]{1,9}/[0-9]{4}/[0-9]{4}", re.ASCII)
NATIONAL_ID = re.compile(r"[A-Za-z]{1,2}[0-9]{1,7}", re.ASCII)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The name of the clause matching the parties' national ID digests: a hit it
# matched says so in ``matched_queries``, and gets the party as its highlight.
NATIONAL_ID_MATCH = "national_id"

TEXT_FIELDS = [
    "file_number^20",
    "national_number^20",
    "last_judgment_number^20",
    "subject^3",
    "subject.ar^3",
    "party_names^4",
    "party_names.latin^4",
    "party_names_latin^4",
    "reporting_judge_name^2",
    "reporting_judge_name.latin^2",
    "text",
    "text.ar",
    "filename^2",
]
HIGHLIGHTED = ("subject", "subject.ar", "party_names", "party_names_latin")
FACETS = {
    "court": "court_code",
    "type": "case_type_code",
    "year": "year",
    "status": "status",
}

REASONS: dict[str, dict[str, str]] = {
    "too_long": {
        "fr": f"Texte de recherche trop long (au plus {MAX_QUERY_LENGTH} caractères).",
        "ar": f"نص البحث طويل جدا (على الأكثر {MAX_QUERY_LENGTH} حرفا).",
    },
    "control": {
        "fr": "Le texte de recherche contient des caractères de contrôle.",
        "ar": "يتضمن نص البحث رموز تحكم غير مقبولة.",
    },
    "not_integer": {
        "fr": "Un nombre entier positif est attendu.",
        "ar": "يجب أن تكون القيمة عددا صحيحا موجبا.",
    },
    "too_large": {
        "fr": f"Au plus {MAX_PAGE_SIZE} résultats par page.",
        "ar": f"على الأكثر {MAX_PAGE_SIZE} نتيجة في الصفحة.",
    },
    "window": {
        "fr": f"Pagination limitée aux {MAX_WINDOW} premiers résultats; "
        "affinez la recherche.",
        "ar": f"التصفح محدود في أول {MAX_WINDOW} نتيجة؛ يرجى تدقيق البحث.",
    },
    "court": {
        "fr": "Code de juridiction invalide (ex. TPI-RABAT).",
        "ar": "رمز المحكمة غير صالح (مثال TPI-RABAT).",
    },
    "type": {
        "fr": "Code de type d'affaire invalide (4 chiffres, ex. 1201).",
        "ar": "رمز نوع القضية غير صالح (4 أرقام، مثال 1201).",
    },
    "year": {
        "fr": "Année invalide (4 chiffres, ex. 2026).",
        "ar": "السنة غير صالحة (4 أرقام، مثال 2026).",
    },
    "status": {
        "fr": "Statut inconnu.",
        "ar": "حالة غير معروفة.",
    },
    "sort": {
        "fr": "Tri inconnu: relevance, newest ou oldest.",
        "ar": "ترتيب غير معروف: relevance أو newest أو oldest.",
    },
    "empty": {
        "fr": "Indiquez des mots à chercher ou au moins un filtre.",
        "ar": "يرجى إدخال كلمات للبحث أو معيار تصفية واحد على الأقل.",
    },
    "unknown": {
        "fr": "Paramètre inconnu.",
        "ar": "معامل غير معروف.",
    },
    "rejected": {
        "fr": "Recherche refusée par le moteur; simplifiez le texte.",
        "ar": "رفض محرك البحث هذا الطلب؛ يرجى تبسيط النص.",
    },
}
KNOWN_PARAMETERS = frozenset(
    {"q", "court", "type", "year", "status", "from", "size", "sort"}
)


def invalid(field: str, reason: str) -> ValidationFailed:
    """A 400 naming ``field`` with the reason in both languages."""
    return ValidationFailed(
        f"{field}: {reason}",
        [{"field": field, "reason": reason, "messages": REASONS[reason]}],
    )


@dataclass(frozen=True)
class SearchQuery:
    """A checked search request."""

    text: str = ""
    court: str | None = None
    case_type: str | None = None
    year: int | None = None
    status: str | None = None
    offset: int = 0
    size: int = DEFAULT_PAGE_SIZE
    sort: str = "relevance"


def parse_query(params: dict[str, str]) -> SearchQuery:
    """Check the query string of ``GET /search``; raise ``ValidationFailed``.

    >>> parse_query({"q": "l'appel", "court": "TPI-RABAT", "size": "10"}).size
    10
    """
    for name in params:
        if name not in KNOWN_PARAMETERS:
            raise invalid(name, "unknown")
    text = _text(params.get("q", ""))
    offset = _integer(params, "from", 0)
    size = _integer(params, "size", DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        raise invalid("size", "too_large")
    if offset + size > MAX_WINDOW:
        raise invalid("from", "window")
    query = SearchQuery(
        text=text,
        court=_matching(params, "court", COURT_CODE),
        case_type=_matching(params, "type", CASE_TYPE),
        year=_year(params),
        status=_status(params),
        offset=offset,
        size=size,
        sort=_sort(params),
    )
    if not (query.text or query.court or query.case_type or query.year or query.status):
        raise invalid("q", "empty")
    return query


# Arabic-Indic and Persian digits, as Arabic keyboards type them, read as the
# Western digits file numbers and dates are indexed with.
WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _text(raw: str) -> str:
    if CONTROL.search(raw):
        raise invalid("q", "control")
    text = " ".join(raw.translate(WESTERN_DIGITS).split())
    if len(text) > MAX_QUERY_LENGTH:
        raise invalid("q", "too_long")
    return text


def _integer(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise invalid(name, "not_integer")
    return int(raw)


def _matching(
    params: dict[str, str], name: str, pattern: re.Pattern[str]
) -> str | None:
    raw = params.get(name)
    if not raw:
        return None
    if not pattern.fullmatch(raw):
        raise invalid(name, name)
    return raw


def _year(params: dict[str, str]) -> int | None:
    raw = params.get("year")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise invalid("year", "year")
    return int(raw)


def _status(params: dict[str, str]) -> str | None:
    raw = params.get("status")
    if not raw:
        return None
    if raw.upper() not in STATUSES:
        raise invalid("status", "status")
    return raw.upper()


def _sort(params: dict[str, str]) -> str:
    raw = params.get("sort") or "relevance"
    if raw not in SORTS:
        raise invalid("sort", "sort")
    return raw


def search_body(query: SearchQuery, access: dict[str, Any] | None) -> dict[str, Any]:
    """The OpenSearch request of ``query`` restricted by ``access``.

    ``access`` is a filter clause (``None`` for an administrator, who sees
    everything); it sits in the query, so hits, totals and facets only count
    what the caller may see.
    """
    filters = _facet_filters(query)
    if access is not None:
        filters.append(access)
    return {
        "query": {"bool": {"must": [_text_clause(query.text)], "filter": filters}},
        "from": query.offset,
        "size": query.size,
        "sort": SORTS[query.sort],
        "track_total_hits": MAX_WINDOW * 10,
        "_source": {"excludes": ["text", "party_id_digests", "counsel"]},
        "highlight": _highlight(),
        "aggs": {
            name: {"terms": {"field": field, "size": 20}}
            for name, field in FACETS.items()
        },
    }


def _text_clause(text: str) -> dict[str, Any]:
    """Words through ``simple_query_string``; a file number alone exactly.

    ``17/1201/2026`` finds that file (at any court the caller may see) and its
    pages, not every text holding 17, 1201 and 2026. A national ID alone also
    matches the parties' keyed digests.
    """
    if not text:
        return {"match_all": {}}
    if FILE_NUMBER.fullmatch(text):
        return {"term": {"file_number": text}}
    alternatives: list[dict[str, Any]] = [
        {
            "simple_query_string": {
                "query": text,
                "fields": TEXT_FIELDS,
                "default_operator": "and",
                "lenient": True,
                "analyze_wildcard": False,
                "flags": "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE",
            }
        }
    ]
    national_id = national_id_in(text)
    if national_id:
        from chalicelib.personal import national_id_digest

        digest = national_id_digest(national_id)
        alternatives.append(
            {
                "term": {
                    "party_id_digests": {"value": digest, "_name": NATIONAL_ID_MATCH}
                }
            }
        )
    return {"bool": {"should": alternatives, "minimum_should_match": 1}}


def national_id_in(text: str) -> str | None:
    """The national ID (CIN) a search text is, as digests are made, or ``None``.

    >>> national_id_in("cd654321")
    'CD654321'
    >>> national_id_in("cd654321 bail") is None
    True
    """
    return text.upper() if NATIONAL_ID.fullmatch(text) else None


def _facet_filters(query: SearchQuery) -> list[dict[str, Any]]:
    wanted = {
        "court_code": query.court,
        "case_type_code": query.case_type,
        "year": query.year,
        "status": query.status,
    }
    return [{"term": {field: value}} for field, value in wanted.items() if value]


def _highlight() -> dict[str, Any]:
    fields: dict[str, Any] = {
        field: {"number_of_fragments": 0} for field in HIGHLIGHTED
    }
    for field in ("text", "text.ar"):
        fields[field] = {"fragment_size": 160, "number_of_fragments": 3}
    return {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": fields,
    }
