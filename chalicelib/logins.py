"""Signing in safely: a rate limit per address, locks per username, password age.

``log_in`` is what ``POST /auth/login`` does, in this order:

1. Attempts from one source address are counted per clock minute
   (``LOGINIP#<address>#<minute>`` in the registry table, an atomic ADD, by
   ``chalicelib.limits``). Past
   ``ip_per_minute`` the attempt is refused with 429 ``too_many_requests``
   before Cognito is asked, and audited ``LOGIN_RATE_LIMITED`` on
   ``ip#<address>``.
2. A locked username is refused with 429 ``account_locked``, whatever the
   password.
3. Cognito checks the password. A failure appends its time to
   ``LOGINFAIL#<username>`` (an atomic list append); when the failures of the
   last ``window_seconds`` reach ``max_failures``, one conditional update locks
   the username for ``lock_seconds``, so concurrent failures lock it once. The
   lock is audited ``ACCOUNT_LOCKED`` on ``user#<username>``, and the attempt
   that locks answers ``account_locked`` already. Unknown usernames are counted
   and locked alike: the answers tell nobody which usernames exist.
4. A success clears the failures. When the profile's password is older than
   ``password_max_age_days``, the password is made temporary and the answer is
   the ``NEW_PASSWORD_REQUIRED`` challenge instead of tokens.

Every attempt is audited ``LOGIN`` on ``user#<username>`` with its outcome and
source address. Guard items expire by DynamoDB's TTL (``expires_at``), which is
lazy, so every read compares the times itself. Usernames and addresses go to
the audit trail only, never to the logs.

NOTE: anyone may lock a username by failing five times: a lock is a nuisance
an attacker can cause, the price of stopping password guessing. The limit per
address counts each IPv6 address alone (not its /64) and lets a burst across a
minute boundary reach twice the limit; a WAF rate rule in front of API Gateway
is the defence against floods, which here each cost an audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition

from chalicelib import audit, identity, users
from chalicelib.config import LoginPolicy, get_settings
from chalicelib.errors import (
    AccountLocked,
    InvalidCredentials,
    JusticiaError,
    TooManyRequests,
)
from chalicelib.limits import UNKNOWN_ADDRESS, count_this_minute
from chalicelib.models import AuditModel, RegistryModel
from chalicelib.observability import count

CONDITION_FAILED = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class Guard:
    """A username's recent failed sign-ins and the end of its lock (epoch s)."""

    failures: tuple[int, ...] = ()
    locked_until: int | None = None

    def locked_at(self, moment: datetime) -> bool:
        """Whether the username is locked at ``moment``."""
        return self.locked_until is not None and self.locked_until > _epoch(moment)


def log_in(
    username: str,
    password: str,
    actor: audit.Actor,
    now: datetime | None = None,
    policy: LoginPolicy | None = None,
) -> identity.Tokens | identity.Challenge:
    """Sign in with the guards of the module docstring; every attempt audited.

    Raises ``TooManyRequests`` (address over its limit), ``AccountLocked``
    (username locked, or locked by this failure) or ``InvalidCredentials``.
    """
    moment, rules = now or datetime.now(UTC), policy or get_settings().login
    name = username.strip().lower()
    entry = audit.AuditEntry(action="LOGIN", target=users.target_of(name))
    limit_attempts(name, actor, moment, rules)
    guard = read_guard(name)
    if guard.locked_at(moment):
        _refuse_locked(actor, entry, moment)
    try:
        outcome = identity.sign_in(name, password)
    except InvalidCredentials:
        _note_failure(name, actor, entry, moment, rules)
        raise
    if guard.failures:
        clear_failures(name)
    if isinstance(outcome, identity.Tokens) and password_expired(name, moment, rules):
        outcome = _force_new_password(name, password, actor, entry, moment)
    _note_success(name, actor, entry, outcome, moment)
    return outcome


def limit_address(actor: audit.Actor) -> None:
    """Count an attempt of ``actor``'s address now against the login policy."""
    limit_attempts(actor.username, actor, datetime.now(UTC), get_settings().login)


def limit_attempts(
    username: str, actor: audit.Actor, moment: datetime, rules: LoginPolicy
) -> None:
    """Count this attempt for its source address, per clock minute.

    Past the limit, audit ``LOGIN_RATE_LIMITED`` on ``ip#<address>`` and raise
    ``TooManyRequests``.
    """
    address = actor.source_ip or UNKNOWN_ADDRESS
    attempts = count_this_minute("LOGINIP", address, moment)
    if attempts <= rules.ip_per_minute:
        return
    refusal = audit.AuditEntry(
        action="LOGIN_RATE_LIMITED",
        target=f"ip#{address}",
        outcome="REFUSED",
        details={
            "username": username,
            "attempts": attempts,
            "limit_per_minute": rules.ip_per_minute,
        },
    )
    _audit(actor, refusal, moment)
    count("LoginsRateLimited")
    raise TooManyRequests()


def read_guard(username: str) -> Guard:
    """The recent failures and lock of ``username`` (one consistent read)."""
    try:
        item = RegistryModel.get(failure_key(username), consistent_read=True)
    except DoesNotExist:
        return Guard()
    locked_until = int(item.locked_until) if item.locked_until is not None else None
    return Guard(tuple(_stamps(item)), locked_until)


def record_failure(username: str, moment: datetime, rules: LoginPolicy) -> bool:
    """Append a failed sign-in; lock the username when the window is full.

    Returns True only for the failure whose lock took: among concurrent
    failures, exactly one.
    """
    stamp = _epoch(moment)
    item = RegistryModel(pk=failure_key(username))
    item.update(
        actions=[
            RegistryModel.failures.set((RegistryModel.failures | []).append([stamp])),
            RegistryModel.expires_at.set(_at(stamp + _keep_seconds(rules))),
        ]
    )
    seen = _stamps(item)
    recent = [t for t in seen if t > stamp - rules.window_seconds]
    if len(recent) >= rules.max_failures:
        return _lock(username, stamp, rules)
    if len(seen) - len(recent) >= rules.max_failures:
        _forget_stale(username, seen, recent)
    return False


def clear_failures(username: str) -> None:
    """Forget the failures of ``username`` (after a success); a lock stays."""
    try:
        RegistryModel(pk=failure_key(username)).update(
            actions=[RegistryModel.failures.remove()],
            condition=RegistryModel.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise


def password_expired(username: str, moment: datetime, rules: LoginPolicy) -> bool:
    """Whether the profile's password is older than the policy allows.

    A profile without ``password_changed_at`` (the demo users) never expires.
    """
    profile = users.find_user(username)
    if profile is None or profile.password_changed_at is None:
        return False
    limit = timedelta(days=rules.password_max_age_days)
    return bool(profile.password_changed_at < moment - limit)


def failure_key(username: str) -> str:
    """The registry key of a username's failures, e.g. ``LOGINFAIL#clerk``."""
    return f"LOGINFAIL#{username}"


def _lock(username: str, stamp: int, rules: LoginPolicy) -> bool:
    not_locked = RegistryModel.locked_until.does_not_exist() | (
        RegistryModel.locked_until <= stamp
    )
    try:
        RegistryModel(pk=failure_key(username)).update(
            actions=[
                RegistryModel.locked_until.set(stamp + rules.lock_seconds),
                RegistryModel.failures.set([]),
            ],
            condition=not_locked,
        )
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def _forget_stale(username: str, seen: list[int], recent: list[int]) -> None:
    """Keep only the recent failures, unless another failure came meanwhile."""
    try:
        kept: Any = recent  # PynamoDB types list values as attributes
        RegistryModel(pk=failure_key(username)).update(
            actions=[RegistryModel.failures.set(kept)],
            condition=_length_is(len(seen)),
        )
    except UpdateError as exc:
        if exc.cause_response_code != CONDITION_FAILED:
            raise


def _note_failure(
    username: str,
    actor: audit.Actor,
    entry: audit.AuditEntry,
    moment: datetime,
    rules: LoginPolicy,
) -> None:
    """Audit and count a failure; raise ``AccountLocked`` if it locked."""
    locked = record_failure(username, moment, rules)
    entry.outcome = "FAILURE"
    _audit(actor, entry, moment)
    count("LoginFailures")
    if not locked:
        return
    lock = audit.AuditEntry(
        action="ACCOUNT_LOCKED",
        target=users.target_of(username),
        details={
            "failures": rules.max_failures,
            "window_seconds": rules.window_seconds,
            "locked_until": _at(_epoch(moment) + rules.lock_seconds).isoformat(),
        },
    )
    _audit(_system(actor), lock, moment)
    count("AccountsLocked")
    raise AccountLocked()


def _refuse_locked(
    actor: audit.Actor, entry: audit.AuditEntry, moment: datetime
) -> None:
    entry.outcome = "REFUSED"
    entry.details = {"reason": "account_locked"}
    _audit(actor, entry, moment)
    count("LockedLoginsRefused")
    raise AccountLocked()


def _force_new_password(
    username: str,
    password: str,
    actor: audit.Actor,
    entry: audit.AuditEntry,
    moment: datetime,
) -> identity.Challenge:
    """Expire the (verified) password and sign in again to get the challenge."""
    users.expire_password(username, password, _system(actor), moment)
    count("PasswordsExpired")
    outcome = identity.sign_in(username, password)
    if not isinstance(outcome, identity.Challenge):
        raise JusticiaError("the expired password still gave tokens")
    entry.details = {"reason": "password_expired"}
    return outcome


def _note_success(
    username: str,
    actor: audit.Actor,
    entry: audit.AuditEntry,
    outcome: identity.Tokens | identity.Challenge,
    moment: datetime,
) -> None:
    if isinstance(outcome, identity.Challenge):
        entry.outcome = "CHALLENGE"
        entry.details = {**entry.details, "challenge": outcome.name}
        _audit(actor, entry, moment)
        return
    _audit(actor, entry, moment)
    users.note_login(username, moment)
    count("Logins")


def _system(actor: audit.Actor) -> audit.Actor:
    """The system acting on a sign-in: its request id and source address."""
    return audit.Actor("system", "SYSTEM", actor.request_id, actor.source_ip)


def _audit(actor: audit.Actor, entry: audit.AuditEntry, moment: datetime) -> None:
    audit.build_record(actor, entry, moment).save(
        condition=AuditModel.entry_key.does_not_exist()
    )


def _length_is(length: int) -> Condition:
    """The list of failures holds exactly ``length`` entries."""
    condition: Condition = RegistryModel.failures[length - 1].exists() & (
        RegistryModel.failures[length].does_not_exist()
    )
    return condition


def _stamps(item: RegistryModel) -> list[int]:
    stored: Any = item.failures or []
    return [int(stamp) for stamp in stored]


def _keep_seconds(rules: LoginPolicy) -> int:
    return max(rules.window_seconds, rules.lock_seconds)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
