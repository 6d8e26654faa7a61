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
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
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


class CounselMap(MapAttribute[str, Any]):
    """A lawyer representing a party: bar association and roll number."""

    bar = UnicodeAttribute()
    roll_number = UnicodeAttribute()


class PartyMap(MapAttribute[str, Any]):
    """A party to a case: a natural or a legal person with a procedural role.

    The national ID is personal data: only its keyed digest (to match a
    citizen's profile) and a masked form (to show) are stored, never the number.
    """

    party_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    name_latin = UnicodeAttribute(null=True)
    national_id_digest = UnicodeAttribute(null=True)
    national_id_masked = UnicodeAttribute(null=True)
    trade_register = UnicodeAttribute(null=True)
    lawyers = ListAttribute(of=CounselMap, default=list)


class CaseCourtIndex(GlobalSecondaryIndex["CaseModel"]):
    """Cases of a court, newest registration last (the court's case list)."""

    class Meta:
        index_name = "court_code-registered_at"
        projection = AllProjection()

    court_code = UnicodeAttribute(hash_key=True)
    registered_at = UTCDateTimeAttribute(range_key=True)


class CaseJudgeIndex(GlobalSecondaryIndex["CaseModel"]):
    """Cases of a reporting judge, newest registration last (sparse)."""

    class Meta:
        index_name = "reporting_judge-registered_at"
        projection = AllProjection()

    reporting_judge = UnicodeAttribute(hash_key=True)
    registered_at = UTCDateTimeAttribute(range_key=True)


class CaseFileNumberIndex(GlobalSecondaryIndex["CaseModel"]):
    """A case by its court and file number, for public tracking in one query."""

    class Meta:
        index_name = "file_key"
        projection = AllProjection()

    file_key = UnicodeAttribute(hash_key=True)


class CaseModel(Model):
    """A case file; its file number is ``serial/case_type_code/year``.

    ``version`` grows by one with every change: an update names the version it
    read, and a stale one is refused (optimistic concurrency).
    """

    Meta = _meta("cases")
    court_index = CaseCourtIndex()
    judge_index = CaseJudgeIndex()
    file_number_index = CaseFileNumberIndex()

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
    file_key = UnicodeAttribute(null=True)
    national_number = UnicodeAttribute(null=True)
    reporting_judge = UnicodeAttribute(null=True)
    reporting_judge_name = UnicodeAttribute(null=True)
    next_hearing_at = UTCDateTimeAttribute(null=True)
    last_judgment_number = UnicodeAttribute(null=True)
    last_judgment_date = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


class CourtDayIndex(GlobalSecondaryIndex["CaseRecordModel"]):
    """Hearings of a court on a day, in order of their start (the hearing list)."""

    class Meta:
        index_name = "court_day-starts_at"
        projection = AllProjection()

    court_day = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class CaseRecordModel(Model):
    """What belongs to one case besides its head, in the case's partition.

    ``record_key`` says what it is: ``EVENT#<time>#<id>`` a procedure of the
    timeline, ``HEARING#<id>`` a hearing, ``JUDGMENT#<number>`` a judgment,
    ``LINK#<case id>`` a linked file (one relation a pair). One query reads a
    tab of the file card. Hearings carry ``court_day`` (``<court>#<date>``)
    for the court's hearing list.
    """

    Meta = _meta("case-records")
    court_day_index = CourtDayIndex()

    case_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    recorded_at = UTCDateTimeAttribute()
    recorded_by = UnicodeAttribute()
    action = UnicodeAttribute(null=True)
    decision = UnicodeAttribute(null=True)
    next_hearing_at = UTCDateTimeAttribute(null=True)
    court_day = UnicodeAttribute(null=True)
    starts_at = UTCDateTimeAttribute(null=True)
    room = UnicodeAttribute(null=True)
    judge = UnicodeAttribute(null=True)
    hearing_status = UnicodeAttribute(null=True)
    first_starts_at = UTCDateTimeAttribute(null=True)
    postponements = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)
    file_number = UnicodeAttribute(null=True)
    case_type_code = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    judgment_number = UnicodeAttribute(null=True)
    judgment_date = UnicodeAttribute(null=True)
    operative_part = UnicodeAttribute(null=True)
    document_id = UnicodeAttribute(null=True)
    link_kind = UnicodeAttribute(null=True)
    linked_case_id = UnicodeAttribute(null=True)
    linked_court_code = UnicodeAttribute(null=True)


class MembershipModel(Model):
    """Who a case concerns besides its court: "my cases" in one query.

    ``principal`` is ``LAWYER#<bar>#<roll>`` for counsel or ``CIN#<digest>`` for a
    party; items are written and removed with the case's parties, in the same
    transaction, and carry what a list shows.
    """

    Meta = _meta("memberships")

    principal = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(range_key=True)
    court_code = UnicodeAttribute()
    file_number = UnicodeAttribute()
    case_type_code = UnicodeAttribute()
    subject = UnicodeAttribute()
    registered_at = UTCDateTimeAttribute()


class StatisticsModel(Model):
    """Counters of a court per day, kept in the transactions that change cases.

    ``incoming`` and ``resolved`` count the cases registered and resolved that
    day; ``resolved_days`` sums the age in days of the cases resolved; ``open``
    is how many of the cases registered that day are still pending now;
    ``hearings_held`` and ``held_on_first_date`` give trial-date certainty.
    """

    Meta = _meta("statistics")

    court_code = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)
    incoming = NumberAttribute(default=0)
    resolved = NumberAttribute(default=0)
    resolved_days = NumberAttribute(default=0)
    open = NumberAttribute(default=0)
    hearings_held = NumberAttribute(default=0)
    held_on_first_date = NumberAttribute(default=0)


class RegistryModel(Model):
    """Counters and uniqueness guards.

    ``SERIAL#<court>#<code>#<year>`` holds the last serial allocated;
    ``FILE#<court>#<serial>#<code>#<year>`` points at the case holding that number,
    or says with ``void_reason`` why a serial taken was never used (a failed
    registration): the register shows it void, never reuses it.
    ``NATIONAL#<year>`` holds the last national file number of a year and
    ``JUDGMENT#<court>#<year>`` the last judgment number of a court;
    ``NATIONAL-NUMBER#<number>`` and ``JUDGMENT-NUMBER#<court>#<n>/<year>``
    exist only for such numbers taken and never used, with ``void_reason``.
    ``AUDITSEAL#LAST`` names the last sealed ``hour`` of the audit trail and its
    ``digest`` (``chalicelib.audit_seals``).

    Sign-in guards (``chalicelib.logins``), which expire by ``expires_at``:
    ``LOGINFAIL#<username>`` holds the times of recent failed sign-ins and the
    end of a lock; ``LOGINIP#<address>#<minute>`` counts attempts from an address,
    ``PUBLICIP#<address>#<minute>`` public verifications (``chalicelib.limits``).

    ``SHA256#<hex>`` registers the fingerprint of a sealed document or of its
    original, listing every document with these bytes, and
    ``SHA256#<hex>#<case>#<document>`` one of them
    (``chalicelib.verification.FingerprintModel`` adds their fields).
    """

    Meta = _meta("registry")

    pk = UnicodeAttribute(hash_key=True)
    last_serial = NumberAttribute(null=True)
    case_id = UnicodeAttribute(null=True)
    failures = ListAttribute(of=NumberAttribute, null=True)
    locked_until = NumberAttribute(null=True)
    attempts = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    void_reason = UnicodeAttribute(null=True)
    hour = UnicodeAttribute(null=True)
    digest = UnicodeAttribute(null=True)


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


class TextLayerMap(MapAttribute[str, Any]):
    """A scanned PDF's text layer: made (``ADDED``) or why not (``code``).

    ``object_key`` (under ``tmp/searchable/``) holds the searchable PDF to be
    sealed, ``object_sha256`` its digest; ``source_sha256`` is the digest of
    the original scan it was made from, which stays untouched. ``method``
    says how: ``tesseract-words`` (the words of the first reading) or
    ``ocrmypdf`` (read again).
    """

    status = UnicodeAttribute()
    code = UnicodeAttribute(null=True)
    source_sha256 = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)
    object_sha256 = UnicodeAttribute(null=True)
    object_version = UnicodeAttribute(null=True)
    seconds = NumberAttribute(null=True)
    method = UnicodeAttribute(null=True)


class DocumentStatusIndex(GlobalSecondaryIndex["DocumentModel"]):
    """Documents by status, oldest change first (for the maintenance sweep)."""

    class Meta:
        index_name = "status-updated_at"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class TextractJobIndex(GlobalSecondaryIndex["DocumentModel"]):
    """The document an asynchronous Textract job reads (sparse, keys only)."""

    class Meta:
        index_name = "textract_job_id"
        projection = KeysOnlyProjection()

    textract_job_id = UnicodeAttribute(hash_key=True)


class DocumentModel(Model):
    """A court document of a case, from upload to signature."""

    Meta = _meta("documents")
    status_index = DocumentStatusIndex()
    textract_job_index = TextractJobIndex()

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
    failure_code = UnicodeAttribute(null=True)
    signature = SignatureMap(null=True)
    text_layer = TextLayerMap(null=True)
    # ``court`` when court staff or a scanner brought it in, ``filing`` when a
    # lawyer filed it: the seal proves receipt, only the court issues judgments.
    origin = UnicodeAttribute(null=True)
    # The asynchronous Textract job reading a PDF or TIFF (AWS only): its
    # completion, through SNS and SQS, is matched to the document by it.
    textract_job_id = UnicodeAttribute(null=True)


class SecurityEventIndex(GlobalSecondaryIndex["AuditModel"]):
    """Security events of a day, in order (sparse: ``category`` is set on them)."""

    class Meta:
        index_name = "category-occurred_at"
        projection = AllProjection()

    category = UnicodeAttribute(hash_key=True)
    occurred_at = UTCDateTimeAttribute(range_key=True)


class AuditHourIndex(GlobalSecondaryIndex["AuditModel"]):
    """Every audit record of an hour: what each hourly seal digests."""

    class Meta:
        index_name = "hour-entry_key"
        projection = AllProjection()

    hour = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)


class AuditModel(Model):
    """One append-only audit record, grouped by what it is about.

    Security events (failed or refused sign-ins, locks, changes of users and
    their permissions) also carry ``category`` = ``SECURITY#<day>``: the
    operations manual's report reads them a day at a time from an index.
    """

    Meta = _meta("audit")
    security_index = SecurityEventIndex()
    hour_index = AuditHourIndex()

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
    category = UnicodeAttribute(null=True)
    hour = UnicodeAttribute(null=True)


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


class UserRoleIndex(GlobalSecondaryIndex["UserModel"]):
    """Users of a role by username (the users list, the last-admin rule)."""

    class Meta:
        index_name = "role-username"
        projection = AllProjection()

    role = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute(range_key=True)


class UserNationalIdIndex(GlobalSecondaryIndex["UserModel"]):
    """Users by the digest of their national ID (sparse): one citizen per CIN."""

    class Meta:
        index_name = "national_id_digest"
        projection = AllProjection()

    national_id_digest = UnicodeAttribute(hash_key=True)


class UserModel(Model):
    """A user's profile beside Cognito: the role and what the user may see.

    ``active`` and ``signed_out_at`` are read by the authorizer on every call:
    an inactive user, or a token issued before ``signed_out_at``, is refused.
    ``activity`` is ``ACTIVE`` while the user is active (absent otherwise) and
    ``last_active_at`` the latest sign-in, creation or reactivation.
    """

    Meta = _meta("users")
    activity_index = UserActivityIndex()
    role_index = UserRoleIndex()
    national_id_index = UserNationalIdIndex()

    username = UnicodeAttribute(hash_key=True)
    role = UnicodeAttribute()
    full_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    courts = ListAttribute(of=UnicodeAttribute, default=list)
    national_id_digest = UnicodeAttribute(null=True)
    national_id_masked = UnicodeAttribute(null=True)
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
    CaseRecordModel,
    MembershipModel,
    StatisticsModel,
    RegistryModel,
    DocumentModel,
    AuditModel,
    UserModel,
    ReferenceModel,
    IdempotencyModel,
)
