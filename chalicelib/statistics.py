"""The CEPEJ indicators of a court over a period, from counters kept on writes.

Every registration and every resolution adds to the court's counters of the
day (``StatisticsModel``) in the same transaction as the change, so a report
reads one query of small items, never the cases. Definitions (CEPEJ):

- clearance rate = resolved / incoming x 100;
- case turnover ratio = resolved / pending at the end of the period;
- disposition time = days in the period / turnover ratio (365 / CTR for a
  year);
- age of the pending caseload = today - filing date, as a distribution;
- trial-date certainty = share of hearings held on the first date set.

The age of the pending caseload is measured today (the counters hold, per
filing day, how many of its cases are still pending now), not at the end of a
past period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.models import StatisticsModel
from chalicelib.params import required_day

# Upper bounds (in days) of the age classes of the pending caseload.
AGE_CLASSES = ((90, "0-3m"), (180, "3-6m"), (365, "6-12m"), (730, "1-2y"))
OLDEST_CLASS = "2y+"
MAX_PERIOD_DAYS = 3660


@dataclass
class Totals:
    """Sums of the counters over some days."""

    incoming: int = 0
    resolved: int = 0
    resolved_days: int = 0
    hearings_held: int = 0
    held_on_first_date: int = 0

    def add(self, row: StatisticsModel) -> None:
        """Add one day's counters."""
        self.incoming += int(row.incoming or 0)
        self.resolved += int(row.resolved or 0)
        self.resolved_days += int(row.resolved_days or 0)
        self.hearings_held += int(row.hearings_held or 0)
        self.held_on_first_date += int(row.held_on_first_date or 0)


def court_report(
    court_code: str, start: date, end: date, today: date | None = None
) -> dict[str, Any]:
    """The indicators of ``court_code`` from ``start`` to ``end`` (inclusive)."""
    today = today or datetime.now(UTC).date()
    before, within = Totals(), Totals()
    ages: dict[str, int] = {label: 0 for _, label in AGE_CLASSES} | {OLDEST_CLASS: 0}
    for row in StatisticsModel.query(court_code):
        day = date.fromisoformat(str(row.day))
        if day < start:
            before.add(row)
        elif day <= end:
            within.add(row)
        if int(row.open or 0) > 0:
            ages[_age_class((today - day).days)] += int(row.open or 0)
    return _indicators(court_code, start, end, before, within) | {
        "pending_age": {"measured_on": today.isoformat(), "cases": ages}
    }


def _indicators(
    court_code: str, start: date, end: date, before: Totals, within: Totals
) -> dict[str, Any]:
    pending_start = before.incoming - before.resolved
    pending_end = pending_start + within.incoming - within.resolved
    turnover = _ratio(within.resolved, pending_end)
    days = (end - start).days + 1
    return {
        "court_code": court_code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "incoming": within.incoming,
        "resolved": within.resolved,
        "pending_start": pending_start,
        "pending_end": pending_end,
        "clearance_rate": _percent(within.resolved, within.incoming),
        "case_turnover_ratio": _rounded(turnover),
        "disposition_time_days": _rounded(days / turnover if turnover else None),
        "average_age_at_resolution_days": _rounded(
            _ratio(within.resolved_days, within.resolved)
        ),
        "trial_date_certainty": _percent(
            within.held_on_first_date, within.hearings_held
        ),
    }


def _age_class(age_days: int) -> str:
    for bound, label in AGE_CLASSES:
        if age_days < bound:
            return label
    return OLDEST_CLASS


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _percent(numerator: int, denominator: int) -> float | None:
    ratio = _ratio(numerator, denominator)
    return _rounded(ratio * 100 if ratio is not None else None)


def _rounded(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def parse_period(params: dict[str, str]) -> tuple[str, date, date]:
    """Validate ``court``, ``from`` and ``to`` of ``GET /statistics``."""
    for name in params:
        if name not in ("court", "from", "to"):
            raise ValidationFailed.field(name, "unknown parameter")
    court = params.get("court")
    if not court:
        raise ValidationFailed.field("court", "is required")
    start, end = required_day(params, "from"), required_day(params, "to")
    if end < start:
        raise ValidationFailed.field("to", "is before from")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed.field("to", f"period longer than {MAX_PERIOD_DAYS} days")
    return court, start, end
