"""The real sample scans of ``shared/samples``, their truth and baselines.

CER is computed as the samples README defines it: Unicode NFC, whitespace
folded to single spaces, Levenshtein distance divided by the length of the
truth. ``baseline_cer`` is plain Tesseract's, which the pipeline must not
exceed on printed and typewritten pages.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

SAMPLES_DIR = Path(
    os.environ.get(
        "JUSTICIA_SAMPLES_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "samples",
    )
)

CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}

# name -> (language of each page, baseline CER of plain Tesseract from the README)
PRINTED: dict[str, tuple[tuple[str, ...], float]] = {
    "ar_judgment_commercial_sans_mild.jpg": (("ara",), 0.143),
    "ar_ocrgs_buldan_line_a_000000.png": (("ara",), 0.077),
    "ar_ocrgs_jahiz_hayawan_line_000000.png": (("ara",), 0.237),
    "ar_ocrgs_yacqubi_tarikh_line_000000.png": (("ara",), 0.033),
    "court_bundle_3p.pdf": (("ara", "fra", "spa"), 0.067),
    "es_fondue_pardo_bazan_p12.jpg": (("spa",), 0.029),
    "es_fondue_prensa_argentina1816_p10.jpg": (("spa",), 0.115),
    "fr_argus_brevets1910_p15.jpg": (("fra",), 0.390),
    "fr_loi_43-20_mild.jpg": (("fra",), 0.011),
    "fr_tapus_an96ap_journal_p0002.jpg": (("fra",), 0.044),
    "fr_tapus_bnf_rapport1984_p8.jpg": (("fra",), 0.013),
    "fr_tapus_letter_delatre_typed.jpg": (("fra",), 0.061),
}
HANDWRITTEN = "fr_timeus_cph_paris_1858_p10.jpg"
GAZETTE = "ar_eg_official_gazette_2022_law8.pdf"


def normalize(text: str) -> str:
    """NFC, whitespace folded to single spaces, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(hypothesis: str, truth: str) -> float:
    """Character error rate of ``hypothesis`` against ``truth``."""
    reference = normalize(truth)
    return Levenshtein.distance(normalize(hypothesis), reference) / len(reference)


def truth_of(name: str) -> str:
    """The ground-truth text of a sample (pages separated by form feeds)."""
    return (SAMPLES_DIR / name).with_suffix(".gt.txt").read_text(encoding="utf-8")


def content_type_of(name: str) -> str:
    """The MIME type a sample is announced with."""
    return CONTENT_TYPES[(SAMPLES_DIR / name).suffix]


def wrapped_lines(
    font: Any, words: list[str], count: int, width: int, direction: str
) -> list[str]:
    """``count`` lines of ``words`` in ``font``, each as full as ``width`` allows.

    The words start again from the first when used up; ``direction`` is
    Pillow's (``"rtl"`` for Arabic), for drawing pages whose text is known.
    """
    lines: list[str] = []
    position = 0
    for _ in range(count):
        line = [words[position % len(words)]]
        position += 1
        while True:
            word = words[position % len(words)]
            if font.getlength(" ".join([*line, word]), direction=direction) > width:
                break
            line.append(word)
            position += 1
        lines.append(" ".join(line))
    return lines
