"""DynamoDB tables, as PynamoDB models.

The local stack creates its tables from these models and the CDK app derives the
table keys from them, so there is one definition of each table. Large texts (OCR
output) live in S3 with a pointer here: an item holds at most 400 KB.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import get_settings

_settings = get_settings()


def _meta(name: str) -> Any:
    """Build the ``Meta`` of a model for logical table ``name``."""

    class Meta:
        table_name = _settings.table_name(name)
        region = _settings.region
        host = _settings.endpoint_url
        billing_mode = "PAY_PER_REQUEST"

    return Meta


class PartyMap(MapAttribute[str, Any]):
    """A party to a case: a natural or a legal person with a procedural role."""

    role = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    name_latin = UnicodeAttribute(null=True)
    national_id = UnicodeAttribute(null=True)
    trade_register = UnicodeAttribute(null=True)
    lawyer_bar = UnicodeAttribute(null=True)
    lawyer_roll = UnicodeAttribute(null=True)


class CaseCourtIndex(GlobalSecondaryIndex["CaseModel"]):
    """Cases of a court, newest registration last (the court's case list)."""

    class Meta:
        index_name = "court_code-registered_at"
        projection = AllProjection()

    court_code = UnicodeAttribute(hash_key=True)
    registered_at = UTCDateTimeAttribute(range_key=True)


class CaseModel(Model):
    """A case file; its file number is ``serial/case_type_code/year``."""

    Meta = _meta("cases")
    court_index = CaseCourtIndex()

    case_id = UnicodeAttribute(hash_key=True)
    court_code = UnicodeAttribute()
    case_type_code = UnicodeAttribute()
    serial = NumberAttribute()
    year = NumberAttribute()
    subject = UnicodeAttribute()
    status = UnicodeAttribute()
    parties = ListAttribute(of=PartyMap)
    registered_at = UTCDateTimeAttribute()
    registered_by = UnicodeAttribute()
    version = NumberAttribute(default=1)


class RegistryModel(Model):
    """Counters and uniqueness guards.

    ``SERIAL#<court>#<code>#<year>`` holds the last serial allocated;
    ``FILE#<court>#<serial>#<code>#<year>`` points at the case holding that number.

    Sign-in guards (``chalicelib.logins``), which expire by ``expires_at``:
    ``LOGINFAIL#<username>`` holds the times of recent failed sign-ins and the
    end of a lock; ``LOGINIP#<address>#<minute>`` counts attempts from an address,
    ``PUBLICIP#<address>#<minute>`` public verifications (``chalicelib.limits``).

    ``SHA256#<hex>`` registers the fingerprint of a sealed document or of its
    original (``chalicelib.verification.FingerprintModel`` adds its fields).
    """

    Meta = _meta("registry")

    pk = UnicodeAttribute(hash_key=True)
    last_serial = NumberAttribute(null=True)
    case_id = UnicodeAttribute(null=True)
    failures = ListAttribute(of=NumberAttribute, null=True)
    locked_until = NumberAttribute(null=True)
    attempts = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class SignatureMap(MapAttribute[str, Any]):
    """How a document was sealed and where the signed object lives.

    ``format`` is ``PAdES`` (``object_key`` is the signed PDF) or ``CMS``
    (``object_key`` is the detached ``.p7s`` beside the untouched original);
    ``object_version`` pins the S3 version written at signing.
    """

    format = UnicodeAttribute()
    algorithm = UnicodeAttribute()
    certificate_subject = UnicodeAttribute()
    certificate_serial = UnicodeAttribute()
    signing_time = UTCDateTimeAttribute()
    object_key = UnicodeAttribute()
    object_sha256 = UnicodeAttribute()
    object_version = UnicodeAttribute(null=True)


class DocumentStatusIndex(GlobalSecondaryIndex["DocumentModel"]):
    """Documents by status, oldest change first (for the maintenance sweep)."""

    class Meta:
        index_name = "status-updated_at"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class DocumentModel(Model):
    """A court document of a case, from upload to signature."""

    Meta = _meta("documents")
    status_index = DocumentStatusIndex()

    case_id = UnicodeAttribute(hash_key=True)
    document_id = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    object_key = UnicodeAttribute()
    source = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    size = NumberAttribute(null=True)
    version_id = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    pages = NumberAttribute(null=True)
    language = UnicodeAttribute(null=True)
    text_key = UnicodeAttribute(null=True)
    failure_reason = UnicodeAttribute(null=True)
    signature = SignatureMap(null=True)


class AuditModel(Model):
    """One append-only audit record, grouped by what it is about."""

    Meta = _meta("audit")

    target = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)
    occurred_at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    role = UnicodeAttribute()
    action = UnicodeAttribute()
    outcome = UnicodeAttribute()
    request_id = UnicodeAttribute()
    source_ip = UnicodeAttribute(null=True)
    details = MapAttribute[str, Any](null=True)


class UserActivityIndex(GlobalSecondaryIndex["UserModel"]):
    """Active users by their last sign-in (or creation, or reactivation).

    Sparse: only active profiles carry ``activity``, so the maintenance job
    finds the idle ones with one query, never a scan.
    """

    class Meta:
        index_name = "activity-last_active_at"
        projection = AllProjection()

    activity = UnicodeAttribute(hash_key=True)
    last_active_at = UTCDateTimeAttribute(range_key=True)


class UserModel(Model):
    """A user's profile beside Cognito: the role and what the user may see.

    ``active`` and ``signed_out_at`` are read by the authorizer on every call:
    an inactive user, or a token issued before ``signed_out_at``, is refused.
    ``activity`` is ``ACTIVE`` while the user is active (absent otherwise) and
    ``last_active_at`` the latest sign-in, creation or reactivation.
    """

    Meta = _meta("users")
    activity_index = UserActivityIndex()

    username = UnicodeAttribute(hash_key=True)
    role = UnicodeAttribute()
    full_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    courts = ListAttribute(of=UnicodeAttribute, default=list)
    national_id = UnicodeAttribute(null=True)
    bar = UnicodeAttribute(null=True)
    roll_number = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute(null=True)
    last_login_at = UTCDateTimeAttribute(null=True)
    password_changed_at = UTCDateTimeAttribute(null=True)
    signed_out_at = UTCDateTimeAttribute(null=True)
    activity = UnicodeAttribute(null=True)
    last_active_at = UTCDateTimeAttribute(null=True)


class ReferenceModel(Model):
    """Reference data: ``kind`` is ``COURT`` or ``CASE_TYPE``; ``code`` the key."""

    Meta = _meta("reference")

    kind = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    name_ar = UnicodeAttribute()
    name_fr = UnicodeAttribute()
    court_type = UnicodeAttribute(null=True)
    court_types = ListAttribute(of=UnicodeAttribute, null=True)
    city = UnicodeAttribute(null=True)
    appeal_court = UnicodeAttribute(null=True)


class IdempotencyModel(Model):
    """Powertools idempotency records of the functions (schema only)."""

    Meta = _meta("idempotency")

    id = UnicodeAttribute(hash_key=True)
    expiration = NumberAttribute(null=True)


def connection() -> Connection:
    """A low-level connection for transactions across the tables."""
    return Connection(region=_settings.region, host=_settings.endpoint_url)


ALL_MODELS: tuple[type[Model], ...] = (
    CaseModel,
    RegistryModel,
    DocumentModel,
    AuditModel,
    UserModel,
    ReferenceModel,
    IdempotencyModel,
)
