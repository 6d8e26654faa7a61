"""The ``justicia users`` operator CLI against the session's local stack."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.audit import entries_for
from cli.main import CONFIGURATION, NOT_FOUND, OK, REFUSED, USAGE, main
from tests.functional import accounts
from tests.support import Api

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["users", *argv, "--operator", "tester"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out) if code == OK else err


@pytest.mark.usefixtures("stack")
def test_create_then_sign_in_with_the_shown_password(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    username = accounts.unique("cli-clerk")
    code, out, _ = run(
        capsys,
        "create",
        username,
        "--role",
        "CLERK",
        "--full-name",
        "Nadia Katiba",
        "--court",
        "TPI-RABAT",
        "--court",
        "TPI-SALE",
    )
    assert code == OK
    assert "Utilisateur créé." in out
    password = out.strip().splitlines()[-1]
    accounts.first_sign_in(api, username, password)

    [record] = [
        e for e in entries_for(f"user#{username}") if e["action"] == "CREATE_USER"
    ]
    assert record["actor"] == "cli:tester" and record["role"] == "OPERATOR"


@pytest.mark.usefixtures("stack")
def test_every_command_round_trip(capsys: pytest.CaptureFixture[str]) -> None:
    username = accounts.unique("cli-citizen")
    code, created = run_json(
        capsys,
        "create",
        username,
        "--role",
        "CITIZEN",
        "--full-name",
        "Hamza Mouwatin",
        "--national-id",
        "ef123456",
    )
    assert code == OK and created["national_id"] == "EF****56"
    assert created["temporary_password"]

    code, listed = run_json(capsys, "list", "--role", "CITIZEN", "--search", "hamza")
    assert code == OK and username in [u["username"] for u in listed]

    code, shown = run_json(capsys, "show", username)
    assert code == OK and shown["login_status"] == "FORCE_CHANGE_PASSWORD"

    code, reset = run_json(capsys, "reset-password", username)
    assert code == OK and reset["temporary_password"] != created["temporary_password"]

    code, changed = run_json(
        capsys, "set-role", username, "LAWYER", "--bar", "Rabat", "--roll-number", "9"
    )
    assert code == OK and changed["role"] == "LAWYER"

    assert run_json(capsys, "deactivate", username)[1]["active"] is False
    code, listed = run_json(capsys, "list", "--inactive", "--search", username)
    assert [u["username"] for u in listed] == [username]
    assert run_json(capsys, "reactivate", username)[1]["active"] is True

    actions = {e["action"] for e in entries_for(f"user#{username}")}
    assert {
        "CREATE_USER",
        "RESET_PASSWORD",
        "CHANGE_ROLE",
        "DEACTIVATE_USER",
        "REACTIVATE_USER",
    } <= actions


@pytest.mark.usefixtures("stack")
@pytest.mark.parametrize(
    ("argv", "expected", "says"),
    [
        (("show", "nobody-here"), NOT_FOUND, "not_found"),
        (("reactivate", "clerk"), REFUSED, "conflict"),
        (
            ("create", "clerk", "--role", "ADMIN", "--full-name", "X"),
            REFUSED,
            "user_exists",
        ),
        (
            ("create", "x-judge", "--role", "JUDGE", "--full-name", "X"),
            USAGE,
            "courts is required",
        ),
        (
            ("set-role", "clerk", "CLERK", "--court", "TPI-NOWHERE"),
            USAGE,
            "unknown court",
        ),
    ],
)
def test_failures_have_exit_codes_and_say_why(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: int, says: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == expected
    assert says in err and out == ""
    assert len(set(err.splitlines())) == len(err.splitlines()), "a line said twice"


def test_arabic_messages(capsys: pytest.CaptureFixture[str], stack: Any) -> None:
    code, _, err = run(capsys, "show", "nobody-here", "--lang", "ar")
    assert code == NOT_FOUND
    assert "المورد غير موجود" in err


def test_language_and_json_go_before_or_after_the_command(
    capsys: pytest.CaptureFixture[str], stack: Any
) -> None:
    code = main(["--lang", "ar", "users", "show", "nobody-here"])
    assert code == NOT_FOUND
    assert "المورد غير موجود" in capsys.readouterr().err
    assert main(["--json", "--lang", "ar", "users", "list", "--lang", "fr"]) == OK
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_bad_usage_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["users", "set-role", "clerk", "OWNER"])
    assert exited.value.code == USAGE


def test_a_missing_region_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert main(["users", "list"]) == CONFIGURATION
    assert "AWS_REGION" in capsys.readouterr().err


def run_module(args: list[str], environment: dict[str, str]) -> Any:
    """``python -m cli ARGS`` in the repository, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.usefixtures("stack")
def test_module_entry_point_finds_the_pool_by_name() -> None:
    environment = {**os.environ, "JUSTICIA_USER_POOL_ID": ""}
    answer = run_module(["users", "show", "admin", "--json"], environment)
    assert answer.returncode == OK, answer.stderr
    assert json.loads(answer.stdout)["role"] == "ADMIN"


@pytest.mark.usefixtures("stack")
def test_the_audit_entries_of_a_run_carry_its_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    username = accounts.unique("cli-run-id")
    argv = ["users", "create", username, "--role", "CLERK", "--court", "TPI-RABAT"]
    argv += ["--full-name", "Run Id"]

    assert main([*argv, "--operator", "tester"], request_id="cli-run-0001") == OK

    capsys.readouterr()
    [record] = [
        e for e in entries_for(f"user#{username}") if e["action"] == "CREATE_USER"
    ]
    assert record["request_id"] == "cli-run-0001"


def closed_local_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("fr", "Identifiant de la requête (local: AWS n'en a donné aucun): "),
        ("ar", "معرف الطلب (محلي: لم تقدم AWS أي معرف): "),
    ],
)
def test_with_aws_unreachable_a_local_id_is_printed_to_quote(
    language: str, says: str
) -> None:
    environment = {
        **os.environ,
        "JUSTICIA_AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_local_port()}",
        "JUSTICIA_USER_POOL_ID": "eu-west-3_unreachable",
    }
    answer = run_module(["users", "list", "--lang", language], environment)

    assert answer.returncode == 1, answer.stderr
    assert re.search(re.escape(says) + r"cli-[0-9a-f]{32}$", answer.stderr, re.M)
