"""``justicia users create|list|show|reset-password|set-role|deactivate|reactivate``.

The commands call ``chalicelib.users``, the services behind the API, so the
same rules hold (the last active admin stays, every change is audited, with
``cli:<operator>`` as the actor). Where AWS is comes from the environment, as
for the API: ``JUSTICIA_AWS_ENDPOINT_URL`` for the local stack (dummy
credentials are then filled in), the operator's own credentials for a stage.
Without ``JUSTICIA_USER_POOL_ID`` the pool is found by its name,
``justicia-<stage>-users``.

Exit codes: 0 done, 1 unexpected failure, 2 bad usage or input, 3 no such
user, 4 refused by the current state (taken username, last admin, already
(in)active), 5 configuration missing (region, user pool).

An unexpected failure prints a request id to quote to support: the one AWS
gave the failed call, or, when AWS gave none (unreachable, say), the run's own
``cli-<hex>`` id, said to be local; the audit entries of the run carry it too.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import uuid
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.audit import Actor
    from chalicelib.errors import JusticiaError

OK, FAILED, USAGE, NOT_FOUND, REFUSED, CONFIGURATION = 0, 1, 2, 3, 4, 5
ROLES = ("ADMIN", "JUDGE", "CLERK", "LAWYER", "CITIZEN")
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
TEXT: dict[str, dict[str, str]] = {
    "created": {"fr": "Utilisateur créé.", "ar": "تم إنشاء المستخدم."},
    "reset": {"fr": "Mot de passe réinitialisé.", "ar": "تمت إعادة تعيين كلمة المرور."},
    "role_changed": {"fr": "Rôle modifié.", "ar": "تم تغيير الدور."},
    "deactivated": {"fr": "Utilisateur désactivé.", "ar": "تم تعطيل المستخدم."},
    "reactivated": {"fr": "Utilisateur réactivé.", "ar": "تمت إعادة تفعيل المستخدم."},
    "once": {
        "fr": "Mot de passe temporaire (affiché une seule fois, à changer "
        "à la première connexion):",
        "ar": "كلمة مرور مؤقتة (تعرض مرة واحدة، وتغير عند أول دخول):",
    },
    "none": {"fr": "Aucun utilisateur.", "ar": "لا يوجد مستخدمون."},
    "no_region": {
        "fr": "Région absente: définissez AWS_REGION ou AWS_DEFAULT_REGION.",
        "ar": "المنطقة غير محددة: عرّفوا AWS_REGION أو AWS_DEFAULT_REGION.",
    },
    "no_pool": {
        "fr": "Pool d'utilisateurs introuvable: définissez JUSTICIA_USER_POOL_ID.",
        "ar": "مجمع المستخدمين غير موجود: عرّفوا JUSTICIA_USER_POOL_ID.",
    },
    "aws_request_id": {
        "fr": "Identifiant de la requête (donné par AWS): {id}",
        "ar": "معرف الطلب (قدمته AWS): {id}",
    },
    "local_request_id": {
        "fr": "Identifiant de la requête (local: AWS n'en a donné aucun): {id}",
        "ar": "معرف الطلب (محلي: لم تقدم AWS أي معرف): {id}",
    },
}


class ConfigurationMissing(Exception):
    """The environment does not say where the stage's AWS resources are."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def main(argv: list[str] | None = None, request_id: str | None = None) -> int:
    """Run one command; return its exit code (the console script exits with it).

    ``request_id`` names the run (default ``cli-<random hex>``): its audit
    entries carry it, and a failure AWS gave no id for prints it.
    """
    arguments = parser().parse_args(argv)
    arguments.request_id = request_id or local_request_id()
    language = arguments.lang
    try:
        prepare_environment(os.environ)
        return int(arguments.run(arguments, language))
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except ConfigurationMissing as exc:
        print(TEXT[exc.key][language], file=sys.stderr)
        return CONFIGURATION
    except Exception as exc:  # noqa: BLE001 - every failure becomes an exit code
        return report_error(exc, language, arguments.request_id)


def local_request_id() -> str:
    """A new id for a run of the CLI, e.g. ``cli-4f1c...`` (32 hex digits)."""
    return f"cli-{uuid.uuid4().hex}"


def prepare_environment(environ: MutableMapping[str, str]) -> None:
    """Make the process safe and find the stage's user pool.

    Instance metadata is never consulted: credentials come from the
    environment or the operator's profile, or are dummies for the local stack.
    """
    environ["AWS_EC2_METADATA_DISABLED"] = "true"
    # The services log JSON to stdout, which is the CLI's output: keep quiet.
    environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    if environ.get("JUSTICIA_AWS_ENDPOINT_URL"):
        for name, value in LOCAL_CREDENTIALS.items():
            environ.setdefault(name, value)
    if not (environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")):
        raise ConfigurationMissing("no_region")
    if not environ.get("JUSTICIA_USER_POOL_ID"):
        environ["JUSTICIA_USER_POOL_ID"] = find_user_pool()
        from chalicelib.config import get_settings

        get_settings.cache_clear()


def find_user_pool() -> str:
    """The id of the pool named ``justicia-<stage>-users``, as provisioned."""
    from chalicelib.aws import client
    from chalicelib.config import get_settings

    name = f"justicia-{get_settings().stage}-users"
    pages = client("cognito-idp").get_paginator("list_user_pools")
    for page in pages.paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return str(pool["Id"])
    raise ConfigurationMissing("no_pool")


def report_error(exc: Exception, language: str, request_id: str) -> int:
    """Print the error in the operator's language; return its exit code.

    An unexpected failure (exit 1) also prints the request id to quote:
    AWS's when it gave one, else ``request_id``, said to be local.
    """
    from chalicelib.errors import (
        Conflict,
        JusticiaError,
        NotFound,
        ValidationFailed,
    )

    error = exc
    if not isinstance(error, JusticiaError):
        error = JusticiaError(f"{type(exc).__name__}: {exc}")
    print(describe(error, language), file=sys.stderr)
    if isinstance(error, ValidationFailed):
        return USAGE
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, Conflict):
        return REFUSED
    print(request_line(exc, language, request_id), file=sys.stderr)
    return FAILED


def request_line(exc: BaseException, language: str, request_id: str) -> str:
    """The id to quote to support, and whether AWS or the CLI made it."""
    given = aws_request_id(exc)
    if given:
        return TEXT["aws_request_id"][language].format(id=given)
    return TEXT["local_request_id"][language].format(id=request_id)


def aws_request_id(exc: BaseException) -> str | None:
    """The request id AWS answered the failed call with, if it answered.

    Looked for along the causes: a botocore ``ClientError`` keeps it in its
    response, wrapped ``from`` it by our services or held as ``cause`` by
    PynamoDB. A call that never reached AWS (no connection) has none.
    """
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        response = getattr(current, "response", None)
        if isinstance(response, dict):
            found = (response.get("ResponseMetadata") or {}).get("RequestId")
            if found:
                return str(found)
        causes = (
            current.__cause__,
            current.__context__,
            getattr(current, "cause", None),
        )
        pending += [c for c in causes if isinstance(c, BaseException)]
    return None


def describe(exc: JusticiaError, language: str) -> str:
    """One line per problem: the message, the reason, then each bad field."""
    error = exc.body(language, "-")["error"]
    lines = [f"{error['message']} ({error['code']})"]
    if error.get("reason"):
        lines.append(f"  {error['reason']}")
    lines += [f"  {d['field']}: {d['reason']}" for d in error.get("details", [])]
    return "\n".join(dict.fromkeys(lines))  # a reason that is also a field's, once


def actor(arguments: argparse.Namespace) -> Actor:
    """The operator as the audit trail records them, e.g. ``cli:amina``."""
    from chalicelib.audit import Actor

    operator = arguments.operator or os.environ.get("JUSTICIA_OPERATOR")
    return Actor(
        username=f"cli:{operator or getpass.getuser()}",
        role="OPERATOR",
        request_id=getattr(arguments, "request_id", None) or local_request_id(),
    )


def validated(model_name: str, values: dict[str, Any]) -> Any:
    """Build a request model; raise ``ValidationFailed`` naming each bad field."""
    from pydantic import ValidationError

    from chalicelib import schemas
    from chalicelib.errors import ValidationFailed

    model = getattr(schemas, model_name)
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise ValidationFailed(
            "invalid arguments",
            [
                {
                    "field": ".".join(map(str, e["loc"])) or "arguments",
                    "reason": e["msg"],
                }
                for e in exc.errors(include_url=False, include_input=False)
            ],
        ) from exc


def grant_values(arguments: argparse.Namespace) -> dict[str, Any]:
    """The role and its attributes from the command line."""
    return {
        "role": arguments.role,
        "courts": arguments.court or None,
        "bar": arguments.bar,
        "roll_number": arguments.roll_number,
        "national_id": arguments.national_id,
    }


def show(body: Any, arguments: argparse.Namespace, title: str | None = None) -> None:
    """Print ``body`` as JSON (``--json``) or as aligned ``key  value`` lines."""
    if arguments.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return
    if title:
        print(TEXT[title][arguments.lang])
    for key, value in body.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        print(f"{key:<20} {'' if value is None else value}")


def show_password(password: str, arguments: argparse.Namespace) -> None:
    """Print the temporary password on its own line, after a warning."""
    if not arguments.json:
        print(TEXT["once"][arguments.lang])
        print(password)


def create(arguments: argparse.Namespace, language: str) -> int:
    """``users create USERNAME --role R --full-name N [...]``."""
    from chalicelib import users

    request = validated(
        "CreateUserRequest",
        {
            "username": arguments.username,
            "full_name": arguments.full_name,
            "email": arguments.email,
            **grant_values(arguments),
        },
    )
    issued = users.create_user(request, actor(arguments))
    body = users.user_json(issued.profile, full=True)
    if arguments.json:
        body["temporary_password"] = issued.temporary_password
    show(body, arguments, "created")
    show_password(issued.temporary_password, arguments)
    return OK


def list_users(arguments: argparse.Namespace, language: str) -> int:
    """``users list [--role R] [--court C] [--active|--inactive] [--search S]``."""
    from chalicelib import users

    rows = users.list_users(
        role=arguments.role,
        court=arguments.court,
        active=arguments.active,
        search=arguments.search,
    )
    if arguments.json:
        print(json.dumps([users.user_json(r) for r in rows], ensure_ascii=False))
        return OK
    if not rows:
        print(TEXT["none"][language])
    for row in rows:
        state = "active" if row.active else "INACTIVE"
        scope = ",".join(str(c) for c in row.courts or []) or row.bar or ""
        print(
            f"{row.username:<28} {row.role:<8} {state:<8} {scope:<24} {row.full_name}"
        )
    return OK


def show_user(arguments: argparse.Namespace, language: str) -> int:
    """``users show USERNAME``: the profile and Cognito's status of the login."""
    from chalicelib import identity, users
    from chalicelib.errors import NotFound

    profile = users.get_user(arguments.username)
    body = users.user_json(profile, full=True)
    try:
        login = identity.login_status(profile.username)
        body["login_status"], body["login_enabled"] = login["status"], login["enabled"]
    except NotFound:
        body["login_status"] = None
    show(body, arguments)
    return OK


def reset_password(arguments: argparse.Namespace, language: str) -> int:
    """``users reset-password USERNAME``: a new temporary password, shown once."""
    from chalicelib import users

    issued = users.reset_password(arguments.username, actor(arguments))
    body: dict[str, Any] = {"username": issued.profile.username}
    if arguments.json:
        body["temporary_password"] = issued.temporary_password
    show(body, arguments, "reset")
    show_password(issued.temporary_password, arguments)
    return OK


def set_role(arguments: argparse.Namespace, language: str) -> int:
    """``users set-role USERNAME ROLE [--court C ...] [--bar B --roll-number R]``."""
    from chalicelib import users

    grant = validated("SetRoleRequest", grant_values(arguments))
    profile = users.set_role(arguments.username, grant, actor(arguments))
    show(users.user_json(profile, full=True), arguments, "role_changed")
    return OK


def switch(activate: bool) -> Callable[[argparse.Namespace, str], int]:
    """``users deactivate USERNAME`` or ``users reactivate USERNAME``."""

    def run(arguments: argparse.Namespace, language: str) -> int:
        from chalicelib import users

        change = users.reactivate if activate else users.deactivate
        profile = change(arguments.username, actor(arguments))
        title = "reactivated" if activate else "deactivated"
        show(users.user_json(profile), arguments, title)
        return OK

    return run


def parser() -> argparse.ArgumentParser:
    """The command line: ``justicia users <command> ...``."""
    root = argparse.ArgumentParser(prog="justicia", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    # --json and --lang are read before or after the command: the command's
    # copy defaults to "not given", so it never hides the one before it.
    for where, default in ((root, None), (common, argparse.SUPPRESS)):
        where.add_argument(
            "--json",
            action="store_true",
            default=False if default is None else default,
            help="print JSON",
        )
        where.add_argument(
            "--lang",
            choices=("fr", "ar"),
            default=_default_language() if default is None else default,
            help="language of messages (default from LANG, else French)",
        )
    common.add_argument(
        "--operator", help="who acts, for the audit (default: JUSTICIA_OPERATOR, user)"
    )
    areas = root.add_subparsers(dest="area", required=True)
    users = areas.add_parser("users", help="user administration").add_subparsers(
        dest="command", required=True
    )
    _create_command(users, common)
    _list_command(users, common)
    for name, run, text in (
        ("show", show_user, "show one user"),
        ("reset-password", reset_password, "issue a temporary password"),
        ("deactivate", switch(False), "refuse the user from now on"),
        ("reactivate", switch(True), "let an inactive user sign in again"),
    ):
        command = users.add_parser(name, parents=[common], help=text)
        command.add_argument("username")
        command.set_defaults(run=run)
    role = users.add_parser("set-role", parents=[common], help="change the role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    _grant_options(role)
    role.set_defaults(run=set_role)
    from cli.operations import add_commands  # it imports this module

    add_commands(areas, common)
    from cli.search import add_commands as add_search_commands

    add_search_commands(areas, common)
    from cli.audit import add_commands as add_audit_commands
    from cli.audit import add_report_commands

    add_audit_commands(areas, common)
    add_report_commands(areas, common)
    return root


def _default_language() -> str:
    """Arabic when the operator's ``LANG`` is Arabic, else French."""
    return "ar" if os.environ.get("LANG", "").startswith("ar") else "fr"


def _create_command(users: Any, common: argparse.ArgumentParser) -> None:
    command = users.add_parser("create", parents=[common], help="create a user")
    command.add_argument("username")
    command.add_argument("--role", required=True, choices=ROLES)
    command.add_argument("--full-name", required=True)
    command.add_argument("--email")
    _grant_options(command)
    command.set_defaults(run=create)


def _list_command(users: Any, common: argparse.ArgumentParser) -> None:
    command = users.add_parser("list", parents=[common], help="list users")
    command.add_argument("--role", choices=ROLES)
    command.add_argument("--court")
    command.add_argument("--search", help="part of the username or full name")
    state = command.add_mutually_exclusive_group()
    state.add_argument("--active", dest="active", action="store_true", default=None)
    state.add_argument("--inactive", dest="active", action="store_false")
    command.set_defaults(run=list_users)


def _grant_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--court", action="append", help="a court served (judges, clerks); repeat"
    )
    command.add_argument("--bar", help="bar association (lawyers)")
    command.add_argument("--roll-number", help="roll number at the bar (lawyers)")
    command.add_argument("--national-id", help="national ID, CIN (citizens)")
