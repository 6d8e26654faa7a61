"""User administration: a profile in DynamoDB beside each Cognito user.

Each change writes its audit record (CREATE_USER, RESET_PASSWORD, CHANGE_ROLE,
DEACTIVATE_USER, REACTIVATE_USER, LOGOUT) in the same transaction as the
profile, with who acted and the profile before and after; EXPIRE_PASSWORD,
which changes only Cognito, is recorded after it. Names, e-mail
addresses and national IDs stay out of audit details and logs: they are
personal data, kept in the profile only.

The last active administrator can be neither demoted nor deactivated. The
transaction that demotes or deactivates an administrator also checks that
another administrator is still active, so two administrators demoting each
other at the same moment cannot both succeed.

The API and the ``justicia`` operator CLI call these same functions.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib import audit, identity
from chalicelib.court_time import court_iso
from chalicelib.errors import (
    Conflict,
    LastActiveAdmin,
    NotFound,
    UserExists,
    ValidationFailed,
)
from chalicelib.models import AuditModel, UserModel, connection
from chalicelib.observability import logger
from chalicelib.personal import mask_national_id, national_id_digest
from chalicelib.schemas import CreateUserRequest, RoleGrant

TEMPORARY_PASSWORD_LENGTH = 16
# Symbols the pool's policy counts, chosen to need no quoting in a shell.
PASSWORD_SYMBOLS = "-_.+=@"  # noqa: S105 - an alphabet, not a secret
AUDITED_FIELDS = ("role", "courts", "bar", "roll_number", "active")
# The ``activity`` of an active profile: the key of the idle-user index.
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class IssuedPassword:
    """A user with a temporary password, to hand over once and never again."""

    profile: UserModel
    temporary_password: str


def create_user(
    request: CreateUserRequest, actor: audit.Actor, now: datetime | None = None
) -> IssuedPassword:
    """Create the Cognito user (role group, temporary password) and the profile.

    Raises ``UserExists`` for a taken username and ``ValidationFailed`` for an
    unknown court. The first sign-in answers ``NEW_PASSWORD_REQUIRED``.
    """
    check_courts(request.courts)
    check_national_id_free(request.national_id, request.username)
    if find_user(request.username) is not None:
        raise UserExists(f"user {request.username} exists")
    created_at = now or datetime.now(UTC)
    password = temporary_password()
    identity.create_login(request.username, password, request.role.value)
    profile = UserModel(
        username=request.username,
        full_name=request.full_name,
        email=request.email,
        active=True,
        created_at=created_at,
        activity=ACTIVE,
        last_active_at=created_at,
    )
    _grant(profile, request)
    entry = audit.AuditEntry(
        action="CREATE_USER",
        target=target_of(profile.username),
        details={"before": None, "after": snapshot(profile)},
    )
    try:
        _commit(profile, entry, actor, created_at, UserModel.username.does_not_exist())
    except Exception:
        identity.delete_login(request.username)
        raise
    logger.info("user created", extra={"role": profile.role})
    return IssuedPassword(profile, password)


def reset_password(
    username: str, actor: audit.Actor, now: datetime | None = None
) -> IssuedPassword:
    """Give the user a new temporary password and end every session.

    The user must choose a new password at the next sign-in.
    """
    profile = get_user(username)
    changed_at = now or datetime.now(UTC)
    password = temporary_password()
    identity.set_temporary_password(profile.username, password)
    identity.sign_out_everywhere(profile.username)
    before = _unchanged_condition(profile)
    profile.signed_out_at = changed_at
    entry = audit.AuditEntry(
        action="RESET_PASSWORD",
        target=target_of(profile.username),
        details={
            "before": {"password": "set"},
            "after": {"password": "temporary, to change at next sign-in"},
        },
    )
    _commit(profile, entry, actor, changed_at, before)
    return IssuedPassword(profile, password)


def set_role(
    username: str, grant: RoleGrant, actor: audit.Actor, now: datetime | None = None
) -> UserModel:
    """Give the user ``grant``'s role and attributes; end every session.

    The attributes of the former role are dropped (a citizen made a lawyer
    keeps no national ID here). Raises ``LastActiveAdmin`` when this would
    demote the last active administrator.
    """
    check_courts(grant.courts)
    check_national_id_free(grant.national_id, username)
    profile = get_user(username)
    changed_at = now or datetime.now(UTC)
    demotes_admin = profile.role == "ADMIN" and grant.role.value != "ADMIN"
    other_admin = _another_active_admin(profile) if demotes_admin else None
    before, condition = snapshot(profile), _unchanged_condition(profile)
    _grant(profile, grant)
    profile.signed_out_at = changed_at
    _commit_change(
        profile, "CHANGE_ROLE", before, condition, actor, changed_at, other_admin
    )
    identity.set_login_role(profile.username, profile.role)
    identity.sign_out_everywhere(profile.username)
    return profile


def deactivate(
    username: str, actor: audit.Actor, now: datetime | None = None
) -> UserModel:
    """Refuse the user from now on: profile inactive, Cognito user disabled.

    Tokens already issued are refused by the authorizer at once (within its
    few seconds of cache). Raises ``LastActiveAdmin`` for the last active
    administrator and ``Conflict`` for a user already inactive.
    """
    profile = get_user(username)
    if not profile.active:
        raise Conflict(f"user {profile.username} is already inactive")
    changed_at = now or datetime.now(UTC)
    other_admin = _another_active_admin(profile) if profile.role == "ADMIN" else None
    before, condition = snapshot(profile), _unchanged_condition(profile)
    profile.active = False
    profile.activity = None
    profile.signed_out_at = changed_at
    _commit_change(
        profile, "DEACTIVATE_USER", before, condition, actor, changed_at, other_admin
    )
    identity.set_login_enabled(profile.username, False)
    identity.sign_out_everywhere(profile.username)
    return profile


def reactivate(
    username: str, actor: audit.Actor, now: datetime | None = None
) -> UserModel:
    """Let an inactive user sign in again (with their current password).

    Tokens issued before the deactivation stay refused; the idle clock starts
    again from now. Raises ``Conflict`` for a user already active.
    """
    profile = get_user(username)
    if profile.active:
        raise Conflict(f"user {profile.username} is already active")
    changed_at = now or datetime.now(UTC)
    identity.set_login_enabled(profile.username, True)
    before, condition = snapshot(profile), _unchanged_condition(profile)
    profile.active = True
    profile.activity, profile.last_active_at = ACTIVE, changed_at
    _commit_change(profile, "REACTIVATE_USER", before, condition, actor, changed_at)
    return profile


def sign_out(username: str, actor: audit.Actor, now: datetime | None = None) -> None:
    """End every session of the user: refresh tokens revoked, tokens refused.

    A token issued in the same second as the sign-out is refused too (token
    times are whole seconds), so a new sign-in may need a second's wait.
    """
    signed_out_at = now or datetime.now(UTC)
    identity.sign_out_everywhere(username)
    entry = audit.AuditEntry(action="LOGOUT", target=target_of(username))
    with TransactWrite(connection=connection()) as transaction:
        transaction.update(
            UserModel(username=username),
            actions=[UserModel.signed_out_at.set(signed_out_at)],
            condition=UserModel.username.exists(),
        )
        transaction.save(audit.build_record(actor, entry, signed_out_at))
    identity.forget_standing(username)


def note_login(username: str, now: datetime | None = None) -> None:
    """Record a successful sign-in in the profile of an active user.

    It also restarts the idle clock (``last_active_at``) and puts the profile
    in the idle-user index; a profile that is missing or inactive is left as is.
    """
    signed_in_at = now or datetime.now(UTC)
    active: Condition = UserModel.active == True  # noqa: E712 - a DynamoDB condition
    try:
        UserModel(username=username).update(
            actions=[
                UserModel.last_login_at.set(signed_in_at),
                UserModel.last_active_at.set(signed_in_at),
                UserModel.activity.set(ACTIVE),
            ],
            condition=UserModel.username.exists() & active,
        )
    except UpdateError:
        logger.info("no active profile to stamp", extra={"stamp": "last_login_at"})


def note_password_changed(username: str, now: datetime | None = None) -> None:
    """Record when the user last chose a password, if there is a profile."""
    _stamp(username, UserModel.password_changed_at, now)


def _stamp(username: str, attribute: Any, now: datetime | None) -> None:
    try:
        UserModel(username=username).update(
            actions=[attribute.set(now or datetime.now(UTC))],
            condition=UserModel.username.exists(),
        )
    except UpdateError:
        logger.info("no profile to stamp", extra={"stamp": attribute.attr_name})


def expire_password(
    username: str, password: str, actor: audit.Actor, now: datetime | None = None
) -> None:
    """Make the password just verified a temporary one, to change at once.

    For a password older than the policy allows: the next sign-in answers
    ``NEW_PASSWORD_REQUIRED`` (until it is answered, the old password keeps
    leading there). Refresh tokens are revoked. Audited as ``EXPIRE_PASSWORD``.

    NOTE: without Cognito's password history (a Plus-tier feature) nothing stops
    the user from choosing the same password again.
    """
    expired_at = now or datetime.now(UTC)
    identity.set_temporary_password(username, password)
    identity.sign_out_everywhere(username)
    entry = audit.AuditEntry(
        action="EXPIRE_PASSWORD",
        target=target_of(username),
        details={
            "before": {"password": "set"},
            "after": {"password": "temporary, to change at next sign-in"},
        },
    )
    audit.build_record(actor, entry, expired_at).save(
        condition=AuditModel.entry_key.does_not_exist()
    )


def idle_users(since: datetime) -> list[str]:
    """Active users idle since ``since``, oldest first (one index query).

    Idle: no sign-in, creation or reactivation since then.

    NOTE: profiles written before the index existed join it at their next
    sign-in; until then (or a one-off back-fill) the job cannot see them.
    """
    rows = UserModel.activity_index.query(
        ACTIVE,
        UserModel.last_active_at < since,
        attributes_to_get=["username"],
    )
    return [str(row.username) for row in rows]


def find_user(username: str) -> UserModel | None:
    """Return the profile of ``username``, or None."""
    try:
        return UserModel.get(username.strip().lower(), consistent_read=True)
    except DoesNotExist:
        return None


def get_user(username: str) -> UserModel:
    """Return the profile of ``username`` or raise ``NotFound``."""
    profile = find_user(username)
    if profile is None:
        raise NotFound(f"user {username} not found")
    return profile


def list_users(
    role: str | None = None,
    court: str | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> list[UserModel]:
    """Every profile matching the filters, by username.

    ``search`` matches part of the username or full name, case-insensitively.

    One query of the ``role-username`` index per role asked for (all five
    without a role). NOTE: the list is not paginated; it suits the thousands
    of users of the courts, not a national directory of citizens.
    """
    needle = (search or "").strip().casefold()
    roles = [role] if role else list(identity.ROLES)
    rows = [
        row
        for each in roles
        for row in UserModel.role_index.query(each)
        if (court is None or court in (row.courts or []))
        and (active is None or bool(row.active) is active)
        and (
            not needle
            or needle in row.username.casefold()
            or needle in row.full_name.casefold()
        )
    ]
    return sorted(rows, key=lambda row: row.username)


def judges_of(court_code: str) -> list[dict[str, str]]:
    """The active judges serving ``court_code``: username and full name.

    What a clerk chooses a reporting judge from. One query of the role
    index; judges of other courts and inactive ones are filtered out by it.
    """
    serving: Condition = (UserModel.active == True) & UserModel.courts.contains(  # noqa: E712
        court_code
    )
    rows = UserModel.role_index.query("JUDGE", filter_condition=serving)
    return [{"username": row.username, "full_name": row.full_name} for row in rows]


def user_json(profile: UserModel, full: bool = False) -> dict[str, Any]:
    """Render a profile; ``full`` adds e-mail and national ID (personal data)."""
    body: dict[str, Any] = {
        "username": profile.username,
        "role": profile.role,
        "full_name": profile.full_name,
        "active": bool(profile.active),
        "courts": list(profile.courts or []),
        "bar": profile.bar,
        "roll_number": profile.roll_number,
        "created_at": _iso(profile.created_at),
        "last_login_at": _iso(profile.last_login_at),
        "password_changed_at": _iso(profile.password_changed_at),
    }
    if full:
        body["email"] = profile.email
        body["national_id"] = profile.national_id_masked
    return body


def _iso(moment: datetime | None) -> str | None:
    return court_iso(moment)


def snapshot(profile: UserModel) -> dict[str, Any]:
    """What the audit trail keeps of a profile: role, scope and active flag."""
    values = {name: getattr(profile, name) for name in AUDITED_FIELDS}
    values["courts"] = list(values["courts"] or [])
    values["national_id"] = "set" if profile.national_id_digest else None
    return values


def target_of(username: str) -> str:
    """The audit target of a user, e.g. ``user#clerk``."""
    return f"user#{username}"


def temporary_password() -> str:
    """A random password meeting the pool's policy (16 characters, 4 classes)."""
    classes = (
        string.ascii_lowercase,
        string.ascii_uppercase,
        string.digits,
        PASSWORD_SYMBOLS,
    )
    alphabet = "".join(classes)
    while True:
        password = "".join(
            secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH)
        )
        if all(any(c in group for c in password) for group in classes):
            return password


def check_national_id_free(national_id: str | None, username: str) -> None:
    """Refuse a national ID another user already holds (409).

    A CIN names one person: two accounts holding it would both see that
    person's cases. NOTE: checked by a query before the write, not inside it;
    two administrators giving one CIN at the same instant could both pass.
    """
    if not national_id:
        return
    holders = UserModel.national_id_index.query(national_id_digest(national_id))
    if any(holder.username != username for holder in holders):
        raise Conflict("this national ID belongs to another user")


def check_courts(courts: list[str] | None) -> None:
    """Raise ``ValidationFailed`` naming the first court not in the judicial map."""
    if not courts:
        return
    from chalicelib.courts import list_courts

    known = list_courts()
    for court in courts:
        if court not in known:
            raise ValidationFailed.field("courts", f"unknown court {court!r}")


def _grant(profile: UserModel, grant: RoleGrant) -> None:
    profile.role = grant.role.value
    courts: Any = list(grant.courts or [])  # PynamoDB types lists as attributes
    profile.courts = courts
    profile.bar = grant.bar
    profile.roll_number = grant.roll_number
    national_id = grant.national_id
    profile.national_id_digest = (
        national_id_digest(national_id) if national_id else None
    )
    profile.national_id_masked = mask_national_id(national_id) if national_id else None


def _unchanged_condition(profile: UserModel) -> Condition:
    """The profile still has the role and active flag it was read with."""
    condition: Condition = (UserModel.role == profile.role) & (
        UserModel.active == bool(profile.active)
    )
    return condition


def _active_admin() -> Condition:
    condition: Condition = (UserModel.role == "ADMIN") & (
        UserModel.active == True  # noqa: E712 - a DynamoDB condition, not a test
    )
    return condition


def _another_active_admin(profile: UserModel) -> str:
    """An active administrator other than ``profile``; else ``LastActiveAdmin``."""
    if not profile.active:
        return ""
    active: Condition = UserModel.active == True  # noqa: E712 - a condition
    admins = UserModel.role_index.query("ADMIN", filter_condition=active)
    for row in admins:
        if row.username != profile.username:
            return str(row.username)
    raise LastActiveAdmin(f"{profile.username} is the last active administrator")


def _commit_change(
    profile: UserModel,
    action: str,
    before: dict[str, Any],
    condition: Condition,
    actor: audit.Actor,
    now: datetime,
    other_admin: str | None = None,
) -> None:
    """Commit a change of ``profile`` audited as ``action`` with before and after."""
    entry = audit.AuditEntry(
        action=action,
        target=target_of(profile.username),
        details={"before": before, "after": snapshot(profile)},
    )
    _commit(profile, entry, actor, now, condition, other_admin)


def _commit(
    profile: UserModel,
    entry: audit.AuditEntry,
    actor: audit.Actor,
    now: datetime,
    condition: Condition,
    other_admin: str | None = None,
) -> None:
    """Write the profile and its audit record at once, under ``condition``.

    With ``other_admin``, also check that this administrator is still active.
    """
    try:
        with TransactWrite(connection=connection()) as transaction:
            if other_admin:
                transaction.condition_check(
                    UserModel, other_admin, condition=_active_admin()
                )
            transaction.save(profile, condition=condition)
            transaction.save(audit.build_record(actor, entry, now))
    except TransactWriteError as exc:
        refusal = _refusal(exc, profile, entry, bool(other_admin))
        if refusal is None:
            raise
        raise refusal from exc
    finally:
        identity.forget_standing(profile.username)


def _refusal(
    exc: TransactWriteError, profile: UserModel, entry: audit.AuditEntry, checked: bool
) -> Exception | None:
    codes = [reason.code if reason else None for reason in exc.cancellation_reasons]
    failed = "ConditionalCheckFailed"
    if checked and codes and codes[0] == failed:
        return LastActiveAdmin(f"{profile.username} is the last active administrator")
    if failed in codes and entry.action == "CREATE_USER":
        return UserExists(f"user {profile.username} exists")
    if failed in codes:
        return Conflict(f"user {profile.username} changed meanwhile; try again")
    return None
