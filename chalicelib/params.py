"""Query-string parameters read once, the same way everywhere.

Each reader names the parameter in its ``ValidationFailed`` (a 400 that says
which field is wrong and why, in Arabic and French).
"""

from __future__ import annotations

from datetime import date

from chalicelib.errors import ValidationFailed


def whole_number(params: dict[str, str], name: str, low: int, high: int) -> int | None:
    """The whole number ``name`` from ``low`` to ``high``, or None when absent.

    >>> whole_number({"limit": "20"}, "limit", 1, 100)
    20
    """
    value = params.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValidationFailed.field(
            name, f"must be a whole number from {low} to {high}"
        )
    return int(value)


def day(params: dict[str, str], name: str) -> date | None:
    """The date ``name`` (``YYYY-MM-DD``), or None when absent."""
    value = params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed.field(name, "must be a date, YYYY-MM-DD") from exc


def required_day(params: dict[str, str], name: str) -> date:
    """The date ``name`` (``YYYY-MM-DD``), which must be given."""
    found = day(params, name)
    if found is None:
        raise ValidationFailed.field(name, "is required (YYYY-MM-DD)")
    return found
