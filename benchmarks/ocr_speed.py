"""Speed, accuracy and memory of the OCR engine on the printed samples.

Run on demand: ``python benchmarks/ocr_speed.py``. Reads each printed sample
once, one after the other (Tesseract limited to one thread), and reports the
seconds per page by detected language, the peak resident memory of the reading
(this process plus its Tesseract children), and, against a baseline measured
in the same run (plain ``tesseract`` with the page's language and default
settings, on the same single-image samples), the time ratio and the character
error rates of both. Writes ``benchmarks/results/ocr_speed.json``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chalicelib.ocr import TesseractEngine, read_document  # noqa: E402
from tests.samples import PRINTED as TRUTHS  # noqa: E402
from tests.samples import cer, truth_of  # noqa: E402

SAMPLES = Path(
    os.environ.get("JUSTICIA_SAMPLES_DIR", str(ROOT.parent / "shared" / "samples"))
)
PRINTED = (
    "ar_judgment_commercial_sans_mild.jpg",
    "ar_kraken_fiqh_printed_p20.png",
    "ar_ocrgs_buldan_line_a_000000.png",
    "ar_ocrgs_jahiz_hayawan_line_000000.png",
    "ar_ocrgs_yacqubi_tarikh_line_000000.png",
    "court_bundle_3p.pdf",
    "es_fondue_pardo_bazan_p12.jpg",
    "es_fondue_prensa_argentina1816_p10.jpg",
    "fr_argus_brevets1910_p15.jpg",
    "fr_loi_43-20_mild.jpg",
    "fr_tapus_an96ap_journal_p0002.jpg",
    "fr_tapus_bnf_rapport1984_p8.jpg",
    "fr_tapus_letter_delatre_typed.jpg",
)
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}
RESULTS = ROOT / "benchmarks" / "results" / "ocr_speed.json"


def peak_rss_mb() -> tuple[float, float]:
    """Peak RSS in MB of this process and of its largest finished child.

    A child's figure is at least this process's RSS at fork time (Linux counts
    the pages shared before exec), so it bounds Tesseract's peak from above.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return round(own, 1), round(children, 1)


def measure(name: str, engine: TesseractEngine) -> dict[str, object]:
    """Read one sample; its pages, languages and wall-clock seconds."""
    path = SAMPLES / name
    started = time.perf_counter()
    pages = read_document(path.read_bytes(), CONTENT_TYPES[path.suffix], engine)
    seconds = time.perf_counter() - started
    row: dict[str, object] = {
        "sample": name,
        "pages": len(pages),
        "languages": [page.language for page in pages],
        "seconds": round(seconds, 2),
        "seconds_per_page": round(seconds / len(pages), 2),
    }
    if name in TRUTHS:
        text = "\f".join(page.text for page in pages)
        row["cer"] = round(cer(text, truth_of(name)), 4)
        row["readme_baseline_cer"] = TRUTHS[name][1]
    if path.suffix != ".pdf" and name in TRUTHS:
        row.update(plain_tesseract(path, TRUTHS[name][0][0], name))
        row["time_ratio"] = round(seconds / float(str(row["plain_seconds"])), 2)
    return row


def plain_tesseract(path: Path, language: str, name: str) -> dict[str, object]:
    """The baseline: plain ``tesseract`` with the known language, timed here."""
    options = ["--psm", "7"] if "_line_" in name else []
    started = time.perf_counter()
    text = subprocess.run(
        ["tesseract", str(path), "-", "-l", language, *options],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds = time.perf_counter() - started
    return {
        "plain_seconds": round(seconds, 2),
        "plain_cer": round(cer(text, truth_of(name)), 4),
    }


def per_language(rows: list[dict[str, object]]) -> dict[str, float]:
    """Mean seconds per page by language, single text lines apart.

    A multi-page sample counts its mean seconds per page for each page.
    """
    totals: dict[str, list[float]] = {}
    for row in rows:
        languages = row["languages"]
        assert isinstance(languages, list)
        share = float(str(row["seconds_per_page"]))
        suffix = " (line)" if "_line_" in str(row["sample"]) else ""
        for language in languages:
            totals.setdefault(f"{language or '?'}{suffix}", []).append(share)
    return {lang: round(sum(v) / len(v), 2) for lang, v in sorted(totals.items())}


def main() -> None:
    """Run the benchmark, print a table and write the JSON results."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engine = TesseractEngine()
    rows = [measure(name, engine) for name in PRINTED if (SAMPLES / name).exists()]
    own, children = peak_rss_mb()
    print(
        f"{'sample':42} {'pages':>5} {'s/page':>7} {'x plain':>8} "
        f"{'CER':>7} {'plain':>7}  languages"
    )
    for row in rows:
        languages = ",".join(str(x) for x in row["languages"])  # type: ignore[attr-defined]
        print(
            f"{row['sample']!s:42} {row['pages']!s:>5} {row['seconds_per_page']!s:>7} "
            f"{row.get('time_ratio', '-')!s:>8} {row.get('cer', '-')!s:>7} "
            f"{row.get('plain_cer', '-')!s:>7}  {languages}"
        )
    by_language = per_language(rows)
    print("seconds per page by language:", by_language)
    print(f"peak RSS: python {own} MB, largest tesseract child {children} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "omp_thread_limit": os.environ["OMP_THREAD_LIMIT"],
        "samples": rows,
        "seconds_per_page_by_language": by_language,
        "peak_rss_mb": {"python": own, "tesseract_child": children},
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
