"""Send a scan to a case through the API, as the web app does, and follow it.

``python -m devstack.upload FILE --case CASE_ID [--user clerk]`` signs in,
announces the document, uploads it with the presigned form and prints each
status until the document is signed or failed.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import time
from pathlib import Path
from typing import Any

import requests

from devstack.provision import demo_password

FINAL = ("SIGNED", "FAILED")


def sign_in(api: str, username: str) -> dict[str, str]:
    """Return the bearer header of a demo user."""
    answer = requests.post(
        f"{api}/auth/login",
        json={"username": username, "password": demo_password()},
        timeout=10,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['id_token']}"}


def send(api: str, headers: dict[str, str], case_id: str, path: Path) -> str:
    """Announce and upload ``path``; return the document id."""
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    data = path.read_bytes()
    answer = requests.post(
        f"{api}/cases/{case_id}/documents",
        headers=headers,
        json={"filename": path.name, "content_type": content_type, "size": len(data)},
        timeout=10,
    )
    if answer.status_code != 201:
        raise SystemExit(f"refused ({answer.status_code}): {answer.text}")
    document: dict[str, Any] = answer.json()
    form = document["upload"]
    requests.post(
        form["url"],
        data=form["fields"],
        files={"file": (path.name, data, content_type)},
        timeout=60,
    ).raise_for_status()
    return str(document["document_id"])


def follow(
    api: str, headers: dict[str, str], case_id: str, document_id: str, seconds: float
) -> None:
    """Print each status the document is seen in until it is final (or time out).

    Statuses are polled once a second, so a quick step may not be seen.
    """
    url = f"{api}/cases/{case_id}/documents/{document_id}"
    last = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        document = requests.get(url, headers=headers, timeout=10).json()
        if document["status"] != last:
            last = document["status"]
            print(last, document.get("reason", ""), flush=True)
        if last in FINAL:
            break
        time.sleep(1)
    else:
        raise SystemExit(f"still {last} after {seconds:.0f} s")
    summary = {k: document[k] for k in ("pages", "language", "sha256", "signature")}
    print(json.dumps(summary, ensure_ascii=False, indent=2))


def main() -> None:
    """Parse the command line and send the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--case", required=True, help="the case id")
    parser.add_argument("--user", default="clerk")
    port = os.environ.get("JUSTICIA_API_PORT", "8000")
    parser.add_argument("--api", default=f"http://127.0.0.1:{port}")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait")
    arguments = parser.parse_args()
    headers = sign_in(arguments.api, arguments.user)
    document_id = send(arguments.api, headers, arguments.case, arguments.file)
    print(f"document {document_id}")
    follow(arguments.api, headers, arguments.case, document_id, arguments.timeout)


if __name__ == "__main__":
    main()
