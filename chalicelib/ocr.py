"""OCR engine: turn scanned court documents into text, page by page.

Every page goes through the cheapest reading that works:

* a PDF page that already carries a text layer is extracted, never OCR'd;
* otherwise the page image is read by Tesseract (``TesseractEngine``), or by
  Amazon Textract for Latin-script pages when a primary engine is given (the
  synchronous ``TextractEngine`` for single images, or the stored result of
  an asynchronous job, ``textract_jobs.JobReadings``, for PDFs and TIFFs);
  Arabic pages always go to Tesseract, and Tesseract takes over whenever
  Textract throttles, fails, refuses a page or finds no confident text on it.

Tesseract reading strategy (each choice was measured on ``shared/samples``):

1. a page is rendered as a reader shows it (PDFium applies its ``/Rotate``),
   and turned upright first when Tesseract's orientation detection finds it
   sideways or upside down with confidence ``MIN_ORIENTATION_CONFIDENCE``
   (``PageReading.turned`` says by how much; such a page's words are not laid
   as a text layer, OCRmyPDF reads it again). The script (Arabic or Latin)
   comes from the same orientation and script detection (``--psm 0``). When
   OSD has too little text (single lines) or answers with low confidence,
   the image is read as French; unless that reading is confident and full of
   function words it is also read as Arabic, and a clear confidence gap,
   else the function words, pick the script;
2. a short, wide image is a single text line (``--psm 7``), anything else is a
   page (``--psm 3``);
3. a page is first read at about 150 dpi (the probe; an Arabic page at about
   100 dpi, ``ARABIC_PROBE_LONG_SIDE``, unless the rows' ink shows small
   type): in Arabic, or in French for Latin script; Spanish stopwords
   outnumbering French ones make it Spanish. Its median text-line height
   then sets the scale of the real reading (lines of about 30 px read best;
   scans are never enlarged), and the probe is kept when it already has the
   right scale and language, or when the page is dense and its type
   readable at the probe's scale (``DENSE_PAGE_WORDS``: a second pass there
   doubles the slowest pages; Arabic type needs taller lines to be
   readable);
4. each reading is one ``image_to_data`` pass that gives the words and their
   confidences; the text is rebuilt from its block/paragraph/line numbers
   (the same CER as ``image_to_string`` on every sample);
5. directional marks Tesseract writes around Arabic words (never ink on the
   page) are dropped, brackets it returned mirrored on an Arabic line, a
   closing one before any opening one, are turned the right way round, and a
   closing guillemet that closes nothing on an Arabic line is the Arabic
   comma ``ara`` misreads (two sample lines: 0.062 -> 0.046, 0.033 -> 0.016);
6. a single Arabic line is read with the Arabic-script model beside ``ara``
   when it is installed (on the three sample lines: 0.077 -> 0.062,
   0.237 -> 0.203, 0.033 unchanged; on full pages it does worse, so pages
   keep ``ara`` alone), and all Arabic with ``ara_num`` beside: our model
   of the numbers in Arabic text (``ara`` knows only two Arabic-Indic
   digits, ٠ and ١), trained by ``layers/tesseract/numbers/train.sh``; Tesseract keeps,
   word by word, the surer reading, and a date mark it gives before its
   number is put back after it (the judgment page: 0.114 -> 0.067, then
   0.032 with the smaller Arabic probe). The model sometimes wins a word of
   letters, so a number of no well-formed shape is read again by ``ara``
   alone on its own crop, which replaces it when clearly surer;
7. a page whose mean word confidence is below ``low_confidence_threshold``
   (handwriting, photos of unreadable pages) is flagged for a human.

Heavy libraries (pytesseract, Pillow, pypdfium2) are imported inside the
functions that need them, so importing this module costs nothing. Document
text is never logged.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import shlex
import shutil
import stat
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from chalicelib.text_layer import DIRECTIONAL_MARKS

Source = bytes | Path
PageItem = tuple[int, str | None, str | None]

logger = logging.getLogger(__name__)

CONTENT_TYPES = ("application/pdf", "image/tiff", "image/png", "image/jpeg")
RENDER_DPI = 300
# Mean word confidence below which a page is a guess, not a reading. Measured on
# the samples: printed/typewritten pages and lines 66-95 (lowest: an Arabic
# book line 66.3, the fiqh page 69.4), the handwritten register 23.7.
DEFAULT_LOW_CONFIDENCE = 45.0
# A text layer with fewer visible characters than this is not a real one
# (blank pages, page numbers stamped on a scan).
MIN_TEXT_LAYER_CHARS = 20
# A single text line: at most this tall (pixels) and at least this wide
# relative to its height.
LINE_MAX_HEIGHT = 250
LINE_MIN_ASPECT = 6.0
# Below this OSD script confidence the detected script is not trusted.
MIN_SCRIPT_CONFIDENCE = 1.0
# Below this OSD orientation confidence a page is read as it comes, not turned.
# Measured at probe scale on every sample page turned 0/90/180/270: printed
# upright pages always answered rotate 0, but the handwritten register,
# upright, answered 180 at 7.2 (and, upside down, 0 at 6.4; the small Spanish
# book page on its side 180 at 1.8). Right answers for turned printed pages
# were 10.0-28.3, except the fiqh page on its side (8.2, 8.8) and the small
# Spanish page (< 2), which stay as they come.
MIN_ORIENTATION_CONFIDENCE = 10.0
# A page OSD left as it lies, read under TURN_SUSPECT_CONFIDENCE, is read
# turned too when it is small (long side at most OSD_UNSURE_LONG_SIDE px),
# where OSD was unsure on the samples: the Spanish book page (1017 px) and
# the fiqh page (2001 px) on their sides. Upright sample pages read at 70-95
# confidence; larger pages (the handwritten register, 4608 px, read at 24)
# are not tried. See _turns_to_try and _surest_side.
TURN_SUSPECT_CONFIDENCE = 60.0
OSD_UNSURE_LONG_SIDE = 2400
# A resolution under this (dpi) is no resolution (see _PageImage).
MIN_CREDIBLE_DPI = 50
# Tesseract reads best when a text line is about this tall (pixels); measured
# on the samples, 300-400 dpi scans of body text gain from being scaled down.
TARGET_LINE_HEIGHT = 30.0
# The first pass (script, language, line height) reads the page at most this
# long (pixels), about 150 dpi for A4.
PROBE_LONG_SIDE = 1700
# An Arabic page's probe only measures its lines (the language is known), so
# it is smaller: the Arabic pages then read in 1.6-1.9 s instead of 2.6-3.4,
# and the judgment at 0.032 CER instead of 0.068 (the bundle's Arabic page,
# the same text rendered from a PDF: 0.071 instead of 0.051).
ARABIC_PROBE_LONG_SIDE = 1100
# Unless its type is small: an Arabic page whose text lines, at that size,
# follow each other every fewer than ARABIC_MIN_LINE_PITCH px (measured on
# the rows' ink, before any reading) is probed at PROBE_LONG_SIDE. Drawn A4
# pages of 10-11 pt text have a pitch of 20-22 px there (lines of 17-19 px,
# too small to read Arabic: CER 0.16 and 0.20), the judgment 33.
ARABIC_MIN_LINE_PITCH = 26
MAX_LINE_PITCH = 80
# A page this small (long side in pixels; under about 170 dpi for A4) is read
# as it is: scaled down, a low-resolution scan loses strokes (measured: the
# typewritten journal page, 1564 x 2000, 0.039 CER scaled to 30 px lines,
# 0.028 as it is).
SMALL_PAGE_LONG_SIDE = 2000
# A page of small, dense type (DENSE_PAGE_WORDS words or more at the probe)
# is read once, at the probe's scale, when its lines there are at least
# DENSE_MIN_LINE_HEIGHT px: Tesseract's time goes with the words, so a second
# pass would double the cost of the pages that cost most (the two-column
# patent bulletin: 671 words, 2.3 s a pass), and such type reads as well at
# 18 px as at 30 (that page: CER 0.027 at the probe, 0.079 read again).
DENSE_PAGE_WORDS = 450
DENSE_MIN_LINE_HEIGHT = 16.0
# Arabic needs more pixels a line (dots and marks above and below): a dense
# Arabic page whose probe lines are shorter (small type whose pitch could not
# be measured, see ARABIC_MIN_LINE_PITCH) is read again at about 30 px. The
# drawn pages of benchmarks/arabic_dense.py probed at 1100 px: 17-19 px
# lines, CER 0.16 and 0.20 kept there, 0.10 and 0.18 read again.
ARABIC_DENSE_MIN_LINE_HEIGHT = 24.0
TEXTRACT_MAX_BYTES = 10 * 1024 * 1024
# The Arabic-script model (Debian's tesseract-ocr-script-arab), read beside
# ``ara`` on single Arabic lines.
ARABIC_SCRIPT_MODEL = "Arabic"
# Our model of the numbers in Arabic text (layers/tesseract/numbers/train.sh),
# read beside ``ara``: Tesseract keeps, word by word, the surer reading.
NUMBERS_MODEL = "ara_num"
NUMBERS_MODEL_FILE = Path(__file__).parent / "data" / f"{NUMBERS_MODEL}.traineddata"
_MIRRORED = str.maketrans("()[]", ")(][")
_DATE = r"[٠-٩0-9]{1,4}/[٠-٩0-9]{1,2}/[٠-٩0-9]{1,4}"
_MARK_FIRST = re.compile(rf"^(ـ?[هم]ـ?)({_DATE})$")
_DIGIT = re.compile(r"[0-9٠-٩۰-۹]")
_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")
# A number shaped as an amount (thousands, decimals), a whole date or a file
# number (n/nnnn/yyyy) is never read from letters: it has no second opinion.
_WELL_FORMED = re.compile(
    r"^[(]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2}"
    rf"|{_DATE}[هـم]*|\d{{1,6}}/\d{{3,4}}/\d{{4}})[)]?$"
)
# A page with lines in the other script (an Arabic page with a French
# paragraph, a French letter with an Arabic heading) is read again with both
# scripts' models when MIXED_MIN_LINES of its lines look foreign: read by
# ``ara``, a Latin line has more words of Latin letters or of long digit
# runs than Arabic words (amounts and dates are neither); read by
# ``fra``/``spa``, an Arabic line averages under FOREIGN_LINE_CONFIDENCE. No
# sample page has two such lines but the handwritten register, a
# low-confidence page (not read again).
MIXED_MIN_LINES = 2
FOREIGN_LINE_CONFIDENCE = 40.0
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_DIGIT_RUN = re.compile(r"[0-9]{5,}")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
# Words read as numbers that ara alone reads again, at most, on one page, and
# how much surer (mean word confidence) its reading must be to replace one.
MAX_SECOND_OPINIONS = 16
SECOND_OPINION_MARGIN = 10.0
# A PDF is closed and reopened after this many pages, to free PDFium's caches
# (measured: about 4 MB more per scanned page while the document stays open).
PDF_PAGES_PER_OPENING = 8

_SCRIPT_LANGUAGE = {"Arabic": "ara", "Latin": "fra"}
_FRENCH_WORDS = frozenset(
    [
        "le",
        "les",
        "des",
        "du",
        "et",
        "est",
        "une",
        "dans",
        "qui",
        "pour",
        "au",
        "aux",
        "sur",
        "ce",
        "cette",
        "il",
        "ils",
        "ne",
        "pas",
        "ou",
        "avec",
        "par",
        "à",
        "été",
        "sont",
        "leur",
        "nous",
        "vous",
    ]
)
_SPANISH_WORDS = frozenset(
    [
        "el",
        "los",
        "las",
        "del",
        "y",
        "con",
        "una",
        "por",
        "para",
        "como",
        "su",
        "sus",
        "lo",
        "al",
        "es",
        "más",
        "pero",
        "fue",
        "este",
        "esta",
        "entre",
        "sin",
        "sobre",
        "cuando",
        "muy",
        "hasta",
        "desde",
    ]
)
_ARABIC_WORDS = frozenset(
    [
        "في",
        "من",
        "على",
        "إلى",
        "الى",
        "أن",
        "ان",
        "عن",
        "ما",
        "لا",
        "التي",
        "الذي",
        "هذا",
        "هذه",
        "أو",
        "او",
        "كان",
        "قد",
        "مع",
        "ذلك",
        "ثم",
        "بين",
        "كل",
    ]
)
# A Latin probe this confident and this rich in function words is accepted
# without also reading the page as Arabic.
SURE_LATIN_CONFIDENCE = 80.0
SURE_FUNCTION_WORDS = 0.1
# Between an Arabic and a Latin reading of the same image, a confidence gap
# this large settles the script (samples: 40-55 points for printed lines).
CLEAR_CONFIDENCE_GAP = 15.0
_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class PageReading:
    """What was read on one page, and how far it can be trusted.

    ``words`` (Tesseract and Textract readings) places each word on the page,
    for the searchable PDF's text layer (``chalicelib.text_layer``).
    """

    number: int
    text: str
    language: str
    confidence: float
    source: str
    low_confidence: bool
    words: tuple[Any, ...] = ()
    # Degrees (clockwise) the page image was turned before reading, when OSD
    # found it sideways or upside down: ``words`` are then fractions of the
    # turned image, not of the page as rendered, and cannot be laid on it.
    turned: int = 0


class OcrFailed(Exception):
    """The document cannot be read at all (corrupt, encrypted, unsupported)."""


class TextractUnavailable(Exception):
    """Textract did not read the page (throttled, failed or refused it)."""


class PrimaryEngine(Protocol):
    """What reads Latin pages before Tesseract: Textract, sync or async."""

    def read_image(self, image_path: str, number: int) -> PageReading:
        """Read page ``number``; raise ``TextractUnavailable`` to hand it over."""


class PageProgress(Protocol):
    """Pages already read in an earlier, interrupted attempt at a document."""

    def has(self, number: int) -> bool:
        """True when page ``number`` was read and kept."""

    def load(self, number: int) -> PageReading:
        """The reading kept for page ``number``."""

    def save(self, reading: PageReading) -> None:
        """Keep a page's reading, so a retry does not read it again."""


@dataclass(frozen=True)
class _Pass:
    """One Tesseract reading of an image in one language."""

    language: str
    text: str
    confidence: float
    words: int
    line_height: float
    boxes: tuple[Any, ...] = ()
    # Lines that look written in the other script (see _foreign_lines).
    foreign_lines: int = 0
    # Read with the numbers model, whose numbers are not yet checked: the
    # image read and Tesseract's words.
    unchecked: tuple[str, dict[str, list[Any]]] | None = None


# --------------------------------------------------------------------------
# Language helpers


def latin_language(text: str) -> str:
    """Return "spa" when Spanish stopwords outnumber French ones, else "fra"."""
    words = [w.lower() for w in _WORD_RE.findall(text)]
    french = sum(1 for w in words if w in _FRENCH_WORDS)
    spanish = sum(1 for w in words if w in _SPANISH_WORDS)
    return "spa" if spanish > french else "fra"


def function_word_ratio(text: str, language: str) -> float:
    """Share of the words of ``text`` that are function words of ``language``."""
    words = [w.lower() for w in _WORD_RE.findall(text) if len(w) > 1]
    if not words:
        return 0.0
    vocabulary = _ARABIC_WORDS if language == "ara" else _FRENCH_WORDS | _SPANISH_WORDS
    return sum(1 for w in words if w in vocabulary) / len(words)


def text_language(text: str) -> str:
    """Guess ara/fra/spa for a text: Arabic letters first, then stopwords."""
    arabic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        if "ARABIC" in unicodedata.name(char, ""):
            arabic += 1
        else:
            latin += 1
    if arabic == 0 and latin == 0:
        return ""
    return "ara" if arabic >= latin else latin_language(text)


# --------------------------------------------------------------------------
# Tesseract


def _rebuild_text(data: dict[str, list[Any]]) -> tuple[str, float, int]:
    """Rebuild the text of an ``image_to_data`` result; mean conf; word count."""
    lines: list[str] = []
    current: list[str] = []
    key: tuple[int, int, int] | None = None
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        word = (word or "").translate(DIRECTIONAL_MARKS).strip()
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        line_key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key is not None and line_key != key:
            lines.append(" ".join(current))
            if line_key[:2] != key[:2]:
                lines.append("")
            current = []
        key = line_key
        current.append(word)
        confidences.append(conf)
    if current:
        lines.append(" ".join(current))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n".join(lines), mean, len(confidences)


def _pass_of(
    language: str,
    data: dict[str, list[Any]],
    unchecked: tuple[str, dict[str, list[Any]]] | None = None,
) -> _Pass:
    """A reading from Tesseract's words (``image_to_data``).

    Its text (Arabic lines fixed), mean confidence, word count, line height
    and word boxes.
    """
    from chalicelib.text_layer import words_of

    text, confidence, words = _rebuild_text(data)
    if "ara" in language.split("+"):
        text = _arabic_text_fixes(text)
    height = _line_height(data)
    foreign = _foreign_lines(language, data)
    return _Pass(
        language, text, confidence, words, height, words_of(data), foreign, unchecked
    )


def _foreign_lines(language: str, data: dict[str, list[Any]]) -> int:
    """Lines of two words or more that look written in the other script.

    ``ara`` reads a Latin line as runs of Western digits and Latin letters;
    ``fra`` and ``spa`` read an Arabic line with little confidence.
    """
    lines: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
    for i, word in enumerate(data["text"]):
        word = (word or "").translate(DIRECTIONAL_MARKS).strip()
        if word and float(data["conf"][i]) >= 0:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append((word, float(data["conf"][i])))
    return sum(
        1 for line in lines.values() if len(line) >= 2 and _foreign(language, line)
    )


def _latin_reading(word: str) -> bool:
    """A word ``ara`` read from Latin letters: some of them, or a long digit run.

    ``ara`` gives a French word as Latin letters or as five digits or more
    in a row; an amount or a date (12,350.50, 2026/04/01) has separators.
    """
    if _ARABIC_LETTER.search(word):
        return False
    return bool(
        _LATIN_LETTER.search(word) or _DIGIT_RUN.fullmatch(word.strip(".,;:()[]"))
    )


def _foreign(language: str, line: list[tuple[str, float]]) -> bool:
    """Whether one line read in ``language`` looks written in the other script.

    Read by ``ara``: more words read from Latin letters than Arabic words.
    """
    if language == "ara":
        latin = sum(1 for word, _ in line if _latin_reading(word))
        arabic = sum(1 for word, _ in line if _ARABIC_LETTER.search(word))
        return latin > arabic
    return sum(conf for _, conf in line) / len(line) < FOREIGN_LINE_CONFIDENCE


def _pytesseract() -> Any:
    """Import pytesseract; keep Tesseract to one OpenMP thread unless told.

    Its OpenMP threads fight each other on small machines (4-5 s an A4 page
    instead of 1.1-1.7 s on two cores); parallelism comes from reading pages
    in separate processes instead.
    """
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    return pytesseract


def _config(psm: int, models: str) -> str:
    """Tesseract options of a pass: its page segmentation mode.

    With the numbers model among ``models``, also where it is found.
    """
    config = f"--psm {psm}"
    directory = _tessdata_dir() if NUMBERS_MODEL in models.split("+") else ""
    if directory:
        config += f" --tessdata-dir {shlex.quote(directory)}"
    return config


def _line_height(data: dict[str, list[Any]]) -> float:
    """Median height in pixels of the text lines Tesseract found (0 if none)."""
    heights = sorted(
        int(h)
        for level, h in zip(data["level"], data["height"], strict=True)
        if int(level) == 4
    )
    return float(heights[len(heights) // 2]) if heights else 0.0


def _is_single_line(width: int, height: int) -> bool:
    """A short, wide image is one text line (read with --psm 7)."""
    return height <= LINE_MAX_HEIGHT and width >= LINE_MIN_ASPECT * height


class _PageImage:
    """A grayscale page and the scaled copies of it written for Tesseract."""

    def __init__(self, image_path: str, workdir: str) -> None:
        from PIL import Image, ImageOps

        with Image.open(image_path) as original:
            self.gray = ImageOps.exif_transpose(original).convert("L")
            dpi = original.info.get("dpi")
        self.turned = 0
        # Unknown resolution stays unknown: Tesseract then estimates it from
        # the text, where a made-up 300 dpi misleads it (the typewritten
        # journal page, which carries none: 0.047 CER told 300, 0.028 not).
        # So does one under MIN_CREDIBLE_DPI: Pillow gives 1 dpi for a TIFF
        # without resolution tags, and told 1 Tesseract read nothing.
        resolution = float(dpi[0]) if dpi and dpi[0] else 0.0
        self.dpi = resolution if resolution >= MIN_CREDIBLE_DPI else None
        self.workdir = workdir
        self._paths: dict[float, str] = {}
        self._written = 0

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return self.gray.size

    def turn(self, degrees: int) -> None:
        """Turn the page ``degrees`` clockwise; the scaled copies are redone."""
        self.gray = self.gray.rotate(-degrees, expand=True)
        self.turned = (self.turned + degrees) % 360
        self._paths = {}

    def at_scale(self, scale: float) -> str:
        """Path of a PNG of the page scaled by ``scale`` (written once)."""
        from PIL import Image

        scale = round(scale, 3)
        if scale not in self._paths:
            image = self.gray
            if scale != 1.0:
                size = (
                    max(1, round(image.width * scale)),
                    max(1, round(image.height * scale)),
                )
                image = image.resize(size, Image.Resampling.LANCZOS)
            # Named once and never reused: a reading keeps the path of the
            # image it was read from, even after the page is turned.
            self._written += 1
            path = os.path.join(self.workdir, f"scaled-{self._written}.png")
            options: dict[str, Any] = {"compress_level": 1}  # speed over size
            if self.dpi:
                dpi = max(1, round(self.dpi * scale))
                options["dpi"] = (dpi, dpi)
            image.save(path, **options)
            self._paths[scale] = path
        return self._paths[scale]


class TesseractEngine:
    """Local Tesseract reading with script and language detection."""

    def __init__(
        self,
        languages: tuple[str, ...] = ("ara", "fra", "spa"),
        low_confidence_threshold: float = DEFAULT_LOW_CONFIDENCE,
    ) -> None:
        self.languages = languages
        self.low_confidence_threshold = low_confidence_threshold

    # -- public --------------------------------------------------------------

    def detect_layout(self, image_path: str) -> PageLayout:
        """The page's script and the turn that sets it upright, from one OSD.

        A single text line has neither (OSD needs more text).
        """
        with tempfile.TemporaryDirectory(prefix="justicia-osd-") as workdir:
            page = _PageImage(image_path, workdir)
            if _is_single_line(*page.size):
                return PageLayout()
            return _layout_of(self._osd_answer(page.at_scale(_probe_scale(page.size))))

    def read_image(
        self, image_path: str, number: int, layout: PageLayout | None = None
    ) -> PageReading:
        """Read one page image; ``layout`` skips detection when already known."""
        with tempfile.TemporaryDirectory(prefix="justicia-tess-") as workdir:
            page = _PageImage(image_path, workdir)
            if _is_single_line(*page.size):
                best = self._read_line(page.at_scale(1.0))
            else:
                best = self._read_page(page, layout)
            best = self._checked(best)
        return self._reading(best, number, page.turned)

    # -- internals -----------------------------------------------------------

    def _osd_answer(self, path: str) -> dict[str, Any]:
        """Tesseract's orientation and script detection; empty when it cannot."""
        pytesseract = _pytesseract()
        try:
            return dict(
                pytesseract.image_to_osd(
                    path, config="--psm 0", output_type=pytesseract.Output.DICT
                )
            )
        except pytesseract.TesseractError:
            return {}  # too few characters (small images, blank pages)

    def _pass(
        self, path: str, language: str, psm: int, models: str | None = None
    ) -> _Pass:
        """One image_to_data pass; the text rebuilt from its line numbers.

        ``models`` are the Tesseract models to read with, ``language`` alone
        unless told; Arabic is always read with the numbers model beside.
        """
        pytesseract = _pytesseract()
        if language not in self.languages:
            return _Pass(language, "", 0.0, 0, 0.0)
        models = models or language
        if "ara" in models.split("+"):
            models = _with_numbers(models)
        try:
            data = pytesseract.image_to_data(
                path,
                lang=models,
                config=_config(psm, models),
                output_type=pytesseract.Output.DICT,
            )
        except pytesseract.TesseractError as error:
            raise OcrFailed("unreadable image: Tesseract could not read it") from error
        for i, word in enumerate(data["text"]):
            if _DIGIT.search(word or ""):
                data["text"][i] = normalise_number(str(word))
        unchecked = (path, data) if NUMBERS_MODEL in models.split("+") else None
        return _pass_of(language, data, unchecked)

    def _checked(self, reading: _Pass) -> _Pass:
        """The reading kept, its numbers given a second opinion (see below)."""
        if reading.unchecked is None:
            return reading
        path, data = reading.unchecked
        if not _second_opinions(path, data):
            return replace(reading, unchecked=None)
        return _pass_of(reading.language, data)

    def _read_line(self, path: str) -> _Pass:
        """A single text line: OSD cannot tell its script, so read both."""
        latin = self._pass(path, "fra", 7)
        if not _sure_latin(latin):
            arabic = self._pass(path, "ara", 7, _arabic_line_models())
            return _more_plausible(arabic, latin)
        if latin_language(latin.text) == "spa":
            return self._pass(path, "spa", 7)
        return latin

    def _read_page(self, page: _PageImage, layout: PageLayout | None) -> _Pass:
        """Turn the page upright (OSD; its lines when OSD is unsure), then read it."""
        if layout is None:
            layout = _layout_of(
                self._osd_answer(page.at_scale(_probe_scale(page.size)))
            )
        if layout.turn:
            page.turn(layout.turn)
        reading = self._read_upright(page, layout.script)
        if (
            layout.turn
            or reading.confidence >= TURN_SUSPECT_CONFIDENCE
            or max(page.size) > OSD_UNSURE_LONG_SIDE
        ):
            return reading
        return self._surest_side(page, reading, _turns_to_try(page))

    def _surest_side(
        self, page: _PageImage, upright: _Pass, turns: tuple[int, ...]
    ) -> _Pass:
        """A page read poorly as it lies, probed turned; the surest turn read.

        OSD could not tell such a page's script either, so both are tried. A
        turn is taken when its probe is not low-confidence and Tesseract is
        CLEAR_CONFIDENCE_GAP points surer of it than of the page as it lies
        (or of an earlier turn), and kept when the page reads better so.
        """
        best, best_turn = upright.confidence, 0
        for turn in turns:
            page.turn((turn - page.turned) % 360)
            probe = self._probe(page.at_scale(_probe_scale(page.size)), None)
            sure = probe.confidence >= self.low_confidence_threshold
            if sure and probe.confidence >= best + CLEAR_CONFIDENCE_GAP:
                best, best_turn = probe.confidence, turn
        page.turn((best_turn - page.turned) % 360)
        if not best_turn:
            return upright
        turned = self._read_upright(page, None)
        if turned.confidence > upright.confidence:
            return turned
        page.turn(-best_turn % 360)
        return upright

    def _read_upright(self, page: _PageImage, script: str | None) -> _Pass:
        """Probe the page small, then read it once at the best scale."""
        probe_scale = _probe_scale(page.size)
        if script == "Arabic":
            probe_scale = _arabic_probe(page, probe_scale)
        probe = self._probe(page.at_scale(probe_scale), script)
        language = probe.language
        if language == "fra" and latin_language(probe.text) == "spa":
            language = "spa"
        scale = _reading_scale(probe, probe_scale, max(page.size))
        if language == probe.language and abs(scale - probe_scale) <= 0.1 * scale:
            path, reading = page.at_scale(probe_scale), probe
        else:
            path = page.at_scale(scale)
            reading = self._pass(path, language, 3)
        return self._in_both_scripts(path, reading)

    def _in_both_scripts(self, path: str, reading: _Pass) -> _Pass:
        """A page with lines in the other script, read again with both models.

        Kept when Tesseract is surer of it on average than of the reading.
        """
        if (
            reading.foreign_lines < MIXED_MIN_LINES
            or reading.confidence < self.low_confidence_threshold
        ):
            return reading
        other = "fra" if reading.language == "ara" else "ara"
        both = self._pass(path, reading.language, 3, f"{reading.language}+{other}")
        if both.confidence <= reading.confidence:
            return reading
        return replace(both, language=f"{reading.language}+{other}")

    def _probe(self, path: str, script: str | None) -> _Pass:
        """First pass in the script's language; both scripts when unsure."""
        if script is not None:
            return self._pass(path, _SCRIPT_LANGUAGE[script], 3)
        latin = self._pass(path, "fra", 3)
        if _sure_latin(latin):
            return latin
        return _more_plausible(self._pass(path, "ara", 3), latin)

    def _reading(self, best: _Pass, number: int, turned: int = 0) -> PageReading:
        language = best.language if best.words else ""
        low = not best.words or best.confidence < self.low_confidence_threshold
        return PageReading(
            number=number,
            text=best.text,
            language=language,
            confidence=round(best.confidence, 2),
            source="tesseract",
            low_confidence=low,
            words=best.boxes,
            turned=turned,
        )


@dataclass(frozen=True)
class PageLayout:
    """What one OSD pass says of a page: its script and how to set it upright.

    ``script`` is "Arabic" or "Latin" (None when unsure); ``turn`` the degrees
    (clockwise) that set it upright, 0 when upright or unsure.
    """

    script: str | None = None
    turn: int = 0


def _layout_of(osd: dict[str, Any]) -> PageLayout:
    return PageLayout(_script_of(osd), _orientation_correction(osd))


def _script_of(osd: dict[str, Any]) -> str | None:
    """The script, Arabic or Latin, of an OSD answer; None when unsure."""
    script = str(osd.get("script", ""))
    confidence = float(osd.get("script_conf", 0.0))
    if script in _SCRIPT_LANGUAGE and confidence >= MIN_SCRIPT_CONFIDENCE:
        return script
    return None


def _orientation_correction(osd: dict[str, Any]) -> int:
    """Degrees (clockwise) that turn a sideways or upside-down page upright.

    Tesseract's ``rotate`` is that angle; it is followed only when its
    ``orientation_conf`` reaches ``MIN_ORIENTATION_CONFIDENCE`` (0 otherwise).
    """
    rotate = int(osd.get("rotate", 0)) % 360
    confidence = float(osd.get("orientation_conf", 0.0))
    if rotate not in (90, 180, 270) or confidence < MIN_ORIENTATION_CONFIDENCE:
        return 0
    return rotate


def unmirror_brackets(line: str) -> str:
    """Turn round the brackets of an Arabic line Tesseract gave mirrored.

    A line whose brackets close before they open, and balance once every
    bracket is turned round, was read in visual order; any other line is
    returned as it was.
    """
    if not _closes_first(line):
        return line
    turned = line.translate(_MIRRORED)
    return turned if _balanced(turned) else line


def restore_arabic_commas(text: str) -> str:
    """Give back the Arabic commas Tesseract read as closing guillemets.

    ``ara`` reads the Arabic comma of printed books as ``»``. On a line with
    no ``«``, while no quotation opened on an earlier line is still open, a
    ``»`` closes nothing: it is the comma. Lines holding a ``«`` are left as
    read.
    """
    depth = 0
    lines = []
    for line in text.split("\n"):
        if "«" in line or depth:
            depth = max(0, depth + line.count("«") - line.count("»"))
        else:
            line = line.replace("»", "،")
        lines.append(line)
    return "\n".join(lines)


def put_date_marks_last(word: str) -> str:
    """Put a date's هـ/م mark back after it (م٢٠١٣/١١/٠٣ -> ٢٠١٣/١١/٠٣م).

    The numbers model gives such a word in the order it stands on the page,
    mark first and its letters reversed (ـه). Only a whole date (day, month
    and year) is turned: a mark before a shorter number can be an
    abbreviation (م٢٣ for an article).
    """
    return _MARK_FIRST.sub(lambda found: found[2] + found[1][::-1], word)


def _arabic_text_fixes(text: str) -> str:
    lines = (unmirror_brackets(line) for line in text.split("\n"))
    return restore_arabic_commas("\n".join(lines))


def _second_opinions(path: str, data: dict[str, list[Any]]) -> bool:
    """Let ``ara`` alone read again the words read as numbers; True if any changed.

    Beside ``ara``, the numbers model sometimes wins a word of letters (a
    classical page: الأم read as ٢٩). A word holding a digit that is not a
    well-formed amount, date or file number (the least sure first, at most
    MAX_SECOND_OPINIONS a page) is cut out and read by ``ara`` alone; when
    that reading has no digit and its mean confidence beats the numbers
    reading's by SECOND_OPINION_MARGIN, it replaces the word.
    """
    from PIL import Image

    doubtful = [
        i
        for i, word in enumerate(data["text"])
        if _DIGIT.search(word or "") and not _WELL_FORMED.match(str(word))
    ]
    doubtful.sort(key=lambda i: float(data["conf"][i]))
    with Image.open(path) as image:
        changed = [
            _second_opinion(image, data, i) for i in doubtful[:MAX_SECOND_OPINIONS]
        ]
    return any(changed)


def normalise_number(word: str) -> str:
    """A word read as a number, as Arabic text writes it.

    Persian digits (which ``ara`` sometimes gives) become the Arabic-Indic
    ones they look like, and a date's mark goes after the date.
    """
    word = word.translate(DIRECTIONAL_MARKS).translate(_PERSIAN_DIGITS)
    return put_date_marks_last(word)


def _second_opinion(image: Any, data: dict[str, list[Any]], i: int) -> bool:
    """Read word ``i`` of ``data`` again with ``ara`` alone; keep it if surer."""
    pytesseract = _pytesseract()
    left, top = int(data["left"][i]), int(data["top"][i])
    width, height = int(data["width"][i]), int(data["height"][i])
    pad = max(4, height // 4)
    crop = image.crop(
        (
            max(0, left - pad),
            max(0, top - pad),
            min(image.width, left + width + pad),
            min(image.height, top + height + pad),
        )
    )
    try:
        again = pytesseract.image_to_data(
            crop, lang="ara", config="--psm 7", output_type=pytesseract.Output.DICT
        )
    except pytesseract.TesseractError:
        return False
    text, mean, words = _rebuild_text(again)
    if not words or _DIGIT.search(text):
        return False
    if mean < float(data["conf"][i]) + SECOND_OPINION_MARGIN:
        return False
    data["text"][i] = text
    data["conf"][i] = mean
    return True


def _closes_first(line: str) -> bool:
    """True when a closing bracket comes before any opening one."""
    for char in line:
        if char in "([":
            return False
        if char in ")]":
            return True
    return False


def _balanced(line: str) -> bool:
    """True when every bracket of the line opens before it closes."""
    depth = 0
    for char in line:
        depth += (char in "([") - (char in ")]")
        if depth < 0:
            return False
    return depth == 0


@functools.lru_cache(maxsize=1)
def _installed_models() -> tuple[str, frozenset[str]]:
    """Tesseract's tessdata directory and the models installed in it.

    Asked of ``tesseract --list-langs`` itself: pytesseract's
    ``get_languages`` left the script model out of its answer here.
    """
    command = _pytesseract().pytesseract.tesseract_cmd
    try:
        listing = subprocess.run(
            [command, "--list-langs"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "", frozenset()
    lines = listing.splitlines()
    found = re.search(r'"(.+)"', lines[0]) if lines else None
    return (found.group(1) if found else ""), frozenset(x.strip() for x in lines[1:])


@functools.lru_cache(maxsize=1)
def _tessdata_dir() -> str:
    """A tessdata directory holding Tesseract's models and ``ara_num``.

    Empty (Tesseract's own directory) when the numbers model is installed
    there, as in the Lambda layer, or when it cannot be added. Otherwise a
    private directory under the temporary one links every installed model
    and the numbers model kept beside this module; when that directory is
    not safely ours (anything else in its place, another owner, open to
    others), a new one is made for this process.
    """
    directory, models = _installed_models()
    if NUMBERS_MODEL in models or not directory or not _numbers_model_usable():
        return ""
    installed = [*Path(directory).glob("*.traineddata"), NUMBERS_MODEL_FILE]
    try:
        return _linked_models(_private_directory(), installed)
    except OSError:
        fresh = Path(tempfile.mkdtemp(prefix="justicia-tessdata-"))
        return _linked_models(fresh, installed)


def _numbers_model_usable() -> bool:
    """True when the numbers model is there; an empty file is said, not used."""
    if not NUMBERS_MODEL_FILE.exists():
        return False
    if NUMBERS_MODEL_FILE.stat().st_size == 0:
        logger.warning("numbers model is empty: Arabic is read with ara alone")
        return False
    return True


def _linked_models(linked: Path, models: list[Path]) -> str:
    for model in models:
        _link(linked / model.name, model)
    return str(linked)


def _private_directory() -> Path:
    """A directory of the current user for this checkout's models only.

    Raises ``OSError`` when what stands at its name is not such a directory.
    """
    checkout = hashlib.sha256(str(NUMBERS_MODEL_FILE).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"justicia-tessdata-{os.getuid()}-{checkout}"
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    status = path.lstat()
    private = stat.S_ISDIR(status.st_mode) and not status.st_mode & 0o077
    if not private or status.st_uid != os.getuid():
        raise OSError(f"{path} is not a private directory of this user")
    return path


def _link(link: Path, target: Path) -> None:
    """Make ``link`` point at ``target``, replacing a link that points elsewhere."""
    if link.is_symlink() and os.readlink(link) == str(target):
        return
    link.unlink(missing_ok=True)  # a directory in its place raises OSError
    with contextlib.suppress(FileExistsError):  # linked at the same moment
        link.symlink_to(target)


def _with_numbers(models: str) -> str:
    """``models`` with the numbers model beside them, when it can be read."""
    installed = NUMBERS_MODEL in _installed_models()[1]
    if installed or _tessdata_dir():
        return f"{models}+{NUMBERS_MODEL}"
    return models


def _arabic_line_models() -> str:
    """``ara+Arabic`` when the Arabic-script model is installed, else ``ara``."""
    installed = _installed_models()[1]
    return f"ara+{ARABIC_SCRIPT_MODEL}" if ARABIC_SCRIPT_MODEL in installed else "ara"


def _sure_latin(reading: _Pass) -> bool:
    """A French reading confident and wordy enough to rule out Arabic."""
    return (
        reading.confidence >= SURE_LATIN_CONFIDENCE
        and function_word_ratio(reading.text, "fra") >= SURE_FUNCTION_WORDS
    )


def _more_plausible(arabic: _Pass, latin: _Pass) -> _Pass:
    """Pick between readings in both scripts: confidence, then function words.

    A clear confidence gap decides. Otherwise (text no model reads well, such
    as handwriting, where confidence is noise) the reading with more function
    words of its own language wins.
    """
    if abs(arabic.confidence - latin.confidence) >= CLEAR_CONFIDENCE_GAP:
        return arabic if arabic.confidence > latin.confidence else latin
    arabic_ratio = function_word_ratio(arabic.text, "ara")
    latin_ratio = function_word_ratio(latin.text, "fra")
    if abs(arabic_ratio - latin_ratio) >= 0.02:
        return arabic if arabic_ratio > latin_ratio else latin
    return arabic if arabic.confidence > latin.confidence else latin


def _probe_scale(size: tuple[int, int]) -> float:
    """Scale of the first, cheap pass: long side at most PROBE_LONG_SIDE.

    A small page (long side at most SMALL_PAGE_LONG_SIDE) is probed, and
    read, as it is.
    """
    if max(size) <= SMALL_PAGE_LONG_SIDE:
        return 1.0
    return min(1.0, PROBE_LONG_SIDE / max(size))


def _arabic_probe_scale(size: tuple[int, int]) -> float:
    """Scale of an Arabic page's probe: long side ARABIC_PROBE_LONG_SIDE.

    Its language is known, so the probe only measures the lines, and at this
    size it is most often the reading itself. A small page is read as it is.
    """
    if max(size) <= SMALL_PAGE_LONG_SIDE:
        return 1.0
    return min(1.0, ARABIC_PROBE_LONG_SIDE / max(size))


def _readable_line_height(language: str) -> float:
    """Shortest probe line a dense page of ``language`` is read well at."""
    if language == "ara":
        return ARABIC_DENSE_MIN_LINE_HEIGHT
    return DENSE_MIN_LINE_HEIGHT


def _turns_to_try(page: _PageImage) -> tuple[int, ...]:
    """The turns that may set upright a page OSD left as it lies.

    Lines running down the page (its columns' ink shows a line pitch, its
    rows' none) put it on its side; lines across it, upside down; else any.
    """
    from PIL import Image

    scale = _probe_scale(page.size)
    across = line_pitch(page.gray, round(page.size[1] * scale)) > 0
    columns = page.gray.transpose(Image.Transpose.ROTATE_90)
    down = line_pitch(columns, round(page.size[0] * scale)) > 0
    if down and not across:
        return (90, 270)
    if across and not down:
        return (180,)
    return (90, 270, 180)


def _arabic_probe(page: _PageImage, probe_scale: float) -> float:
    """Scale of an Arabic page's probe: ARABIC_PROBE_LONG_SIDE, unless small type."""
    scale = _arabic_probe_scale(page.size)
    if scale >= probe_scale:
        return scale
    pitch = line_pitch(page.gray, round(page.size[1] * scale))
    return probe_scale if 0 < pitch < ARABIC_MIN_LINE_PITCH else scale


def line_pitch(image: Any, height: int) -> int:
    """Pixels from one text line to the next, with ``image`` scaled to ``height``.

    The rows' ink, averaged across the page, rises and falls with the lines;
    the first peak of its autocorrelation above half its variance is the
    pitch. 0 when there is none below MAX_LINE_PITCH (a picture, a page of
    one line, a blank page).
    """
    from PIL import Image

    rows = image.resize((1, max(1, height)), Image.Resampling.BOX).tobytes()
    mean = sum(rows) / len(rows)
    ink = [mean - value for value in rows]
    lags = range(2, min(MAX_LINE_PITCH, len(ink) // 3))
    score = {lag: _correlation(ink, lag) for lag in lags}
    clear = 0.5 * _correlation(ink, 0)
    for lag in lags[1:-1]:
        if score[lag] > clear and score[lag - 1] <= score[lag] >= score[lag + 1]:
            return lag
    return 0


def _correlation(ink: list[float], lag: int) -> float:
    """Mean product of the ink profile with itself shifted by ``lag`` rows."""
    return sum(a * b for a, b in zip(ink, ink[lag:], strict=False)) / (len(ink) - lag)


def _reading_scale(probe: _Pass, probe_scale: float, long_side: int) -> float:
    """Scale that brings the median text line to TARGET_LINE_HEIGHT (no upscaling).

    A small page is never scaled down: it has no pixels to spare. A dense
    page whose probe lines are already readable keeps the probe's scale.
    """
    if probe.line_height <= 0 or long_side <= SMALL_PAGE_LONG_SIDE:
        return probe_scale
    readable = _readable_line_height(probe.language)
    if probe.words >= DENSE_PAGE_WORDS and probe.line_height >= readable:
        return probe_scale
    full_height = probe.line_height / probe_scale
    return min(1.0, TARGET_LINE_HEIGHT / full_height)


# --------------------------------------------------------------------------
# Textract


def _textract_error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


class TextractEngine:
    """Amazon Textract for Latin-script single images (sync DetectDocumentText).

    Arabic is never sent to it (Textract does not read Arabic). The answer is
    parsed with textractor (``chalicelib.textract``).
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def read_image(self, image_path: str, number: int) -> PageReading:
        """Read one image with DetectDocumentText.

        Raises ``TextractUnavailable`` (with the error code, never the text)
        when Textract throttles, fails or refuses the page, or finds no text,
        or only text below ``textract.TEXTRACT_MIN_CONFIDENCE``.
        """
        from chalicelib import textract

        if os.path.getsize(image_path) > TEXTRACT_MAX_BYTES:
            raise TextractUnavailable("DocumentTooLarge: image over 10 MB")
        with open(image_path, "rb") as handle:
            payload = handle.read()
        try:
            response = self.client.detect_document_text(Document={"Bytes": payload})
        except Exception as error:  # botocore ClientError, BotoCoreError, ...
            raise TextractUnavailable(_textract_error_code(error)) from error
        blocks = [dict(block, Page=1) for block in response.get("Blocks", [])]
        return textract_reading(textract.page_of_blocks(number, blocks))


def textract_reading(page: Any) -> PageReading:
    """A Textract page (``textract.TextractPage``) as a page reading.

    Raises ``TextractUnavailable`` when Textract found no text on the page,
    only text it is unsure of, or lines it cannot read (another script):
    Tesseract reads that page instead.
    """
    from chalicelib import textract

    reason = textract.unreadable_reason(page)
    if reason:
        raise TextractUnavailable(reason)
    return PageReading(
        number=page.number,
        text=page.text,
        language=text_language(page.text) or "fra",
        confidence=page.confidence,
        source="textract",
        low_confidence=False,
        words=tuple(tuple(word) for word in page.placed),
    )


# --------------------------------------------------------------------------
# Pages


def _clean_text_layer(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _has_text_layer(text: str) -> bool:
    visible = [c for c in text if not c.isspace()]
    if len(visible) < MIN_TEXT_LAYER_CHARS:
        return False
    garbage = sum(1 for c in visible if c == "\ufffd" or 0xE000 <= ord(c) <= 0xF8FF)
    return garbage <= len(visible) // 10


def _open_pdf(source: Source) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(source)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise OcrFailed(f"encrypted PDF: {message}") from error
        raise OcrFailed(f"corrupt PDF: {message}") from error


def _pdf_pages(
    source: Source, workdir: str, skip: Callable[[int], bool]
) -> Iterator[PageItem]:
    """The pages of a PDF, the document reopened every PDF_PAGES_PER_OPENING.

    PDFium keeps the streams of every page it rendered until its document is
    closed (about the compressed size of each scanned page): reopening keeps
    a long scan's memory bounded by a few pages instead of the whole file.
    """
    document = _open_pdf(source)
    try:
        count = len(document)
        if count == 0:
            raise OcrFailed("corrupt PDF: no pages")
        for index in range(count):
            if index and index % PDF_PAGES_PER_OPENING == 0:
                document.close()
                document = _open_pdf(source)
            yield _pdf_page_item(document, index + 1, workdir, skip)
    finally:
        document.close()


def has_scanned_pages(source: Source, content_type: str) -> bool:
    """True when some page has no text layer and must be OCR'd.

    A TIFF is only images; a PDF is looked at page by page without rendering
    (its text layers only), reopened like ``_pdf_pages`` to bound memory.
    """
    if content_type != "application/pdf":
        return True
    document = _open_pdf(source)
    try:
        for index in range(len(document)):
            if index and index % PDF_PAGES_PER_OPENING == 0:
                document.close()
                document = _open_pdf(source)
            if not _page_has_text_layer(document, index):
                return True
        return False
    finally:
        document.close()


def _page_has_text_layer(document: Any, index: int) -> bool:
    import pypdfium2 as pdfium

    try:
        page = document[index]
    except pdfium.PdfiumError as error:
        raise OcrFailed(f"corrupt PDF: page {index + 1} cannot be read") from error
    try:
        textpage = page.get_textpage()
        try:
            return _has_text_layer(textpage.get_text_bounded())
        finally:
            textpage.close()
    finally:
        page.close()


def _pdf_page_item(
    document: Any, number: int, workdir: str, skip: Callable[[int], bool]
) -> PageItem:
    import pypdfium2 as pdfium

    if skip(number):
        return number, None, None
    try:
        page = document[number - 1]
    except pdfium.PdfiumError as error:
        raise OcrFailed(f"corrupt PDF: page {number} cannot be read") from error
    try:
        return _pdf_page(page, number, workdir)
    except pdfium.PdfiumError as error:
        raise OcrFailed(f"corrupt PDF: page {number} cannot be rendered") from error
    finally:
        page.close()


def _pdf_page(
    page: Any, number: int, workdir: str
) -> tuple[int, str | None, str | None]:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    if _has_text_layer(text):
        return number, None, _clean_text_layer(text)
    bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
    try:
        image = bitmap.to_pil()
        path = os.path.join(workdir, f"page-{number:05d}.png")
        image.save(path, dpi=(RENDER_DPI, RENDER_DPI))
    finally:
        bitmap.close()
    return number, path, None


def _tiff_pages(
    source: Source, workdir: str, skip: Callable[[int], bool]
) -> Iterator[PageItem]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        with Image.open(_readable(source)) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if skip(index + 1):
                    yield index + 1, None, None
                    continue
                path = os.path.join(workdir, f"page-{index + 1:05d}.png")
                dpi = frame.info.get("dpi", (RENDER_DPI, RENDER_DPI))
                frame.convert("L").save(path, dpi=tuple(round(d) for d in dpi))
                yield index + 1, path, None
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise OcrFailed("corrupt TIFF: the bytes are not a readable image") from error


def _readable(source: Source) -> Any:
    """What PIL opens: the path itself, or the bytes as a file."""
    import io

    return source if isinstance(source, Path) else io.BytesIO(source)


def _single_image(
    source: Source, content_type: str, workdir: str, skip: Callable[[int], bool]
) -> Iterator[PageItem]:
    from PIL import Image, UnidentifiedImageError

    if skip(1):
        yield 1, None, None
        return
    try:
        with Image.open(_readable(source)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise OcrFailed(
            f"corrupt image ({content_type}): the bytes are not a readable image"
        ) from error
    suffix = ".png" if content_type == "image/png" else ".jpg"
    path = os.path.join(workdir, f"page-00001{suffix}")
    if isinstance(source, Path):
        shutil.copyfile(source, path)
    else:
        Path(path).write_bytes(source)
    yield 1, path, None


def _read_nothing_twice(number: int) -> bool:
    return False


def iter_pages(
    source: Source,
    content_type: str,
    workdir: str,
    skip: Callable[[int], bool] = _read_nothing_twice,
) -> Iterator[PageItem]:
    """Yield (page number, image path or None, text-layer text or None) per page.

    ``source`` is the file's path (or its bytes, for small files). Each page
    image is written to ``workdir`` only when needed: PDF pages are rendered
    with pypdfium2 at 300 dpi in grayscale, multi-page TIFF frames are
    converted with PIL, a PNG or JPEG is one page. A PDF page carrying a real
    text layer yields its text and no image; a page ``skip(number)`` names
    yields neither. One page is in memory at a time: a PDF or TIFF given by
    path is never read whole.
    """
    if content_type == "application/pdf":
        return _pdf_pages(source, workdir, skip)
    if content_type == "image/tiff":
        return _tiff_pages(source, workdir, skip)
    if content_type in ("image/png", "image/jpeg"):
        return _single_image(source, content_type, workdir, skip)
    raise OcrFailed(f"unsupported content type: {content_type!r}")


def _text_layer_reading(number: int, text: str) -> PageReading:
    return PageReading(
        number=number,
        text=text,
        language=text_language(text),
        confidence=100.0,
        source="text-layer",
        low_confidence=False,
    )


def _ocr_page(
    path: str,
    number: int,
    engine: TesseractEngine,
    primary: PrimaryEngine | None,
    on_fallback: Callable[[str], None] | None,
) -> PageReading:
    if primary is None:
        return engine.read_image(path, number)
    layout = engine.detect_layout(path)
    if layout.script != "Latin":
        return engine.read_image(path, number, layout=layout)
    try:
        return primary.read_image(path, number)
    except TextractUnavailable as error:
        reason = f"page {number}: textract unavailable: {error}"
        logger.warning("OCR fallback to tesseract (%s)", reason)
        if on_fallback is not None:
            on_fallback(reason)
        return engine.read_image(path, number, layout=layout)


def read_document(
    source: Source,
    content_type: str,
    engine: TesseractEngine,
    *,
    primary: PrimaryEngine | None = None,
    on_fallback: Callable[[str], None] | None = None,
    progress: PageProgress | None = None,
    pages: range | None = None,
) -> list[PageReading]:
    """Read the pages of a document, given by path (or bytes, if small).

    A page with a text layer is extracted. Otherwise Latin-script pages go to
    ``primary`` (Textract) when given, falling back to ``engine`` (Tesseract)
    when Textract throttles, fails or refuses, after calling
    ``on_fallback(reason)``; Arabic pages and pages of unsure script always go
    to Tesseract. With ``progress``, each page read is saved as soon as it is
    read, and a page saved by an interrupted earlier attempt is taken from it
    instead of being rendered and read again. ``pages`` (numbers from 1)
    limits the reading to a share of the document, e.g. ``range(11, 21)``;
    only those pages are returned. Raises ``OcrFailed`` for unreadable input.
    """

    def skip(number: int) -> bool:
        if pages is not None and number not in pages:
            return True
        return progress is not None and progress.has(number)

    readings: list[PageReading] = []
    with tempfile.TemporaryDirectory(prefix="justicia-ocr-") as workdir:
        for number, path, text in iter_pages(source, content_type, workdir, skip):
            if pages is not None and number not in pages:
                continue
            if path is None and text is None:
                assert progress is not None
                readings.append(progress.load(number))
                continue
            if text is not None:
                reading = _text_layer_reading(number, text)
            else:
                assert path is not None
                reading = _read_page_image(path, number, engine, primary, on_fallback)
            if progress is not None:
                progress.save(reading)
            readings.append(reading)
    return readings


def _read_page_image(
    path: str,
    number: int,
    engine: TesseractEngine,
    primary: PrimaryEngine | None,
    on_fallback: Callable[[str], None] | None,
) -> PageReading:
    try:
        return _ocr_page(path, number, engine, primary, on_fallback)
    finally:
        os.unlink(path)
