"""Training lines for ``ara_num``, the model that reads numbers in Arabic text.

The shapes of numbers a court file carries: hijri and gregorian dates with
their ``هـ``/``م`` marks, amounts with thousands and decimal separators, file
and registry numbers in brackets, list markers, times and percentages, in
Arabic-Indic and in Western digits. Random but reproducible (a fixed seed).
"""

from __future__ import annotations

import random
import sys

ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
WESTERN = "0123456789"


def _digits(rng: random.Random, family: str, count: int) -> str:
    return "".join(rng.choice(family) for _ in range(count))


def _in_family(text: str, family: str) -> str:
    return text.translate(str.maketrans(WESTERN, family))


def _date(rng: random.Random) -> str:
    hijri = rng.random() < 0.5
    year = rng.randint(1380, 1450) if hijri else rng.randint(1956, 2030)
    parts = [f"{year}", f"{rng.randint(1, 12):02d}", f"{rng.randint(1, 30):02d}"]
    if rng.random() < 0.5:
        parts.reverse()
    mark = rng.choice(["هـ", "ه", ""]) if hijri else rng.choice(["م", ""])
    return "/".join(parts) + mark


def _amount(rng: random.Random) -> str:
    value = f"{rng.randint(1, 9_999_999):,}"
    if rng.random() < 0.6:
        value += "." + _digits(rng, WESTERN, 2)
    return f"({value})" if rng.random() < 0.4 else value


def _file_number(rng: random.Random) -> str:
    if rng.random() < 0.5:
        number = _digits(rng, WESTERN, rng.randint(4, 11))
    else:
        serial, code, year = (
            rng.randint(1, 9999),
            rng.randint(1000, 9999),
            rng.randint(1990, 2030),
        )
        number = f"{serial}/{code}/{year}"
    return f"({number})" if rng.random() < 0.5 else number


def _small(rng: random.Random) -> str:
    shape = rng.randrange(5)
    if shape == 0:
        return f"{rng.randint(1, 40)}-"
    if shape == 1:
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    if shape == 2:
        return f"{rng.randint(1, 100)}%"
    if shape == 3:
        return str(rng.randint(0, 999))
    return f"{rng.randint(1, 99)}.{rng.randint(0, 99)}"


_SHAPES = (_date, _amount, _file_number, _small)


def line(rng: random.Random) -> str:
    """One line of one to four numbers, each in one digit family."""
    tokens = []
    for _ in range(rng.randint(1, 4)):
        token = rng.choice(_SHAPES)(rng)
        family = ARABIC_INDIC if rng.random() < 0.7 else WESTERN
        tokens.append(_in_family(token, family))
    return " ".join(tokens)


def main(count: int, seed: int) -> None:
    """Print ``count`` training lines drawn with ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible training text
    for _ in range(count):
        print(line(rng))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
