"""Seconds per page of reading a scan, with and without its text layer.

Run on demand: ``python benchmarks/text_layer_speed.py [scan.pdf]`` (default:
``shared/samples/court_bundle_3p.pdf``). In the same run, ``ROUNDS`` times
(default 2, best kept):

* ``read``: the pipeline's reading, ``chalicelib.ocr.read_document`` with
  Tesseract, as the OCR function does before any text layer;
* ``words``: the layer laid from the words of that reading
  (``text_layer.lay_words``, what the pipeline does);
* ``ocrmypdf``: the layer made by OCRmyPDF reading the pages again with the
  document's languages (the fallback, and ``JUSTICIA_TEXT_LAYER_METHOD``
  ``ocrmypdf``).

The ratios ``(read + layer) / read`` are the figures to watch. Writes
``benchmarks/results/text_layer.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROUNDS = int(os.environ.get("TEXT_LAYER_ROUNDS", "2"))


def timed_read(path: Path) -> tuple[float, list[Any]]:
    """Seconds to read ``path``, and its pages read."""
    from chalicelib.ocr import TesseractEngine, read_document

    started = time.perf_counter()
    pages = read_document(path, "application/pdf", TesseractEngine())
    return time.perf_counter() - started, pages


def timed_words(path: Path, pages: list[Any]) -> float:
    """Seconds to lay the words of ``pages`` over ``path``."""
    from chalicelib import text_layer

    words = {page.number: page.words for page in pages}
    with tempfile.TemporaryDirectory(prefix="justicia-words-bench-") as workdir:
        started = time.perf_counter()
        outcome = text_layer.lay_words(path, Path(workdir) / "out.pdf", words)
        elapsed = time.perf_counter() - started
    if outcome.status != "ADDED":
        raise SystemExit(f"no text layer: {outcome.code}")
    return elapsed


def timed_layer(path: Path, pages: int, languages: str) -> float:
    """Seconds to lay the text layer over ``path`` (no budget in the way)."""
    from chalicelib import text_layer

    budget = text_layer.Budget(seconds_per_page=600, max_seconds=600 * pages)
    with tempfile.TemporaryDirectory(prefix="justicia-layer-bench-") as workdir:
        started = time.perf_counter()
        outcome = text_layer.add_text_layer(
            path,
            Path(workdir) / "out.pdf",
            pages_to_read=pages,
            languages=text_layer.tesseract_languages(languages),
            budget=budget,
        )
        elapsed = time.perf_counter() - started
    if outcome.status != "ADDED":
        raise SystemExit(f"no text layer: {outcome.code}")
    return elapsed


def main() -> None:
    """Measure both ways, print and save the figures."""
    from tests.samples import SAMPLES_DIR

    default = SAMPLES_DIR / "court_bundle_3p.pdf"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    reads, words, again = [], [], []
    pages: list[Any] = []
    for _ in range(ROUNDS):
        seconds, pages = timed_read(path)
        reads.append(seconds)
        words.append(timed_words(path, pages))
        languages = "+".join(sorted({page.language for page in pages} - {""}))
        again.append(timed_layer(path, len(pages), languages))
    count = len(pages)
    read = min(reads) / count
    laid, ocrmypdf = min(words) / count, min(again) / count
    figures = {
        "scan": path.name,
        "pages": count,
        "rounds": ROUNDS,
        "seconds_per_page": {
            "read": round(read, 3),
            "words_layer": round(laid, 3),
            "ocrmypdf_layer": round(ocrmypdf, 3),
        },
        "ratio_read_and_words_layer": round((read + laid) / read, 3),
        "ratio_read_and_ocrmypdf_layer": round((read + ocrmypdf) / read, 3),
    }
    print(json.dumps(figures, indent=2))
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "text_layer.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
