"""Send a scan to a case through the API, as the web app does, and follow it.

``python -m devstack.upload FILE --case CASE_ID [--user clerk]`` signs in,
announces the document, uploads it with the presigned form and prints each
status until the document is signed or failed.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
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


def follow(api: str, headers: dict[str, str], case_id: str, document_id: str) -> None:
    """Print the document's status until it is final, then its summary."""
    url = f"{api}/cases/{case_id}/documents/{document_id}"
    last = ""
    while True:
        document = requests.get(url, headers=headers, timeout=10).json()
        if document["status"] != last:
            last = document["status"]
            print(last, document.get("reason", ""), flush=True)
        if last in FINAL:
            break
        time.sleep(1)
    summary = {k: document[k] for k in ("pages", "language", "sha256", "signature")}
    print(json.dumps(summary, ensure_ascii=False, indent=2))


def main() -> None:
    """Parse the command line and send the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--case", required=True, help="the case id")
    parser.add_argument("--user", default="clerk")
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    arguments = parser.parse_args()
    headers = sign_in(arguments.api, arguments.user)
    document_id = send(arguments.api, headers, arguments.case, arguments.file)
    print(f"document {document_id}")
    follow(arguments.api, headers, arguments.case, document_id)


if __name__ == "__main__":
    main()
