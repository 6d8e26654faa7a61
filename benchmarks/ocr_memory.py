"""Peak memory of reading a large scanned PDF: the whole file in memory vs by path.

Run on demand: ``python benchmarks/ocr_memory.py``. A scanned PDF of
``OCR_MEMORY_PAGES`` pages (default 40) is made from noisy 300 dpi grayscale
pages saved as JPEG (the shape of a court scanner's output, about 2 MB a
page), then ``chalicelib.ocr.read_document`` reads it in a fresh interpreter
twice:

* ``bytes``: the file read whole and handed over as bytes, as the pipeline
  did before (``path.read_bytes()``);
* ``path``: the file handed over by path, as the pipeline does now.

Each page is rendered at 300 dpi as in production; the OCR engine is a
stand-in that only opens the rendered page, so that the figure is this
process's own memory (Tesseract runs as a child process with its own, about
the same for both ways). Reports the peak resident set size (VmHWM) of each run (the
interpreter with its imports included) and writes
``benchmarks/results/ocr_memory.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = int(os.environ.get("OCR_MEMORY_PAGES", "40"))
A4_300_DPI = (2480, 3508)
READER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from chalicelib.ocr import PageReading, TesseractEngine, read_document

class OpensPages(TesseractEngine):
    def read_image(self, image_path, number, layout=None):
        from PIL import Image
        with Image.open(image_path) as page:
            page.load()
        return PageReading(number, "", "", 0.0, "none", True)

path = Path({path!r})
source = path.read_bytes() if {mode!r} == "bytes" else path
pages = read_document(source, "application/pdf", OpensPages())
assert len(pages) == {pages}
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent.
status = Path("/proc/self/status").read_text().splitlines()
print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def scanned_pdf(path: Path) -> None:
    """Write a PDF of ``PAGES`` noisy A4 pages (JPEG, 300 dpi), page by page."""
    from PIL import Image

    noise = Image.effect_noise(A4_300_DPI, 64).point(lambda v: 255 - v // 4)
    pages = (noise.rotate(index % 4) for index in range(PAGES))
    first = next(pages)
    first.save(
        path,
        format="PDF",
        save_all=True,
        append_images=pages,
        resolution=300,
        quality=85,
    )


def peak_rss_mb(path: Path, mode: str) -> float:
    """Peak RSS (MB) of a fresh interpreter reading ``path`` in ``mode``."""
    code = READER.format(root=str(ROOT), path=str(path), mode=mode, pages=PAGES)
    output = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AWS_EC2_METADATA_DISABLED": "true"},
    ).stdout
    return int(output.strip().splitlines()[-1]) / 1024


def main() -> None:
    """Make the PDF, measure both ways, print and save the figures."""
    with tempfile.TemporaryDirectory(prefix="justicia-memory-") as workdir:
        path = Path(workdir) / "bundle.pdf"
        scanned_pdf(path)
        size_mb = path.stat().st_size / 1024 / 1024
        figures = {
            "pages": PAGES,
            "file_mb": size_mb,
            "peak_rss_mb": {m: peak_rss_mb(path, m) for m in ("bytes", "path")},
        }
    rss = figures["peak_rss_mb"]
    print(f"{PAGES}-page scan, {size_mb:.0f} MB")
    for mode, megabytes in rss.items():  # type: ignore[attr-defined]
        print(f"  {mode:<6} peak RSS {megabytes:7.0f} MB")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "ocr_memory.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
