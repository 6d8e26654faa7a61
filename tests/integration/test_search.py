"""Search on a real OpenSearch node: language, access, keeping in step, errors.

The node runs once per session (``search_node``). Cases are registered over
the API; read documents are written as the OCR step leaves them (the item in
DynamoDB, the pages in S3), so the indexer sees exactly what the pipeline
produces without spending Tesseract's time. Every change reaches the index
through the tables' streams and the indexer function, as in AWS.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.models import CaseModel, DocumentModel
from tests.support import Api, Headers

pytestmark = pytest.mark.integration

MARKER = "zorbalt" + uuid.uuid4().hex[:6].translate(
    str.maketrans("0123456789", "ghijklmnop")
)
ARABIC_PAGE = (
    "قررت المحكمةُ الابتدائيةُ بالرباط رفضَ الطلباتِ المقدَّمةِ من المدعين "
    "في الدعوى التي رفعها السيد إبراهيم الفاسي ضد الشركة، وتحميلهم الصائر."
)
FRENCH_PAGE = (
    "L’appel interjeté contre la décision du tribunal de première instance "
    "est recevable. Les appelants contestent les jugements rendus."
)


@dataclass
class Index:
    """The session's index, its stream pollers, and a way to catch up."""

    client: Any
    targets: list[Any]

    def sync(self) -> None:
        """Deliver every pending stream record, then make it searchable."""
        from chalicelib.search.indices import CASES, PAGES
        from devstack.streams import drain_streams

        drain_streams(self.targets)
        self.client.indices.refresh(index=f"{CASES.alias},{PAGES.alias}")


@pytest.fixture(scope="module")
def index(stack: dict[str, str], search_node: str) -> Iterator[Index]:
    """The API and the indexer pointed at the node; the indices created."""
    from chalicelib.config import get_settings
    from chalicelib.search.client import reset_search_client, search_client
    from chalicelib.search.indices import ensure_indices
    from devstack.streams import STREAMED_TABLES, StreamTarget

    saved = {
        k: os.environ.get(k)
        for k in ("JUSTICIA_SEARCH_URL", "JUSTICIA_SEARCH_REPLICAS")
    }
    os.environ.update(
        {"JUSTICIA_SEARCH_URL": search_node, "JUSTICIA_SEARCH_REPLICAS": "0"}
    )
    get_settings.cache_clear()
    reset_search_client()
    ensure_indices(search_client())
    found = Index(search_client(), [StreamTarget.connect(t) for t in STREAMED_TABLES])
    found.sync()
    yield found
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    reset_search_client()


def register(api: Api, headers: Headers, **body: Any) -> dict[str, Any]:
    """Register a case over the API; return its JSON."""
    status, case = api.call("POST", "/cases", headers, body)
    assert status == 201, case
    return dict(case)


def read_document(case_id: str, pages: list[str], language: str) -> DocumentModel:
    """Store a document as the OCR step leaves it: item OCR_DONE, text in S3."""
    from chalicelib.aws import client
    from chalicelib.config import get_settings
    from chalicelib.documents import text_key

    document_id = str(uuid.uuid4())
    key = text_key(case_id, document_id)
    text = {
        "pages": [
            {"number": n, "text": f"{t} {MARKER}", "language": language}
            for n, t in enumerate(pages, start=1)
        ]
    }
    client("s3").put_object(
        Bucket=get_settings().documents_bucket,
        Key=key,
        Body=json.dumps(text, ensure_ascii=False).encode("utf-8"),
    )
    now = datetime.now(UTC)
    document = DocumentModel(
        case_id=case_id,
        document_id=document_id,
        status="OCR_DONE",
        filename=f"{language}.pdf",
        content_type="application/pdf",
        declared_size=1000,
        object_key=f"cases/{case_id}/{document_id}/original",
        source="upload",
        created_at=now,
        created_by="clerk",
        updated_at=now,
        pages=len(pages),
        language=language,
        text_key=key,
    )
    document.save()
    return document


@dataclass
class Corpus:
    """The module's cases and documents, by what they are for."""

    rabat: dict[str, Any]
    casablanca: dict[str, Any]
    sale: dict[str, Any]
    arabic: DocumentModel
    french: DocumentModel


@pytest.fixture(scope="module")
def corpus(api: Api, as_role: Callable[[str], Headers], index: Index) -> Corpus:
    """Three cases at three courts, an Arabic and a French page, all indexed."""
    admin = as_role("admin")
    rabat = register(
        api,
        admin,
        court_code="TPI-RABAT",
        case_type_code="1201",
        subject=f"نزاع حول عقار محفظ {MARKER}",
        parties=[
            {
                "role": "plaintiff",
                "name": "إبراهيم الفاسي",
                "name_latin": "Brahim El Fassi",
                "national_id": "AB123456",
                "lawyers": [{"bar": "Rabat", "roll_number": "1234"}],
            },
            {
                "role": "defendant",
                "kind": "legal",
                "name": "شركة الأطلس",
                "name_latin": "Société Atlas",
            },
        ],
    )
    casablanca = register(
        api,
        admin,
        court_code="TC-CASABLANCA",
        case_type_code="8201",
        subject=f"Recouvrement d'une créance commerciale {MARKER}",
        parties=[{"role": "plaintiff", "kind": "legal", "name": "Société Atlas"}],
    )
    sale = register(
        api,
        admin,
        court_code="TPI-SALE",
        case_type_code="1201",
        subject=f"Bornage d'une parcelle {MARKER}",
        parties=[
            {"role": "plaintiff", "name": "آمنة العلوي", "national_id": "CD654321"}
        ],
    )
    arabic = read_document(rabat["id"], [ARABIC_PAGE], "ara")
    french = read_document(rabat["id"], [FRENCH_PAGE, "Page deux."], "fra")
    index.sync()
    return Corpus(rabat, casablanca, sale, arabic, french)


def search(api: Api, headers: Headers, **params: Any) -> tuple[int, Any]:
    """``GET /search`` with ``params``."""
    return api.call("GET", f"/search?{urlencode(params)}", headers)


def every_result(api: Api, headers: Headers, **params: Any) -> list[Any]:
    """Every result of a search, page after page of 50."""
    results: list[Any] = []
    while True:
        status, body = search(api, headers, size=50, **{"from": len(results)}, **params)
        assert status == 200, body
        results += body["results"]
        if len(body["results"]) < 50:
            return results


def marked(api: Api, headers: Headers, text: str) -> set[str]:
    """What a search finds among this module's items (they all hold MARKER)."""
    return found(api, headers, f"{text} {MARKER}")


def found(api: Api, headers: Headers, text: str) -> set[str]:
    """Ids of what a search finds: case ids, and document ids for pages."""
    status, body = search(api, headers, q=text, size=50)
    assert status == 200, body
    return {r.get("document_id") or r["case_id"] for r in body["results"]}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("المحكمة", id="without-diacritics"),
        pytest.param("المحكمةُ الابتدائيةُ", id="with-diacritics"),
        pytest.param("المحكمه", id="ta-marbuta-as-ha"),
        pytest.param("ابراهيم", id="hamza-bare-alef"),
        pytest.param("أبراهيم", id="hamza-above"),
        pytest.param("آبراهيم", id="alef-madda"),
        pytest.param("الدعوي", id="alef-maqsura-as-ya"),
        pytest.param("الطلب", id="singular-of-plural"),
        pytest.param("المدعي", id="singular-of-masculine-plural"),
        pytest.param("محكمة", id="without-article"),
    ],
)
def test_arabic_text_is_found_in_every_spelling(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, text: str
) -> None:
    assert corpus.arabic.document_id in marked(api, as_role("admin"), text)


SINGULARS_PAGE = (
    "قررت المحكمة بعد أن اطلع القاضي على الحكم الابتدائي في الدعوى أن العقد "
    "صحيح، واستمعت إلى الشاهد، وأقرت الحق للطرف المدعي طبقا للقانون والمادة "
    "الثالثة والفصل الرابع، واعتمدت تقرير الخبير والمحضر والوثيقة والدليل، "
    "ورفضت الطعن، ولم تثبت الجريمة، وأمرت برد المال إلى الوارث."
)
PLURALS_PAGE = (
    "نظرت المحاكم في أحكام القضاة الصادرة في الدعاوى المتعلقة بالعقود، "
    "واستمعت إلى الشهود، وحفظت حقوق الأطراف طبقا للقوانين والمواد والفصول، "
    "واعتمدت تقارير الخبراء والمحاضر والوثائق والأدلة، ونظرت في الطعون "
    "والجرائم، وأمرت برد الأموال إلى الورثة."
)


@dataclass
class Numbers:
    """A page written in singulars and one written in their broken plurals."""

    singulars: DocumentModel
    plurals: DocumentModel


@pytest.fixture(scope="module")
def numbers(corpus: Corpus, index: Index) -> Numbers:
    """The two pages, read and indexed under the Rabat case."""
    singulars = read_document(corpus.rabat["id"], [SINGULARS_PAGE], "ara")
    plurals = read_document(corpus.rabat["id"], [PLURALS_PAGE], "ara")
    index.sync()
    return Numbers(singulars, plurals)


@pytest.mark.parametrize(
    "text",
    [
        "محكمة", "المَحْكَمَةُ", "حكم", "حُكْمٌ", "القاضي", "قاضٍ", "الدعوى",
        "الدعوي", "عقد", "الشاهد", "حق", "الطرف", "قانون", "المادة", "الفصل",
        "تقرير", "الخبير", "محضر", "وثيقة", "دليل", "الطعن", "جريمة", "المال",
        "الوارث",
    ],
)  # fmt: skip
def test_a_singular_finds_the_broken_plural(
    api: Api, as_role: Callable[[str], Headers], numbers: Numbers, text: str
) -> None:
    hits = marked(api, as_role("clerk"), text)
    assert numbers.plurals.document_id in hits


@pytest.mark.parametrize(
    "text",
    [
        "المحاكم", "أحكام", "احكام", "إحكام", "القُضَاةُ", "الدعاوى", "دعاوي",
        "العقود", "الشهود", "الحقوق", "أطراف", "الاطراف", "القوانين", "المواد",
        "الفصول", "التقارير", "الخبراء", "المحاضر", "الوثائق", "الأدلة",
        "الادلّة", "الطعون", "الجرائم", "أموال", "اموال", "الورثة", "الورثه",
    ],
)  # fmt: skip
def test_a_broken_plural_finds_the_singular(
    api: Api, as_role: Callable[[str], Headers], numbers: Numbers, text: str
) -> None:
    hits = marked(api, as_role("clerk"), text)
    assert numbers.singulars.document_id in hits


def test_plurals_do_not_reach_unrelated_words(
    api: Api, as_role: Callable[[str], Headers], numbers: Numbers
) -> None:
    hits = marked(api, as_role("clerk"), "الشركات")
    assert not {numbers.singulars.document_id, numbers.plurals.document_id} & hits


def test_the_stem_mirror_agrees_with_the_node(index: Index) -> None:
    from chalicelib.search.arabic import analyzed, vocabulary

    words = [w for singular, plurals in vocabulary() for w in (singular, *plurals)]
    chain = ["lowercase", "decimal_digit", "arabic_normalization", "arabic_stem"]
    body = {"tokenizer": "standard", "filter": chain, "text": words}
    tokens = index.client.indices.analyze(body=body)["tokens"]
    assert [t["token"] for t in tokens] == [analyzed(w) for w in words]


def test_every_listed_plural_meets_its_singular_in_the_index(index: Index) -> None:
    from chalicelib.search.arabic import vocabulary
    from chalicelib.search.indices import CASES

    apart = []
    for singular, plurals in vocabulary():
        forms = (singular, f"ال{singular}", *plurals, *(f"وال{p}" for p in plurals))
        text = " ".join(forms)
        body = {"analyzer": "arabic_text", "text": text}
        terms = [
            t["token"]
            for t in index.client.indices.analyze(index=CASES.alias, body=body)[
                "tokens"
            ]
        ]
        if len(terms) != len(forms) or len(set(terms)) != 1:
            apart.append((singular, terms))
    assert apart == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("appel", id="elided-in-text"),
        pytest.param("l'appel", id="elided-in-query"),
        pytest.param("l’appel", id="typographic-apostrophe"),
        pytest.param("decision", id="without-accent"),
        pytest.param("DÉCISION", id="capitals-with-accent"),
        pytest.param("premiere instance", id="two-words-no-accent"),
        pytest.param("jugement", id="singular-of-plural"),
        pytest.param("appelant", id="singular-of-plural-noun"),
    ],
)
def test_french_text_is_found_with_or_without_accents_and_elision(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, text: str
) -> None:
    assert corpus.french.document_id in marked(api, as_role("admin"), text)


def test_unrelated_words_do_not_match(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    hits = marked(api, as_role("admin"), "cassation")
    assert corpus.french.document_id not in hits
    assert corpus.arabic.document_id not in hits


def test_page_result_has_highlighted_passage(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    status, body = search(api, as_role("admin"), q=f"décision {MARKER}")
    assert status == 200
    page = next(
        r for r in body["results"] if r.get("document_id") == corpus.french.document_id
    )
    assert page["kind"] == "page" and page["page"] == 1
    assert any("<mark>décision</mark>" in p for p in page["highlights"]["text"])
    assert "text" not in page


@pytest.mark.parametrize(
    "text",
    ["Brahim", "el fassi", "FASSI", "إبراهيم", "ابراهيم الفاسي", "societe atlas"],
)
def test_party_names_are_found_in_arabic_and_latin_script(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, text: str
) -> None:
    assert corpus.rabat["id"] in marked(api, as_role("admin"), text)


def test_file_number_is_an_exact_match(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    number = corpus.rabat["file_number"]
    status, body = search(api, as_role("admin"), q=number)
    assert status == 200
    assert corpus.rabat["id"] in {r["case_id"] for r in body["results"]}
    assert {r["file_number"] for r in body["results"]} == {number}
    serial, code, year = number.split("/")
    other = f"{int(serial) + 100000}/{code}/{year}"
    assert corpus.rabat["id"] not in found(api, as_role("admin"), other)
    with_words = found(api, as_role("admin"), f"{number} décision")
    assert corpus.french.document_id in with_words
    assert corpus.arabic.document_id not in with_words


def test_national_file_number_is_an_exact_match(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    national = corpus.rabat["national_number"]
    assert corpus.rabat["id"] in found(api, as_role("admin"), national)
    assert corpus.rabat["id"] not in found(api, as_role("admin"), national[:-1])


def test_national_id_finds_the_party_by_its_digest(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    assert corpus.sale["id"] in found(api, as_role("admin"), "CD654321")
    assert corpus.sale["id"] in found(api, as_role("admin"), "cd654321")
    assert corpus.sale["id"] not in found(api, as_role("admin"), "CD654322")


def test_a_national_id_hit_highlights_its_party_with_the_id_masked(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    status, body = search(api, as_role("admin"), q="cd654321", size=50)
    assert status == 200, body
    (hit,) = [r for r in body["results"] if r["case_id"] == corpus.sale["id"]]

    assert hit["highlights"]["national_id"] == ["<mark>CD****21</mark> آمنة العلوي"]
    assert "654321" not in json.dumps(body)


def test_a_national_id_highlights_the_pages_of_its_party_s_case(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    # The demo citizen holds the same ID, so other modules' cases may share
    # it: every result is read, and the pages of this module's case kept.
    results = every_result(api, as_role("admin"), q="AB123456", court="TPI-RABAT")
    pages = [
        r
        for r in results
        if r.get("document_id") and r["case_id"] == corpus.rabat["id"]
    ]

    assert {r["document_id"] for r in pages} >= {corpus.arabic.document_id}
    for page in pages:
        assert page["highlights"]["national_id"] == [
            "<mark>AB****56</mark> إبراهيم الفاسي"
        ]


def test_a_hit_on_words_has_no_national_id_highlight(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    status, body = search(api, as_role("admin"), q=MARKER, size=50)
    assert status == 200, body
    assert body["results"]
    assert not any("national_id" in r["highlights"] for r in body["results"])


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"rabat", "casablanca", "sale"}),
        ("judge", {"rabat", "sale"}),
        ("clerk", {"rabat", "casablanca"}),
        ("lawyer", {"rabat"}),
        ("citizen", {"rabat"}),
    ],
)
def test_each_role_finds_only_what_it_may_see(
    api: Api,
    as_role: Callable[[str], Headers],
    corpus: Corpus,
    username: str,
    expected: set[str],
) -> None:
    ids = {
        name: getattr(corpus, name)["id"] for name in ("rabat", "casablanca", "sale")
    }
    status, body = search(api, as_role(username), q=MARKER, size=50)
    assert status == 200, body
    seen = {r["case_id"] for r in body["results"]} & set(ids.values())
    assert seen == {ids[name] for name in expected}
    courts = {b["value"] for b in body["facets"]["court"]}
    assert courts <= {getattr(corpus, n)["court_code"] for n in expected} | courts


@pytest.mark.parametrize("username", ["judge", "clerk", "lawyer", "citizen"])
def test_pages_follow_their_case_access(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, username: str
) -> None:
    assert corpus.french.document_id in marked(api, as_role(username), "décision")


def test_facets_count_only_visible_cases(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus
) -> None:
    status, body = search(api, as_role("lawyer"), q=MARKER)
    assert status == 200
    assert {b["value"] for b in body["facets"]["court"]} == {"TPI-RABAT"}
    status, body = search(api, as_role("admin"), q=MARKER, court="TPI-SALE")
    assert [r["case_id"] for r in body["results"]] == [corpus.sale["id"]]
    assert body["facets"]["type"] == [{"value": "1201", "count": 1}]


def test_index_that_says_too_much_is_rechecked_against_dynamodb(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES
    from chalicelib.search.sources import counsel_key

    case_id = corpus.casablanca["id"]
    index.client.update(
        index=CASES.alias,
        id=case_id,
        body={"doc": {"counsel": [counsel_key("Rabat", "1234")]}},
        refresh=True,
    )
    assert case_id not in found(api, as_role("lawyer"), MARKER)
    assert case_id in found(api, as_role("admin"), MARKER)


def test_access_change_reaches_the_pages(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import PAGES
    from chalicelib.search.service import access_filter

    case = CaseModel.get(corpus.rabat["id"])
    for party in case.parties:
        party.lawyers = []
    case.update(actions=[CaseModel.parties.set(case.parties), CaseModel.version.add(1)])
    index.sync()
    from chalicelib.identity import Caller, Scope

    caller = Caller(
        "lawyer", "LAWYER", "id", scope=Scope(bar="Rabat", roll_number="1234")
    )
    query = {
        "bool": {"filter": [{"term": {"case_id": case.case_id}}, access_filter(caller)]}
    }
    hits = index.client.count(index=PAGES.alias, body={"query": query})["count"]
    assert hits == 0
    assert corpus.rabat["id"] not in found(api, as_role("lawyer"), MARKER)
    assert corpus.rabat["id"] in found(api, as_role("citizen"), MARKER)


def test_replayed_old_version_never_overwrites_a_newer_one(
    corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indexing import index_case
    from chalicelib.search.indices import CASES

    case = CaseModel.get(corpus.sale["id"])
    stale = CaseModel.from_raw_data(case.serialize())
    revised = [
        CaseModel.subject.set(f"Bornage révisé {MARKER}"),
        CaseModel.version.add(1),
    ]
    case.update(actions=revised)
    index.sync()
    index_case(index.client, stale, None)
    held = index.client.get(index=CASES.alias, id=case.case_id)
    assert held["_version"] == case.version
    assert held["_source"]["subject"].startswith("Bornage révisé")


def test_signed_document_keeps_its_pages_and_a_removed_one_drops_them(
    corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import PAGES

    document = read_document(corpus.sale["id"], ["Procès-verbal de bornage."], "fra")
    index.sync()
    query = {"query": {"term": {"document_id": document.document_id}}}
    assert index.client.count(index=PAGES.alias, body=query)["count"] == 1
    signed = [
        DocumentModel.status.set("SIGNED"),
        DocumentModel.updated_at.set(datetime.now(UTC)),
    ]
    document.update(actions=signed)
    index.sync()
    assert index.client.count(index=PAGES.alias, body=query)["count"] == 1
    document.delete()
    index.sync()
    assert index.client.count(index=PAGES.alias, body=query)["count"] == 0


def test_failing_record_is_retried_then_dead_lettered(
    corpus: Corpus, index: Index
) -> None:
    from chalicelib.aws import client
    from devstack.streams import dead_letter_queue_url

    document = read_document(corpus.sale["id"], ["x"], "fra")
    document.update(actions=[DocumentModel.text_key.set("texts/missing.json")])
    index.sync()
    messages = (
        client("sqs")
        .receive_message(QueueUrl=dead_letter_queue_url(), MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    letters = [json.loads(m["Body"]) for m in messages]
    assert any(x["table"] == "documents" and x["attempts"] == 3 for x in letters)
    document.delete()
    index.sync()


def lose(index: Index, alias: str, item_id: str) -> None:
    """Drop an item as if its stream record had been lost (same version)."""
    held = index.client.get(index=alias, id=item_id, _source=False)
    index.client.delete(
        index=alias, id=item_id, version=held["_version"], version_type="external_gte"
    )


def test_reconciliation_repairs_drift(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES, PAGES
    from chalicelib.search.reconcile import reconcile

    document = read_document(corpus.sale["id"], ["Rapport d'expertise."], "fra")
    index.sync()
    lose(index, CASES.alias, corpus.sale["id"])
    lose(index, PAGES.alias, f"{document.document_id}#1")
    index.client.index(
        index=CASES.alias,
        id="ghost-case",
        body={"kind": "case", "case_id": "ghost-case"},
    )
    index.client.indices.refresh(index=f"{CASES.alias},{PAGES.alias}")

    before = reconcile(index.client, repair=False)
    assert before["missing_cases"] >= 1 and before["extra_cases"] >= 1
    assert before["stale_documents"] >= 1 and before["repaired"] == 0
    repaired = reconcile(index.client)
    assert repaired["repaired"] >= 3
    after = reconcile(index.client, repair=False)
    assert {k: v for k, v in after.items() if k not in ("cases", "documents")} == {
        "missing_cases": 0,
        "stale_cases": 0,
        "ahead_cases": 0,
        "extra_cases": 0,
        "stale_documents": 0,
        "extra_pages": 0,
        "repaired": 0,
    }
    assert corpus.sale["id"] in found(api, as_role("admin"), MARKER)
    assert document.document_id in marked(api, as_role("admin"), "expertise")
    assert "ghost-case" not in found(api, as_role("admin"), "ghost")


def test_reindex_swaps_the_aliases_without_losing_anything(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES, indices_behind
    from chalicelib.search.reconcile import rebuild

    before = indices_behind(index.client, CASES.alias)
    figures = rebuild(index.client)
    after = indices_behind(index.client, CASES.alias)
    assert after != before and len(after) == 1
    assert figures["drift_after_swap"] == 0
    assert not index.client.indices.exists(index=before[0])
    assert corpus.french.document_id in marked(api, as_role("admin"), "l'appel")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x", "size": "500"}, "size"),
        ({"q": "x", "size": "-1"}, "size"),
        ({"q": "x", "from": "990", "size": "20"}, "from"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x", "sort": "random"}, "sort"),
        ({"q": "x", "year": "20x6"}, "year"),
        ({"q": "x", "court": "rabat; drop"}, "court"),
        ({"q": "x", "status": "LOST"}, "status"),
        ({"q": "x", "script": "1"}, "script"),
    ],
)
def test_bad_query_is_a_400_naming_the_field_in_both_languages(
    api: Api,
    as_role: Callable[[str], Headers],
    corpus: Corpus,
    params: dict[str, str],
    field: str,
) -> None:
    status, body = search(api, as_role("clerk"), **params)
    assert status == 400, body
    detail = body["error"]["details"][0]
    assert detail["field"] == field
    assert detail["messages"]["ar"] and detail["messages"]["fr"]


@pytest.mark.parametrize(
    "text",
    ['"unclosed', "((a | b", "-", "a~~~2 *", "\\", "title:x AND OR", "*" * 50],
)
def test_odd_syntax_never_fails(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, text: str
) -> None:
    status, body = search(api, as_role("clerk"), q=text)
    assert status == 200, body


def test_searches_past_the_limit_are_refused_with_429(
    api: Api,
    as_role: Callable[[str], Headers],
    corpus: Corpus,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.config import get_settings

    monkeypatch.setenv("JUSTICIA_SEARCH_PER_MINUTE", "0")
    get_settings.cache_clear()
    try:
        status, body = search(api, as_role("citizen"), q="x")
    finally:
        monkeypatch.delenv("JUSTICIA_SEARCH_PER_MINUTE")
        get_settings.cache_clear()
    assert status == 429
    assert body["error"]["code"] == "too_many_requests"


def test_the_limit_counts_each_user_per_minute(
    stack: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import get_settings
    from chalicelib.errors import TooManyRequests
    from chalicelib.search.service import check_rate

    monkeypatch.setenv("JUSTICIA_SEARCH_PER_MINUTE", "3")
    get_settings.cache_clear()
    user, minute = (
        f"user-{uuid.uuid4().hex}",
        datetime(2026, 5, 4, 10, 0, 5, tzinfo=UTC),
    )
    try:
        for _ in range(3):
            check_rate(user, minute)
        with pytest.raises(TooManyRequests):
            check_rate(user, minute)
        check_rate(f"other-{user}", minute)
        check_rate(user, minute.replace(minute=1))
    finally:
        monkeypatch.delenv("JUSTICIA_SEARCH_PER_MINUTE")
        get_settings.cache_clear()


def test_cli_reconciles_and_says_when_search_is_not_configured(
    corpus: Corpus,
    index: Index,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.config import get_settings
    from cli.main import main

    assert main(["search", "reconcile", "--dry-run", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["cases"] >= 3 and figures["repaired"] == 0
    monkeypatch.setenv("JUSTICIA_SEARCH_URL", "")
    get_settings.cache_clear()
    try:
        assert main(["search", "setup", "--lang", "ar"]) == 5
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert "JUSTICIA_SEARCH_URL" in capsys.readouterr().err


def test_assigned_judge_finds_a_case_outside_the_courts_served(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    case_id = corpus.casablanca["id"]
    assert case_id not in found(api, as_role("judge"), MARKER)
    assigned = [
        CaseModel.reporting_judge.set("judge"),
        CaseModel.reporting_judge_name.set("يوسف القاضي"),
        CaseModel.version.add(1),
    ]
    CaseModel(case_id=case_id).update(actions=assigned)
    index.sync()
    assert case_id in found(api, as_role("judge"), MARKER)
    assert case_id in marked(api, as_role("admin"), "القاضي يوسف")


def race_bookings(case_id: str, starts_at: datetime, entrants: int = 8) -> list[str]:
    """Book one slot of a case ``entrants`` times at once; the outcomes."""
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib import audit, hearings
    from chalicelib.errors import SlotTaken, StaleVersion
    from chalicelib.schemas import ScheduleHearingRequest

    read = CaseModel.get(case_id, consistent_read=True)

    def book(_: int) -> str:
        case = CaseModel.from_raw_data(read.serialize())
        request = ScheduleHearingRequest(
            version=case.version, starts_at=starts_at, room="R1", judge="judge"
        )
        try:
            hearings.schedule(case, request, audit.Actor("clerk", "CLERK", "t"))
        except (SlotTaken, StaleVersion):
            return "refused"
        return "booked"

    with ThreadPoolExecutor(max_workers=entrants) as pool:
        return list(pool.map(book, range(entrants)))


def test_index_follows_a_case_after_racing_bookings(
    api: Api, as_role: Callable[[str], Headers], index: Index
) -> None:
    from datetime import timedelta

    from chalicelib.search.indices import CASES

    case_id = register(
        api,
        as_role("admin"),
        court_code="TPI-RABAT",
        case_type_code="1201",
        subject=f"Saisie conservatoire {MARKER}",
        parties=[{"role": "plaintiff", "name": "Nadia Berrada"}],
    )["id"]
    index.sync()
    for round_ in range(3):
        day = datetime.now(UTC) + timedelta(days=900 + round_, hours=2)
        outcomes = race_bookings(case_id, day.replace(minute=0, second=0))
        assert sorted(outcomes) == ["booked"] + ["refused"] * 7
        subject = f"Saisie conservatoire tour {round_} {MARKER}"
        CaseModel(case_id=case_id).update(
            actions=[CaseModel.subject.set(subject), CaseModel.version.add(1)]
        )
        index.sync()
        case = CaseModel.get(case_id, consistent_read=True)
        held = index.client.get(index=CASES.alias, id=case_id)
        assert (held["_version"], held["_source"]["subject"]) == (
            case.version,
            subject,
        ), f"round {round_}"


def index_uncommitted(index: Index, case_id: str, ahead: int) -> None:
    """Index a version of a case ``ahead`` of the table's that never committed."""
    from chalicelib.search.indexing import case_action
    from chalicelib.search.indices import bulk_write

    case = CaseModel.get(case_id, consistent_read=True)
    case.subject = f"Réservation annulée {MARKER}"
    case.version = int(case.version) + ahead
    assert bulk_write(index.client, [case_action(case)]) == 1


def test_a_refused_write_of_a_case_the_index_holds_ahead_rereads_the_table(
    api: Api, as_role: Callable[[str], Headers], corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES

    case_id = corpus.casablanca["id"]
    index_uncommitted(index, case_id, ahead=2)
    for turn in range(2):
        subject = f"Recouvrement, tour {turn} {MARKER}"
        CaseModel(case_id=case_id).update(
            actions=[CaseModel.subject.set(subject), CaseModel.version.add(1)]
        )
        index.sync()
        case = CaseModel.get(case_id, consistent_read=True)
        held = index.client.get(index=CASES.alias, id=case_id)["_source"]
        assert (held["subject"], held["case_version"]) == (subject, case.version)
    assert corpus.casablanca["id"] not in marked(api, as_role("admin"), "annulée")


def test_reconciliation_repairs_a_case_indexed_ahead_of_the_table(
    corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES
    from chalicelib.search.reconcile import reconcile

    case_id = corpus.casablanca["id"]
    index_uncommitted(index, case_id, ahead=3)
    index.client.indices.refresh(index=CASES.alias)
    assert reconcile(index.client, repair=False)["ahead_cases"] == 1
    assert reconcile(index.client)["ahead_cases"] == 1
    assert reconcile(index.client, repair=False)["ahead_cases"] == 0
    case = CaseModel.get(case_id, consistent_read=True)
    held = index.client.get(index=CASES.alias, id=case_id)
    assert held["_source"]["subject"] == case.subject
    assert held["_version"] == case.version + 3


def test_setup_rebuilds_an_index_of_an_older_mapping(
    corpus: Corpus, index: Index, capsys: pytest.CaptureFixture[str]
) -> None:
    from chalicelib.search.indices import CASES, indices_behind, outdated_aliases
    from cli.main import main

    [old] = indices_behind(index.client, CASES.alias)
    index.client.indices.put_mapping(index=old, body={"_meta": {"schema_version": 1}})
    assert outdated_aliases(index.client) == [CASES.alias]
    assert main(["search", "setup", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rebuilt"] == [CASES.alias]
    assert outdated_aliases(index.client) == []
    assert indices_behind(index.client, CASES.alias) != [old]
    assert corpus.rabat["id"] in {
        hit["_id"]
        for hit in index.client.search(
            index=CASES.alias, body={"query": {"term": {"case_id": corpus.rabat["id"]}}}
        )["hits"]["hits"]
    }


def test_the_hourly_job_rebuilds_an_index_of_an_older_mapping(
    corpus: Corpus, index: Index
) -> None:
    from chalicelib.search.indices import CASES, indices_behind, outdated_aliases
    from functions.maintenance.handler import reconcile_search

    [old] = indices_behind(index.client, CASES.alias)
    index.client.indices.put_mapping(index=old, body={"_meta": {"schema_version": 1}})
    figures = reconcile_search(datetime.now(UTC))
    assert figures["rebuilt"] == 1, figures
    assert outdated_aliases(index.client) == []
    assert not index.client.indices.exists(index=old), "the replaced index is gone"
    assert reconcile_search(datetime.now(UTC))["rebuilt"] == 0
