"""Maintenance function, fired by EventBridge schedules (locally by devstack).

``sweep_documents``: an announced upload that never arrived within a day ends
``FAILED``; documents stuck between steps for an hour are counted in a metric
so an alarm can call an operator.

``deactivate_idle_users``: active users with no sign-in for the policy's idle
days (``JUSTICIA_USER_IDLE_DAYS``, 90) are deactivated through the same service
as an administrator's deactivation, audited ``DEACTIVATE_USER`` with the actor
``system``; the last active administrator is never deactivated. The idle users
come from one query of the users table's activity index, not a scan (the CDK
app grants the function the users table and the pool's AdminDisableUser and
AdminUserGlobalSignOut for it).

``reconcile_search``: the search index compared with the cases and documents
tables (ids, versions, page counts); what differs is re-indexed and counted in
the ``SearchDrift`` metric.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import audit, pipeline, users
from chalicelib.config import get_settings
from chalicelib.errors import Conflict
from chalicelib.models import DocumentModel
from chalicelib.observability import count, logger, metrics, tracer

UPLOAD_WINDOW = timedelta(days=1)
STUCK_AFTER = timedelta(hours=1)


def sweep_documents(now: datetime) -> dict[str, int]:
    """Expire missing uploads and count stuck documents; return the figures."""
    expired = 0
    for document in DocumentModel.status_index.query(
        "AWAITING_UPLOAD", DocumentModel.updated_at < now - UPLOAD_WINDOW
    ):
        pipeline.mark_failed(document, "the upload never arrived")
        expired += 1
    stuck = sum(
        1
        for status in ("RECEIVED", "OCR_DONE")
        for _ in DocumentModel.status_index.query(
            status, DocumentModel.updated_at < now - STUCK_AFTER
        )
    )
    count("UploadsExpired", expired)
    count("DocumentsStuck", stuck)
    return {"expired": expired, "stuck": stuck}


def deactivate_idle_users(now: datetime) -> dict[str, int]:
    """Deactivate every active user idle for the policy's days; return figures.

    A user who became inactive meanwhile, or the last active administrator,
    is skipped (``kept``).
    """
    idle_days = get_settings().login.idle_days
    deactivated = kept = 0
    for username in users.idle_users(now - timedelta(days=idle_days)):
        try:
            users.deactivate(username, audit.SYSTEM, now)
        except Conflict:  # already inactive, changed meanwhile, or the last admin
            kept += 1
            continue
        deactivated += 1
    count("IdleUsersDeactivated", deactivated)
    return {"deactivated": deactivated, "kept": kept}


def reconcile_search(now: datetime) -> dict[str, int]:
    """Bring the indices up to date, then repair their drift from the tables.

    Indices of an older mapping (a deploy changed the analysis) are rebuilt
    first. Emits ``SearchDrift`` (and ``SearchRebuilt``); does nothing where no
    search endpoint is set.
    """
    if not get_settings().search_url:
        return {"skipped": 1}
    from chalicelib.search.client import search_client
    from chalicelib.search.reconcile import bring_up_to_date, reconcile

    client = search_client()
    rebuilt = len(bring_up_to_date(client)["rebuilt"])
    return {**reconcile(client), "rebuilt": rebuilt}


def seal_audit(now: datetime) -> dict[str, int]:
    """Seal every finished hour of the audit trail (``chalicelib.audit_seals``)."""
    from chalicelib.audit_seals import seal_hours

    sealed = seal_hours(now)
    count("AuditHoursSealed", len(sealed))
    return {"sealed": len(sealed)}


def verify_audit(now: datetime) -> dict[str, int]:
    """Check the last week of sealed hours against the table; count tampering."""
    from chalicelib.audit_seals import hour_of, verify

    result = verify(hour_of(now - timedelta(days=7)), hour_of(now - timedelta(hours=2)))
    tampered = len(result["altered"]) + len(result["chain_broken"])
    count("AuditHoursTampered", tampered)
    return {"checked": result["checked"], "tampered": tampered}


JOBS = {
    "sweep_documents": sweep_documents,
    "deactivate_idle_users": deactivate_idle_users,
    "reconcile_search": reconcile_search,
    "seal_audit": seal_audit,
    "verify_audit": verify_audit,
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the job named in the scheduled event's input (``{"job": ...}``)."""
    job = JOBS[event["job"]]
    result = job(datetime.now(UTC))
    logger.info("maintenance job done", extra={"job": event["job"], **result})
    return result
