"""Scheduled jobs: one definition for EventBridge (CDK) and the local clock.

Only ``rate(N unit)`` expressions are used, and they are validated here,
since neither moto nor EventBridge's API checks them for us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    """A job run on a fixed rate by the maintenance function."""

    name: str
    expression: str
    job: str

    @property
    def period_seconds(self) -> int:
        """The rate in seconds, e.g. ``rate(15 minutes)`` -> 900."""
        return rate_seconds(self.expression)


def rate_seconds(expression: str) -> int:
    """Parse ``rate(N unit)``; raise ``ValueError`` for anything else.

    >>> rate_seconds("rate(1 hour)")
    3600
    """
    match = RATE.match(expression)
    if not match:
        raise ValueError(f"not a rate expression: {expression!r}")
    value, unit = int(match.group(1)), match.group(2).rstrip("s")
    if value < 1 or (value == 1) != (match.group(2) == unit):
        raise ValueError(
            f"rate must be 1 with a singular unit or more with a plural: {expression!r}"
        )
    return value * UNIT_SECONDS[unit]


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("sweep-documents", "rate(15 minutes)", "sweep_documents"),
    Schedule("deactivate-idle-users", "rate(1 day)", "deactivate_idle_users"),
    Schedule("reconcile-search", "rate(1 hour)", "reconcile_search"),
    Schedule("seal-audit", "rate(1 hour)", "seal_audit"),
    Schedule("verify-audit", "rate(1 day)", "verify_audit"),
)
