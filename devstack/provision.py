"""Provision the local AWS (moto) idempotently: what the CDK app creates in AWS.

Tables from the PynamoDB models, the versioned documents bucket with its S3 ->
SQS notifications, the queues and their dead-letter queues, the Cognito pool
with a group per role and one demo user per role, the HSM PIN secret and the
signing chain parameter, the judicial map, and a few demo cases.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from chalicelib.aws import client
from chalicelib.config import get_settings
from chalicelib.identity import ROLES
from chalicelib.personal import forget_key

# The documented demo password of the local stack only (README); never deployed.
DEFAULT_DEMO_PASSWORD = "Justicia-Demo-2026!"  # noqa: S105
DEMO_PROFILES: dict[str, dict[str, Any]] = {
    "admin": {"role": "ADMIN", "full_name": "Amina Admin"},
    "judge": {
        "role": "JUDGE",
        "full_name": "Youssef Qadi",
        "courts": ["TPI-RABAT", "TPI-SALE"],
    },
    "clerk": {
        "role": "CLERK",
        "full_name": "Khadija Katib",
        "courts": ["TPI-RABAT", "TC-CASABLANCA"],
    },
    "lawyer": {
        "role": "LAWYER",
        "full_name": "Me Omar Mouhami",
        "bar": "Rabat",
        "roll_number": "1234",
    },
    "citizen": {
        "role": "CITIZEN",
        "full_name": "Salma Mouwatina",
        "national_id": "AB123456",
    },
}
QUEUES = {"document-events": 300, "signing": 120, "textract-completions": 300}
# Textract's notification channel, as the CDK app makes it. The local engine
# stays Tesseract: nothing starts a Textract job unless JUSTICIA_OCR_ENGINE is
# set to textract (the tests of asynchronous jobs do, against moto).
TEXTRACT_ROLE_ARN = "arn:aws:iam::123456789012:role/justicia-local-textract"
# Days before temporary objects expire (as in infrastructure/stacks/storage.py).
LIFECYCLE_DAYS = {"quarantine/": 180, "tmp/": 7}


@dataclass(frozen=True)
class Provisioned:
    """What provisioning created that the processes must be told about."""

    environment: dict[str, str]
    demo_cases: list[str] = field(default_factory=list)


def demo_password() -> str:
    """The demo password: ``JUSTICIA_DEMO_PASSWORD``, else the documented default."""
    return os.environ.get("JUSTICIA_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def provision(hsm_pin: str, chain_pem: str, seed_demo: bool = True) -> Provisioned:
    """Create (or find) every local resource; safe to run again."""
    _create_tables()
    queue_urls = {
        name: _create_queue(name, timeout) for name, timeout in QUEUES.items()
    }
    documents_key = _create_documents_key()
    os.environ["JUSTICIA_DOCUMENTS_KMS_KEY_ID"] = documents_key
    get_settings.cache_clear()
    _create_bucket(queue_urls["document-events"])
    _create_seals_bucket()
    pool_id, client_id = _create_user_pool()
    os.environ["JUSTICIA_USER_POOL_ID"] = pool_id
    os.environ["JUSTICIA_USER_POOL_CLIENT_ID"] = client_id
    os.environ["JUSTICIA_DOCUMENT_EVENTS_QUEUE_URL"] = queue_urls["document-events"]
    os.environ["JUSTICIA_SIGNING_QUEUE_URL"] = queue_urls["signing"]
    textract = _textract_channel(queue_urls["textract-completions"])
    os.environ.update(textract)
    get_settings.cache_clear()
    _store_hsm_secrets(hsm_pin, chain_pem)
    _create_national_id_key()
    forget_key()
    _load_reference_data()
    _create_demo_users(pool_id)
    demo_cases: list[str] = []
    if seed_demo:
        from devstack.seed import seed_demo_cases

        demo_cases = seed_demo_cases()
    return Provisioned(
        demo_cases=demo_cases,
        environment={
            "JUSTICIA_USER_POOL_ID": pool_id,
            "JUSTICIA_USER_POOL_CLIENT_ID": client_id,
            "JUSTICIA_DOCUMENT_EVENTS_QUEUE_URL": queue_urls["document-events"],
            "JUSTICIA_SIGNING_QUEUE_URL": queue_urls["signing"],
            "JUSTICIA_DOCUMENTS_KMS_KEY_ID": documents_key,
            **textract,
        },
    )


def _textract_channel(queue_url: str) -> dict[str, str]:
    """The topic Textract announces finished jobs on, feeding its queue."""
    settings = get_settings()
    topic_arn = client("sns").create_topic(
        Name=f"justicia-{settings.stage}-textract-completions"
    )["TopicArn"]
    queue_arn = client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return {
        "JUSTICIA_TEXTRACT_TOPIC_ARN": topic_arn,
        "JUSTICIA_TEXTRACT_ROLE_ARN": TEXTRACT_ROLE_ARN,
        "JUSTICIA_TEXTRACT_COMPLETIONS_QUEUE_URL": queue_url,
    }


def _create_tables() -> None:
    from chalicelib.models import ALL_MODELS

    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    from devstack.streams import enable_streams

    enable_streams()  # the outbox of the search index, as the CDK app does


def _create_queue(name: str, visibility_timeout: int) -> str:
    settings = get_settings()
    sqs = client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"justicia-{settings.stage}-{name}-dlq")[
        "QueueUrl"
    ]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = {
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": str(settings.max_receive_count),
    }
    url: str = sqs.create_queue(
        QueueName=f"justicia-{settings.stage}-{name}",
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return url


def _create_documents_key() -> str:
    """The KMS key of the documents bucket (found by its alias when it exists)."""
    kms = client("kms")
    alias = f"alias/justicia-{get_settings().stage}-documents"
    try:
        return str(kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"])
    except kms.exceptions.NotFoundException:
        pass
    metadata = kms.create_key(Description="Justicia court documents")["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    return str(metadata["Arn"])


def _protect_bucket(bucket: str) -> None:
    """SSE-KMS by default, and lifecycle rules expiring temporary prefixes."""
    s3 = client("s3")
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": get_settings().documents_kms_key_id,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    rules: list[Any] = [
        {
            "ID": f"expire-{prefix.rstrip('/')}",
            "Filter": {"Prefix": prefix},
            "Status": "Enabled",
            "Expiration": {"Days": days},
            "NoncurrentVersionExpiration": {"NoncurrentDays": days},
        }
        for prefix, days in LIFECYCLE_DAYS.items()
    ]
    rules.append(
        {
            "ID": "abort-incomplete-multipart-uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules}
    )


def _ensure_bucket(name: str, **options: Any) -> None:
    """Create bucket ``name`` in the stage's region unless it exists."""
    settings = get_settings()
    s3 = client("s3")
    if name in {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}:
        return
    if settings.region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": settings.region}
    s3.create_bucket(Bucket=name, **options)


def _create_seals_bucket() -> None:
    """The audit seals' bucket: versioned, under Object Lock from its creation."""
    _ensure_bucket(get_settings().audit_seals_bucket, ObjectLockEnabledForBucket=True)


def _create_bucket(events_queue_url: str) -> None:
    settings = get_settings()
    s3 = client("s3")
    _ensure_bucket(settings.documents_bucket)
    s3.put_bucket_versioning(
        Bucket=settings.documents_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    _protect_bucket(settings.documents_bucket)
    queue_arn = client("sqs").get_queue_attributes(
        QueueUrl=events_queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=settings.documents_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": f"{prefix.rstrip('/')}-to-ocr",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}
                    },
                }
                for prefix in ("uploads/", "incoming/")
            ]
        },
    )


def _create_user_pool() -> tuple[str, str]:
    settings = get_settings()
    cognito = client("cognito-idp")
    name = f"justicia-{settings.stage}-users"
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((pool["Id"] for pool in pools if pool["Name"] == name), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=name,
            UsernameConfiguration={"CaseSensitive": False},
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 3,
                }
            },
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)[
        "UserPoolClients"
    ]
    client_id = next(
        (c["ClientId"] for c in clients if c["ClientName"] == "justicia-api"), None
    )
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="justicia-api",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            GenerateSecret=False,
        )["UserPoolClient"]["ClientId"]
    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for role in ROLES:
        if role not in groups:
            cognito.create_group(UserPoolId=pool_id, GroupName=role)
    return pool_id, client_id


def _create_national_id_key() -> None:
    """The HMAC key of national ID digests: made once, never replaced."""
    import secrets as random_source

    secrets = client("secretsmanager")
    with contextlib.suppress(secrets.exceptions.ResourceExistsException):
        secrets.create_secret(
            Name=get_settings().national_id_key_secret_id,
            SecretString=random_source.token_hex(32),
        )


def _store_hsm_secrets(pin: str, chain_pem: str) -> None:
    settings = get_settings()
    secrets = client("secretsmanager")
    try:
        secrets.create_secret(Name=settings.hsm_pin_secret_id, SecretString=pin)
    except secrets.exceptions.ResourceExistsException:
        secrets.put_secret_value(SecretId=settings.hsm_pin_secret_id, SecretString=pin)
    client("ssm").put_parameter(
        Name=settings.signing_chain_parameter,
        Value=chain_pem,
        Type="String",
        Overwrite=True,
    )


def _load_reference_data() -> None:
    from chalicelib.courts import load_judicial_map

    load_judicial_map()


def _demo_profile(username: str, fields: dict[str, Any]) -> Any:
    """The profile of a demo user; a CIN is kept as its digest and masked form."""
    from chalicelib.models import UserModel
    from chalicelib.personal import mask_national_id, national_id_digest

    profile = dict(fields)
    national_id = profile.pop("national_id", None)
    if national_id:
        profile["national_id_digest"] = national_id_digest(national_id)
        profile["national_id_masked"] = mask_national_id(national_id)
    return UserModel(username=username, active=True, **profile)


def _create_demo_users(pool_id: str) -> None:

    cognito = client("cognito-idp")
    password = demo_password()
    for username, profile in DEMO_PROFILES.items():
        with contextlib.suppress(cognito.exceptions.UsernameExistsException):
            cognito.admin_create_user(
                UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS"
            )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        cognito.admin_add_user_to_group(
            UserPoolId=pool_id, Username=username, GroupName=profile["role"]
        )
        _demo_profile(username, profile).save()
