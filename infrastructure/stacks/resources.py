"""What the code running in Lambda is told about the stage, and may touch.

``runtime_environment`` sets the variables ``chalicelib/config.py`` reads; the
``grant_*`` helpers give each function only the table, bucket prefix, queue and
secret actions its code performs.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3

from infrastructure.stacks.data import Tables
from infrastructure.stacks.identity import Identity, SigningSecrets
from infrastructure.stacks.messaging import (
    Queues,
    TextractChannel,
    max_receive_count,
)
from infrastructure.stacks.options import StageOptions

CLOUDHSM_PKCS11_MODULE = "/opt/cloudhsm/lib/libcloudhsm_pkcs11.so"
QUEUE_URL_VARIABLES = {
    "document-events": "JUSTICIA_DOCUMENT_EVENTS_QUEUE_URL",
    "signing": "JUSTICIA_SIGNING_QUEUE_URL",
    "textract-completions": "JUSTICIA_TEXTRACT_COMPLETIONS_QUEUE_URL",
}
ORIGINAL_PREFIXES = ("uploads/*", "incoming/*")
TEXTRACT_ACTIONS = (
    "textract:DetectDocumentText",
    "textract:StartDocumentTextDetection",
    "textract:GetDocumentTextDetection",
)
AUDIT_APPEND_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)


@dataclass(frozen=True)
class StageResources:
    """The stage's shared resources, handed to the functions and the API."""

    options: StageOptions
    key: kms.IKey
    tables: Tables
    bucket: s3.Bucket
    seals: s3.Bucket
    queues: Queues
    identity: Identity
    secrets: SigningSecrets
    textract: TextractChannel | None = None


def runtime_environment(resources: StageResources) -> dict[str, str]:
    """The variables of ``chalicelib/config.py`` for this stage (all functions).

    Left to their defaults on purpose: ``JUSTICIA_AWS_ENDPOINT_URL`` (local stack
    only), ``JUSTICIA_JWKS_URL`` (derived from the region and pool),
    ``JUSTICIA_HSM_KEY_LABEL``, and ``JUSTICIA_HSM_TOKEN_LABEL`` unless the
    ``hsm_token_label`` context sets it. Lambda sets ``AWS_REGION`` itself.
    """
    from chalicelib.config import (
        DEFAULT_MAX_PAGE_PIXELS,
        DEFAULT_MAX_PAGES,
        DEFAULT_MAX_UPLOAD_BYTES,
        DEFAULT_OCR_PAGES_PER_CHUNK,
        DEFAULT_TEXT_LAYER_MAX_SECONDS,
        DEFAULT_TEXT_LAYER_METHOD,
        DEFAULT_TEXT_LAYER_SECONDS_PER_PAGE,
    )

    options = resources.options
    environment = {
        "JUSTICIA_STAGE": options.stage,
        "JUSTICIA_TABLE_PREFIX": options.prefix,
        "JUSTICIA_DOCUMENTS_BUCKET": resources.bucket.bucket_name,
        "JUSTICIA_AUDIT_SEALS_BUCKET": resources.seals.bucket_name,
        "JUSTICIA_DOCUMENTS_KMS_KEY_ID": resources.key.key_arn,
        "JUSTICIA_USER_POOL_ID": resources.identity.user_pool.user_pool_id,
        "JUSTICIA_USER_POOL_CLIENT_ID": resources.identity.client.user_pool_client_id,
        "JUSTICIA_HSM_MODULE": CLOUDHSM_PKCS11_MODULE,
        "JUSTICIA_HSM_PIN_SECRET_ID": resources.secrets.pin_secret_name,
        "JUSTICIA_SIGNING_CHAIN_PARAMETER": resources.secrets.chain_parameter_name,
        "JUSTICIA_NATIONAL_ID_KEY_SECRET_ID": resources.secrets.national_id_key_name,
        "JUSTICIA_OCR_ENGINE": "textract",
        "JUSTICIA_MAX_UPLOAD_BYTES": str(DEFAULT_MAX_UPLOAD_BYTES),
        "JUSTICIA_MAX_PAGES": str(DEFAULT_MAX_PAGES),
        "JUSTICIA_MAX_PAGE_PIXELS": str(DEFAULT_MAX_PAGE_PIXELS),
        "JUSTICIA_OCR_PAGES_PER_CHUNK": str(DEFAULT_OCR_PAGES_PER_CHUNK),
        "JUSTICIA_TEXT_LAYER_SECONDS_PER_PAGE": str(
            DEFAULT_TEXT_LAYER_SECONDS_PER_PAGE
        ),
        "JUSTICIA_TEXT_LAYER_MAX_SECONDS": str(DEFAULT_TEXT_LAYER_MAX_SECONDS),
        "JUSTICIA_TEXT_LAYER_METHOD": DEFAULT_TEXT_LAYER_METHOD,
        "JUSTICIA_MAX_RECEIVE_COUNT": str(max_receive_count()),
        "POWERTOOLS_SERVICE_NAME": "justicia",
        "POWERTOOLS_METRICS_NAMESPACE": "Justicia",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        # Responses may carry document text: keep them out of traces.
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    }
    for name, pair in resources.queues.by_name.items():
        environment[QUEUE_URL_VARIABLES[name]] = pair.queue.queue_url
    if options.hsm_token_label:
        environment["JUSTICIA_HSM_TOKEN_LABEL"] = options.hsm_token_label
    if resources.textract is not None:
        environment["JUSTICIA_TEXTRACT_TOPIC_ARN"] = resources.textract.topic.topic_arn
        environment["JUSTICIA_TEXTRACT_ROLE_ARN"] = resources.textract.role.role_arn
    return environment


def grant_audit_append(resources: StageResources, grantee: iam.IGrantable) -> None:
    """Audit records are only ever added: no update, no delete."""
    table = resources.tables.by_name["audit"]
    table.grant(grantee, *AUDIT_APPEND_ACTIONS)
    resources.key.grant_encrypt_decrypt(grantee)


def grant_read_originals(resources: StageResources, grantee: iam.IGrantable) -> None:
    """Read the uploaded and scanned originals."""
    for prefix in ORIGINAL_PREFIXES:
        resources.bucket.grant_read(grantee, prefix)


def grant_ocr(resources: StageResources, grantee: iam.IGrantable) -> None:
    """OCR: find cases, create and advance documents, read and quarantine objects,
    write texts, call Textract, queue for signing, remember deliveries."""
    tables = resources.tables.by_name
    for name in ("cases", "registry"):
        tables[name].grant_read_data(grantee)
    for name in ("documents", "idempotency"):
        tables[name].grant_read_write_data(grantee)
    grant_audit_append(resources, grantee)
    grant_read_originals(resources, grantee)
    for prefix in ORIGINAL_PREFIXES:
        resources.bucket.grant_delete(grantee, prefix)
    resources.bucket.grant_put(grantee, "quarantine/*")
    resources.bucket.grant_put(grantee, "texts/*")
    # Pages read so far (resumed after a crash), and chunks of long documents.
    resources.bucket.grant_read_write(grantee, "tmp/*")
    resources.queues.by_name["document-events"].queue.grant_send_messages(grantee)
    resources.queues.by_name["signing"].queue.grant_send_messages(grantee)
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(TEXTRACT_ACTIONS), resources=["*"])
    )
    if resources.textract is not None:
        # StartDocumentTextDetection hands Textract the channel's role.
        resources.textract.role.grant_pass_role(grantee)
    # The kept result of a document's Textract job (tmp/textract/), removed
    # once the document is read.
    resources.bucket.grant_delete(grantee, "tmp/*")


def grant_textract_completion(
    resources: StageResources, grantee: iam.IGrantable
) -> None:
    """Textract completions: match the job to its document, fetch and keep the
    result under ``tmp/``, queue the document back to OCR, remember deliveries."""
    tables = resources.tables.by_name
    tables["documents"].grant_read_data(grantee)
    tables["idempotency"].grant_read_write_data(grantee)
    resources.bucket.grant_read_write(grantee, "tmp/*")
    resources.queues.by_name["document-events"].queue.grant_send_messages(grantee)
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["textract:GetDocumentTextDetection"], resources=["*"]
        )
    )


def grant_signing(resources: StageResources, grantee: iam.IGrantable) -> None:
    """Signing: read originals, write seals, advance documents, HSM secrets,
    and register the fingerprints (entries put, heads updated)."""
    resources.tables.by_name["documents"].grant_read_write_data(grantee)
    resources.tables.by_name["cases"].grant_read_data(grantee)
    resources.tables.by_name["registry"].grant(
        grantee, "dynamodb:PutItem", "dynamodb:UpdateItem"
    )
    grant_audit_append(resources, grantee)
    grant_read_originals(resources, grantee)
    # The searchable copy of a scan, made by the OCR function, is what is sealed.
    resources.bucket.grant_read(grantee, "tmp/searchable/*")
    for prefix in ("signed/*", "signatures/*"):
        resources.bucket.grant_put(grantee, prefix)
    resources.secrets.pin.grant_read(grantee)
    resources.secrets.chain.grant_read(grantee)
    resources.identity.user_pool.grant(grantee, *USER_ADMINISTRATION)


def grant_maintenance(resources: StageResources, grantee: iam.IGrantable) -> None:
    """Maintenance: sweep documents by status, deactivate idle users, seal the
    audit trail's hours and verify them."""
    resources.tables.by_name["audit"].grant_read_data(grantee)
    resources.tables.by_name["registry"].grant_read_write_data(grantee)
    resources.seals.grant_read(grantee)
    resources.seals.grant_put(grantee)
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:PutObjectRetention"],
            resources=[resources.seals.arn_for_objects("seals/*")],
        )
    )
    resources.tables.by_name["documents"].grant_read_write_data(grantee)
    resources.tables.by_name["users"].grant_read_write_data(grantee)
    grant_audit_append(resources, grantee)
    resources.identity.user_pool.grant(grantee, *IDLE_USER_DEACTIVATION)


USER_ADMINISTRATION = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminGetUser",
)
"""What the API's user administration (``chalicelib.users``) does on the pool."""

IDLE_USER_DEACTIVATION = (
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminUserGlobalSignOut",
)
"""What the maintenance job's deactivation of idle users does on the pool."""


def grant_api(resources: StageResources, grantee: iam.IGrantable) -> None:
    """The API: every table but idempotency, presigned uploads, texts, originals
    and seals (to verify them), the health checks (tables, bucket, queues, HSM)."""
    tables = resources.tables.by_name
    for name, table in tables.items():
        if name not in ("audit", "idempotency"):
            table.grant_read_write_data(grantee)
    tables["audit"].grant_read_data(grantee)
    grant_audit_append(resources, grantee)
    # Presigned POSTs are signed with the API's credentials: it needs the put.
    resources.bucket.grant_put(grantee, "uploads/*")
    for prefix in ("texts/*", "signed/*", "signatures/*"):
        resources.bucket.grant_read(grantee, prefix)
    grant_read_originals(resources, grantee)
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["s3:ListBucket"], resources=[resources.bucket.bucket_arn]
        )
    )
    for pair in resources.queues.by_name.values():
        pair.queue.grant(grantee, "sqs:GetQueueAttributes")
    resources.secrets.pin.grant_read(grantee)
    resources.secrets.chain.grant_read(grantee)
    resources.secrets.national_id_key.grant_read(grantee)
