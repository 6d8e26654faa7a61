"""The documents bucket and its S3 -> SQS notifications.

Originals arrive under ``uploads/`` (browser presigned POST) and ``incoming/``
(court scanners); both prefixes notify the document-events queue. Texts read by
OCR live under ``texts/``, signed PDFs under ``signed/``, detached CMS
signatures under ``signatures/``, unclaimed and refused objects under
``quarantine/``, pages of a reading in progress under ``tmp/``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infrastructure.stacks.options import StageOptions

NOTIFIED_PREFIXES = ("uploads/", "incoming/")
QUARANTINE_PREFIX = "quarantine/"
QUARANTINE_DAYS = 180
QUARANTINE_NONCURRENT_DAYS = 30
# Pages read so far while OCR runs (tmp/ocr/...): removed when the document is
# read, expired here when an attempt was abandoned.
TEMPORARY_PREFIX = "tmp/"
TEMPORARY_DAYS = 7
MULTIPART_ABORT_DAYS = 1
UPLOAD_CORS_MAX_AGE = 3000


def _lifecycle_rules() -> list[s3.LifecycleRule]:
    """Quarantined objects expire; court documents themselves are kept.

    NOTE: originals, texts and signatures have no expiry: how long court files
    are kept is a legal retention decision (and may call for Object Lock) still
    to be taken; it matters before production data arrives.
    """
    return [
        s3.LifecycleRule(
            id="abort-incomplete-multipart-uploads",
            abort_incomplete_multipart_upload_after=cdk.Duration.days(
                MULTIPART_ABORT_DAYS
            ),
        ),
        s3.LifecycleRule(
            id="expire-quarantine",
            prefix=QUARANTINE_PREFIX,
            expiration=cdk.Duration.days(QUARANTINE_DAYS),
            noncurrent_version_expiration=cdk.Duration.days(QUARANTINE_NONCURRENT_DAYS),
            expired_object_delete_marker=False,
        ),
        s3.LifecycleRule(
            id="expire-temporary",
            prefix=TEMPORARY_PREFIX,
            expiration=cdk.Duration.days(TEMPORARY_DAYS),
            noncurrent_version_expiration=cdk.Duration.days(1),
        ),
    ]


def _cors(origins: tuple[str, ...]) -> list[s3.CorsRule]:
    """Browsers POST uploads with the presigned form and read presigned GETs."""
    return [
        s3.CorsRule(
            allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
            allowed_origins=list(origins),
            allowed_headers=["*"],
            exposed_headers=["ETag"],
            max_age=UPLOAD_CORS_MAX_AGE,
        )
    ]


class DocumentsBucket(Construct):
    """The versioned, KMS-encrypted bucket of court documents."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: StageOptions,
        key: kms.IKey,
        events_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            # Bucket names are global: the account id keeps the stage's unique.
            bucket_name=f"{options.prefix}documents-{cdk.Aws.ACCOUNT_ID}",
            versioned=True,
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            lifecycle_rules=_lifecycle_rules(),
            cors=_cors(options.allowed_origins),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        destination = s3n.SqsDestination(events_queue)
        for prefix in NOTIFIED_PREFIXES:
            self.bucket.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                destination,
                s3.NotificationKeyFilter(prefix=prefix),
            )


class AuditSealsBucket(Construct):
    """Where the audit trail's hourly seals are kept, under Object Lock.

    Compliance mode for seven years (the audit retention): no one, the root
    account included, can change or delete a seal before then.
    """

    def __init__(
        self, scope: Construct, id: str, *, options: StageOptions, key: kms.IKey
    ) -> None:
        super().__init__(scope, id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            bucket_name=f"{options.prefix}audit-seals-{cdk.Aws.ACCOUNT_ID}",
            versioned=True,
            object_lock_enabled=True,
            object_lock_default_retention=s3.ObjectLockRetention.compliance(
                cdk.Duration.days(2555)
            ),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
