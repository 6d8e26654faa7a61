"""``justicia search setup|reindex|reconcile``: the search index, by hand.

``setup`` creates the indices behind their aliases where missing, and
rebuilds those built with an older mapping (run at each deploy, after the
domain exists); ``reindex`` rebuilds them from the tables
into fresh indices and swaps the aliases without downtime (after a mapping
change); ``reconcile [--dry-run]`` compares the index with the tables and
repairs the drift, as the hourly maintenance job does.

The search endpoint comes from ``JUSTICIA_SEARCH_URL``. Exit codes: 0 done,
1 unexpected failure, 5 no search endpoint configured.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.main import CONFIGURATION, OK

TEXT: dict[str, dict[str, str]] = {
    "no_search": {
        "fr": "Moteur de recherche non configuré: définissez JUSTICIA_SEARCH_URL.",
        "ar": "محرك البحث غير مهيأ: عرّفوا JUSTICIA_SEARCH_URL.",
    },
    "setup": {
        "fr": "Index créés: {count}; reconstruits: {rebuilt}.",
        "ar": "الفهارس المنشأة: {count}؛ المعاد بناؤها: {rebuilt}.",
    },
    "reindex": {
        "fr": "Réindexation terminée: {cases} affaire(s), {pages} page(s).",
        "ar": "اكتملت إعادة الفهرسة: {cases} قضية، {pages} صفحة.",
    },
    "reconcile": {
        "fr": "Écarts trouvés: {drift}; réparés: {repaired}.",
        "ar": "الفروق المكتشفة: {drift}؛ المصلحة: {repaired}.",
    },
}


def _client() -> Any:
    from chalicelib.config import get_settings
    from chalicelib.search.client import search_client

    if not get_settings().search_url:
        return None
    return search_client()


def _finish(arguments: argparse.Namespace, figures: dict[str, Any], line: str) -> int:
    print(json.dumps(figures, ensure_ascii=False) if arguments.json else line)
    return OK


def setup(arguments: argparse.Namespace, language: str) -> int:
    """``search setup``: create the missing indices, rebuild outdated ones."""
    from chalicelib.search.reconcile import bring_up_to_date

    client = _client()
    if client is None:
        print(TEXT["no_search"][language], file=sys.stderr)
        return CONFIGURATION
    done = bring_up_to_date(client)
    line = TEXT["setup"][language].format(
        count=len(done["created"]), rebuilt=len(done["rebuilt"])
    )
    return _finish(arguments, done, line)


def reindex(arguments: argparse.Namespace, language: str) -> int:
    """``search reindex``: rebuild from the tables, swap the aliases."""
    from chalicelib.search.indices import ensure_indices
    from chalicelib.search.reconcile import rebuild

    client = _client()
    if client is None:
        print(TEXT["no_search"][language], file=sys.stderr)
        return CONFIGURATION
    ensure_indices(client)
    figures = rebuild(client)
    return _finish(arguments, figures, TEXT["reindex"][language].format(**figures))


def reconcile(arguments: argparse.Namespace, language: str) -> int:
    """``search reconcile [--dry-run]``: compare, and repair unless dry."""
    from chalicelib.search.reconcile import reconcile as run_reconcile

    client = _client()
    if client is None:
        print(TEXT["no_search"][language], file=sys.stderr)
        return CONFIGURATION
    figures = run_reconcile(client, repair=not arguments.dry_run)
    drift = sum(
        value
        for name, value in figures.items()
        if name not in ("cases", "documents", "repaired")
    )
    line = TEXT["reconcile"][language].format(drift=drift, repaired=figures["repaired"])
    return _finish(arguments, figures, line)


def add_commands(areas: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``search`` area to the ``justicia`` parser."""
    search = areas.add_parser("search", help="the search index").add_subparsers(
        dest="command", required=True
    )
    for name, run, text in (
        ("setup", setup, "create missing indices and aliases"),
        ("reindex", reindex, "rebuild the indices from the tables"),
        ("reconcile", reconcile, "compare with the tables and repair"),
    ):
        command = search.add_parser(name, parents=[common], help=text)
        command.set_defaults(run=run)
        if name == "reconcile":
            command.add_argument(
                "--dry-run", action="store_true", help="compare only, repair nothing"
            )
