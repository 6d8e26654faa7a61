"""Search load on the local OpenSearch node: indexing rate, latency, throughput.

Starts its own node (``devstack.opensearch``), indexes 100,000 synthetic cases
and 20,000 document pages in Arabic and French through the indexer's bulk
actions, then measures searches through ``chalicelib.search.service`` (access
filter, highlights, facets, re-check) against a baseline measured in the same
run: a bare ``term`` query on a file number sent straight to the node.

The re-check reads the cases from an in-memory table here, so the figures are
those of the search layer and the node, not of DynamoDB (a ``BatchGetItem``
adds a few milliseconds in AWS).

    python benchmarks/search_load.py        # SEARCH_CASES / SEARCH_PAGES to resize
"""

from __future__ import annotations

import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_EC2_METADATA_DISABLED": "true",
        "JUSTICIA_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "JUSTICIA_STAGE": "bench",
        "JUSTICIA_SEARCH_REPLICAS": "0",
        "POWERTOOLS_METRICS_NAMESPACE": "Justicia",
    }
)

CASES = int(os.environ.get("SEARCH_CASES", "100000"))
PAGES = int(os.environ.get("SEARCH_PAGES", "20000"))
LATENCY_QUERIES = int(os.environ.get("SEARCH_LATENCY_QUERIES", "600"))
SUSTAINED_SECONDS = float(os.environ.get("SEARCH_SUSTAINED_SECONDS", "20"))
CLIENT_THREADS = int(os.environ.get("SEARCH_THREADS", "4"))
WARM_UP_QUERIES = int(os.environ.get("SEARCH_WARM_UP_QUERIES", "400"))
SEED = 2026
COURTS = ["TPI-RABAT", "TPI-SALE", "TPI-FES", "TC-CASABLANCA", "TPI-TANGER"]
TYPES = ["1201", "1101", "1401", "8201"]
STATUSES = ["REGISTERED", "SCHEDULED", "DELIBERATION", "JUDGED", "CLOSED"]
AR_WORDS = [
    "المحكمة",
    "الابتدائية",
    "الدعوى",
    "المدعي",
    "المدعى",
    "عليه",
    "الحكم",
    "الاستئناف",
    "العقار",
    "المحفظ",
    "النزاع",
    "الطلبات",
    "الصائر",
    "الخبرة",
    "الجلسة",
    "القرار",
    "الشركة",
    "الكراء",
    "الإفراغ",
    "التعويض",
    "الضرر",
    "العقد",
    "البيع",
    "الشفعة",
    "القسمة",
    "النفقة",
    "الحضانة",
    "الطلاق",
    "الإرث",
    "الوكيل",
    "المحامي",
    "الشاهد",
    "المحضر",
    "التبليغ",
    "التنفيذ",
    "الأداء",
    "الدين",
    "الفوائد",
]
FR_WORDS = [
    "tribunal",
    "première",
    "instance",
    "appel",
    "décision",
    "jugement",
    "demandeur",
    "défendeur",
    "immeuble",
    "immatriculé",
    "litige",
    "expertise",
    "audience",
    "société",
    "bail",
    "expulsion",
    "indemnité",
    "préjudice",
    "contrat",
    "vente",
    "partage",
    "pension",
    "garde",
    "divorce",
    "succession",
    "avocat",
    "témoin",
    "procès-verbal",
    "notification",
    "exécution",
    "paiement",
    "créance",
    "intérêts",
]
FIRST = ["محمد", "أحمد", "إبراهيم", "فاطمة", "آمنة", "يوسف", "خديجة", "عمر", "سلمى"]
LAST = ["الفاسي", "العلوي", "بناني", "التازي", "الإدريسي", "المراكشي", "الرباطي"]
LATIN = {
    "محمد": "Mohammed", "أحمد": "Ahmed", "إبراهيم": "Brahim", "فاطمة": "Fatima",
    "آمنة": "Amina", "يوسف": "Youssef", "خديجة": "Khadija", "عمر": "Omar",
    "سلمى": "Salma", "الفاسي": "El Fassi", "العلوي": "Alaoui", "بناني": "Bennani",
    "التازي": "Tazi", "الإدريسي": "Idrissi", "المراكشي": "Marrakchi",
    "الرباطي": "Ribati",
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def synthetic_cases(rng: random.Random) -> list[Any]:
    from chalicelib.models import CaseModel, PartyMap

    start = datetime(2020, 1, 1, tzinfo=UTC)
    cases = []
    for number in range(1, CASES + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        words = rng.sample(AR_WORDS, 4) if number % 2 else rng.sample(FR_WORDS, 4)
        party = PartyMap(role="plaintiff", kind="natural", name=f"{first} {last}",
                         name_latin=f"{LATIN[first]} {LATIN[last]}")  # fmt: skip
        party.lawyers = [] if number % 3 else [_counsel(number % 50)]
        party.national_id_digest = f"digest-{number % 5000}"
        registered = start + timedelta(minutes=number * 7)
        cases.append(
            CaseModel(
                case_id=f"case-{number:06d}",
                court_code=COURTS[number % len(COURTS)],
                case_type_code=TYPES[number % len(TYPES)],
                serial=number,
                year=registered.year,
                subject=" ".join(words),
                status=STATUSES[number % len(STATUSES)],
                parties=[party],
                registered_at=registered,
                registered_by="bench",
                version=1,
            )
        )
    return cases


def _counsel(roll: int) -> Any:
    from chalicelib.models import CounselMap

    return CounselMap(bar="Rabat", roll_number=str(1000 + roll))


def synthetic_pages(rng: random.Random, cases: list[Any]) -> list[dict[str, Any]]:
    from chalicelib.models import DocumentModel
    from chalicelib.search.indexing import page_actions

    actions: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    documents = PAGES // 4
    for number in range(documents):
        case = cases[(number * 37) % len(cases)]
        arabic = number % 2 == 0
        words = AR_WORDS if arabic else FR_WORDS
        pages = [
            {"number": p, "text": " ".join(rng.choices(words, k=120))}
            for p in range(1, 5)
        ]
        document = DocumentModel(
            case_id=case.case_id, document_id=f"doc-{number:06d}", status="SIGNED",
            filename=f"piece-{number}.pdf", updated_at=now,
            language="ara" if arabic else "fra",
        )  # fmt: skip
        actions.extend(page_actions(case, document, pages))
    return actions


def timed(function: Any, *arguments: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def workloads(cases: list[Any]) -> tuple[list[Any], list[Any]]:
    """(baseline calls, service calls): each a zero-argument callable."""
    from chalicelib.identity import Caller, Scope
    from chalicelib.search import service
    from chalicelib.search.client import search_client
    from chalicelib.search.indices import CASES as CASES_INDEX
    from chalicelib.search.query import parse_query

    client = search_client()
    by_id = {case.case_id: case for case in cases}

    def load(ids: Any) -> dict[str, Any]:
        return {i: by_id[i] for i in ids if i in by_id}

    callers = [
        Caller("admin", "ADMIN", "id"),
        Caller("judge", "JUDGE", "id", scope=Scope(courts=("TPI-RABAT", "TPI-SALE"))),
        Caller("clerk", "CLERK", "id", scope=Scope(courts=("TC-CASABLANCA",))),
        Caller("lawyer", "LAWYER", "id", scope=Scope(bar="Rabat", roll_number="1007")),
        Caller("citizen", "CITIZEN", "id", scope=Scope(national_id_digest="digest-42")),
    ]
    rng = random.Random(SEED + 1)
    texts = (
        [" ".join(rng.sample(AR_WORDS, 2)) for _ in range(40)]
        + [" ".join(rng.sample(FR_WORDS, 2)) for _ in range(40)]
        + [LATIN[rng.choice(FIRST)] for _ in range(10)]
        + [f"{rng.randint(1, CASES)}/{rng.choice(TYPES)}/2021" for _ in range(10)]
    )
    service_calls = []
    for text in texts:
        query = parse_query({"q": text, "size": "20"})
        caller = rng.choice(callers)
        service_calls.append(
            lambda q=query, c=caller: service.search(c, q, client, load)
        )
    baseline_calls = []
    for _ in range(100):
        number = f"{rng.randint(1, CASES)}/{rng.choice(TYPES)}/2021"
        body = {"query": {"term": {"file_number": number}}, "size": 20}
        baseline_calls.append(
            lambda b=body: client.search(index=CASES_INDEX.alias, body=b)
        )
    return baseline_calls, service_calls


def latencies(calls: list[Any], count: int) -> list[float]:
    for index in range(WARM_UP_QUERIES):  # the node's JIT warms up first
        calls[index % len(calls)]()
    return [timed(calls[i % len(calls)])[1] for i in range(count)]


def sustained_qps(calls: list[Any], seconds: float, threads: int) -> float:
    done = [0] * threads
    deadline = time.monotonic() + seconds

    def worker(slot: int) -> None:
        index = slot
        while time.monotonic() < deadline:
            calls[index % len(calls)]()
            index += threads
            done[slot] += 1

    pool = [threading.Thread(target=worker, args=(s,)) for s in range(threads)]
    started = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def main() -> None:
    from chalicelib.search.client import search_client
    from chalicelib.search.indexing import case_action
    from chalicelib.search.indices import CASES as CASES_INDEX
    from chalicelib.search.indices import PAGES as PAGES_INDEX
    from chalicelib.search.indices import bulk_write, ensure_indices
    from devstack.opensearch import running_node

    home = Path(tempfile.mkdtemp(prefix="justicia-bench-search-"))
    port = free_port()
    os.environ["JUSTICIA_SEARCH_URL"] = f"http://127.0.0.1:{port}"
    from chalicelib.config import get_settings

    get_settings.cache_clear()
    with running_node(home, port, free_port()):
        client = search_client()
        ensure_indices(client)
        client.indices.put_settings(
            index=f"{CASES_INDEX.alias},{PAGES_INDEX.alias}",
            body={"index": {"refresh_interval": "-1"}},
        )
        rng = random.Random(SEED)
        cases = synthetic_cases(rng)
        page_list = synthetic_pages(rng, cases)
        indexed_cases, case_seconds = timed(
            bulk_write, client, (case_action(c) for c in cases)
        )
        indexed_pages, page_seconds = timed(bulk_write, client, page_list)
        client.indices.put_settings(
            index=f"{CASES_INDEX.alias},{PAGES_INDEX.alias}",
            body={"index": {"refresh_interval": "1s"}},
        )
        client.indices.refresh(index=f"{CASES_INDEX.alias},{PAGES_INDEX.alias}")
        client.indices.forcemerge(
            index=f"{CASES_INDEX.alias},{PAGES_INDEX.alias}", max_num_segments=1
        )
        baseline, searches = workloads(cases)
        base_lat = latencies(baseline, LATENCY_QUERIES)
        service_lat = latencies(searches, LATENCY_QUERIES)
        base_qps = sustained_qps(baseline, SUSTAINED_SECONDS, CLIENT_THREADS)
        service_qps = sustained_qps(searches, SUSTAINED_SECONDS, CLIENT_THREADS)
    report(
        {
            "cases_indexed": indexed_cases,
            "pages_indexed": indexed_pages,
            "cases_per_second": round(indexed_cases / case_seconds),
            "pages_per_second": round(indexed_pages / page_seconds),
            "baseline_p50_ms": round(statistics.median(base_lat) * 1000, 2),
            "baseline_p95_ms": round(percentile(base_lat, 0.95) * 1000, 2),
            "service_p50_ms": round(statistics.median(service_lat) * 1000, 2),
            "service_p95_ms": round(percentile(service_lat, 0.95) * 1000, 2),
            "baseline_qps": round(base_qps, 1),
            "service_qps": round(service_qps, 1),
            "client_threads": CLIENT_THREADS,
        }
    )


def report(figures: dict[str, Any]) -> None:
    figures["p50_ratio"] = round(
        figures["service_p50_ms"] / figures["baseline_p50_ms"], 2
    )
    figures["p95_ratio"] = round(
        figures["service_p95_ms"] / figures["baseline_p95_ms"], 2
    )
    figures["qps_ratio"] = round(figures["service_qps"] / figures["baseline_qps"], 2)
    for name, value in figures.items():
        print(f"{name:<22} {value}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "search_load.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
