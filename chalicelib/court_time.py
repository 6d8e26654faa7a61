"""Times at court: hearing times are the court's wall-clock times.

The API answers them with the court's offset (``2026-12-04T09:00:00+01:00``),
so a client shows the hour as written without converting it through its own
time-zone data (a browser's copy may disagree with the law on Morocco's
offset). A time sent without an offset is taken as court time.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chalicelib.config import get_settings


def court_zone() -> ZoneInfo:
    """The courts' time zone (``JUSTICIA_COURT_TIMEZONE``, Africa/Casablanca)."""
    return ZoneInfo(get_settings().court_timezone)


def court_today() -> date:
    """Today's date at the court (Morocco), whatever the server's zone."""
    return datetime.now(court_zone()).date()


def court_clock() -> dict[str, object]:
    """The court's date and UTC offset now, for clients whose zone data lags.

    A browser may carry older time-zone rules than the server (Morocco moves
    to UTC+0 for Ramadan by decree); the web app takes the court's day from
    here rather than from its own zone data.
    """
    now = datetime.now(court_zone())
    offset = now.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return {"court_date": now.date().isoformat(), "court_utc_offset_minutes": minutes}


def at_court(moment: datetime) -> datetime:
    """``moment`` with the court's offset; a naive time is court time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=court_zone())
    return moment.astimezone(court_zone())


def court_iso(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 with the court's offset, or None."""
    return at_court(moment).isoformat() if moment else None
