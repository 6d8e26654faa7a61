"""``justicia queues redrive <queue>`` and ``justicia documents reprocess``.

``queues redrive QUEUE [--limit N]`` moves the dead letters of the OCR,
signing or Textract completions queue back to it, reopening the documents
they had failed.
``documents reprocess CASE_ID [DOCUMENT_ID]`` puts one document, or every
unfinished document of a case, back on its way (``chalicelib.operations``).
Both are audited with ``cli:<operator>`` as the actor.

Exit codes, as for ``users``: 0 done, 1 unexpected failure, 3 no such case or
document, 4 a document named alone could not be reprocessed (signed, never
uploaded, bytes refused).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cli.main import OK, REFUSED, actor

TEXT: dict[str, dict[str, str]] = {
    "moved": {
        "fr": "{count} message(s) remis de la file morte dans la file « {queue} ».",
        "ar": "أعيدت {count} رسالة من طابور الرسائل الميتة إلى « {queue} ».",
    },
    "requeued": {"fr": "relancé", "ar": "أعيد إطلاقه"},
    "refused": {"fr": "refusé", "ar": "مرفوض"},
}


def redrive(arguments: argparse.Namespace, language: str) -> int:
    """``queues redrive ocr|signing|textract [--limit N]``."""
    from chalicelib import operations

    moved = operations.redrive(arguments.queue, actor(arguments), arguments.limit)
    if arguments.json:
        print(json.dumps({"queue": arguments.queue, "moved": moved}))
    else:
        print(TEXT["moved"][language].format(count=moved, queue=arguments.queue))
    return OK


def reprocess(arguments: argparse.Namespace, language: str) -> int:
    """``documents reprocess CASE_ID [DOCUMENT_ID]``: one line per document."""
    from chalicelib import operations

    outcomes = operations.reprocess_case(
        arguments.case_id, actor(arguments), arguments.document_id
    )
    if arguments.json:
        print(json.dumps([o.as_json() for o in outcomes], ensure_ascii=False))
    for outcome in outcomes if not arguments.json else []:
        result = TEXT[outcome.result][language]
        line = f"{outcome.document_id}  {outcome.status:<16} {result}"
        print(f"{line}  ({outcome.reason})" if outcome.reason else line)
    named_alone = arguments.document_id is not None
    if named_alone and outcomes[0].result == operations.REFUSED:
        return REFUSED
    return OK


def add_commands(areas: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``queues`` and ``documents`` areas to the ``justicia`` parser."""
    queues = areas.add_parser("queues", help="dead-letter queues").add_subparsers(
        dest="command", required=True
    )
    command = queues.add_parser(
        "redrive", parents=[common], help="move dead letters back to their queue"
    )
    command.add_argument("queue", choices=("ocr", "signing", "textract"))
    command.add_argument("--limit", type=int, help="move at most this many")
    command.set_defaults(run=redrive)

    documents = areas.add_parser("documents", help="court documents")
    commands = documents.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "reprocess",
        parents=[common],
        help="put a failed or stuck document (or a case's) back on its way",
    )
    command.add_argument("case_id")
    command.add_argument("document_id", nargs="?")
    command.set_defaults(run=reprocess)
