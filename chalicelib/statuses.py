"""The statuses of a case file and the moves between them."""

from __future__ import annotations

# Status -> the statuses it may move to by an explicit change. JUDGED is
# reached only by recording a judgment, SCHEDULED also by scheduling a hearing.
TRANSITIONS: dict[str, frozenset[str]] = {
    "REGISTERED": frozenset({"SCHEDULED", "CLOSED"}),
    "SCHEDULED": frozenset({"DELIBERATION", "CLOSED"}),
    "DELIBERATION": frozenset({"SCHEDULED", "CLOSED"}),
    "JUDGED": frozenset({"APPEALED", "CLOSED"}),
    "APPEALED": frozenset({"CLOSED"}),
    "CLOSED": frozenset({"APPEALED", "ARCHIVED"}),
    "ARCHIVED": frozenset(),
}
PENDING = frozenset({"REGISTERED", "SCHEDULED", "DELIBERATION"})


def next_statuses(status: str) -> list[str]:
    """The statuses a file in ``status`` may be moved to by an explicit change."""
    return sorted(TRANSITIONS.get(status, frozenset()))
