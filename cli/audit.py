"""``justicia audit seal|verify`` and ``justicia reports ...``: the audit trail.

Reports (JSON, as the API gives them): ``reports failed-logins [--from --to
--threshold]``, ``reports permission-changes [--from --to]``, ``reports
security-events [--from --to]``.

``seal`` seals every finished hour since the last seal, as the hourly
maintenance job does; ``verify --from --to`` recomputes hours (``YYYY-MM-DDTHH``,
UTC) and compares them with their seals. Exit codes: 0 intact, 4 tampering
found (hours listed), 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.errors import ValidationFailed
from cli.main import OK, REFUSED

TEXT: dict[str, dict[str, str]] = {
    "sealed": {
        "fr": "Heures scellées: {count}.",
        "ar": "الساعات المختومة: {count}.",
    },
    "intact": {
        "fr": "Journal intact: {checked} heure(s) vérifiée(s), "
        "{unsealed} non scellée(s).",
        "ar": "السجل سليم: {checked} ساعة تم التحقق منها، {unsealed} غير مختومة.",
    },
    "nothing_sealed": {
        "fr": "Aucune heure scellée sur la période: rien n'a pu être vérifié "
        "({unsealed} heure(s) non scellée(s)). Le scellement horaire tourne-t-il?",
        "ar": "لا توجد ساعة مختومة في هذه الفترة: لم يتم التحقق من أي شيء "
        "({unsealed} ساعة غير مختومة). هل يعمل الختم كل ساعة؟",
    },
    "tampered": {
        "fr": "Journal altéré! Heures modifiées: {altered}; chaîne rompue: {broken}.",
        "ar": "تم العبث بالسجل! الساعات المعدلة: {altered}؛ "
        "السلسلة المقطوعة: {broken}.",
    },
}


def seal(arguments: argparse.Namespace, language: str) -> int:
    """``audit seal``: seal the finished hours."""
    from chalicelib.audit_seals import seal_hours

    sealed = seal_hours(first_hour=arguments.first_hour)
    figures = {"sealed": [s.as_json() for s in sealed]}
    line = TEXT["sealed"][language].format(count=len(sealed))
    print(json.dumps(figures, ensure_ascii=False) if arguments.json else line)
    return OK


def verify(arguments: argparse.Namespace, language: str) -> int:
    """``audit verify``: recompute hours and compare them with their seals."""
    from chalicelib.audit_seals import hour_of
    from chalicelib.audit_seals import verify as run_verify

    now = datetime.now(UTC)
    start = _hour(arguments.start, "from") or hour_of(now - timedelta(days=1))
    end = _hour(arguments.end, "to") or hour_of(now - timedelta(hours=1))
    if end < start:
        raise ValidationFailed.field("to", "is before from")
    result = run_verify(start, end)
    if arguments.json:
        print(json.dumps(result, ensure_ascii=False))
    elif result["intact"] and not result["checked"]:
        print(TEXT["nothing_sealed"][language].format(unsealed=len(result["unsealed"])))
    elif result["intact"]:
        print(
            TEXT["intact"][language].format(
                checked=result["checked"], unsealed=len(result["unsealed"])
            )
        )
    else:
        print(
            TEXT["tampered"][language].format(
                altered=", ".join(result["altered"]) or "-",
                broken=", ".join(result["chain_broken"]) or "-",
            )
        )
    confirmed = result["intact"] and (result["checked"] or not result["unsealed"])
    return OK if confirmed else REFUSED


def _hour(value: str | None, name: str) -> str | None:
    """An hour as given (``YYYY-MM-DDTHH``, UTC), checked; None if not given."""
    from chalicelib.audit_seals import parse_hour

    if value is None:
        return None
    try:
        parse_hour(value)
    except ValueError:
        raise ValidationFailed.field(name, "must be YYYY-MM-DDTHH") from None
    return value


def add_commands(areas: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``audit`` area to the ``justicia`` parser."""
    audit = areas.add_parser("audit", help="the audit trail's seals").add_subparsers(
        dest="command", required=True
    )
    command = audit.add_parser("seal", parents=[common], help="seal finished hours")
    command.add_argument(
        "--first-hour", help="where the first seal starts (YYYY-MM-DDTHH, UTC)"
    )
    command.set_defaults(run=seal)
    command = audit.add_parser("verify", parents=[common], help="check sealed hours")
    command.add_argument("--from", dest="start", help="first hour, YYYY-MM-DDTHH")
    command.add_argument("--to", dest="end", help="last hour, YYYY-MM-DDTHH")
    command.set_defaults(run=verify)


def report(arguments: argparse.Namespace, language: str) -> int:
    """``reports failed-logins|permission-changes|security-events``, as JSON."""
    from chalicelib import reports

    params = {
        name: str(value)
        for name, value in (
            ("from", arguments.start),
            ("to", arguments.end),
            ("threshold", getattr(arguments, "threshold", None)),
        )
        if value is not None
    }
    extra = ("threshold",) if arguments.command == "failed-logins" else ()
    from chalicelib.court_time import court_today

    period = reports.parse_period(params, court_today(), extra)
    build = {
        "failed-logins": reports.failed_logins_report,
        "permission-changes": reports.permission_changes_report,
        "security-events": reports.events_report,
    }[arguments.command]
    print(json.dumps(build(period), ensure_ascii=False, indent=2))
    return OK


def add_report_commands(areas: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``reports`` area to the ``justicia`` parser."""
    area = areas.add_parser("reports", help="security reports (JSON)")
    commands = area.add_subparsers(dest="command", required=True)
    for name, text in (
        ("failed-logins", "failed sign-ins per user, flagged past a threshold"),
        ("permission-changes", "users created, roles changed, passwords reset"),
        ("security-events", "every security event, newest first"),
    ):
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
        command.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
        if name == "failed-logins":
            command.add_argument(
                "--threshold", type=int, help="flag users with more failures (10)"
            )
        command.set_defaults(run=report)
