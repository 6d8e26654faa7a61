"""Synthesize the CDK stack and check its resources and wiring.

The stack is built without the Chalice API (``with_api=False``): the Chalice
construct packages the app at synth and ``pip download``s requirements.txt for
its managed layer (about 100 s here and PyPI must answer; about 8 s once
``.chalice/deployments/`` caches the layer). The API variant is an integration
test, run with JUSTICIA_SYNTH_API=1.
"""

from __future__ import annotations

import os

# Before anything that may build a boto3 client: no credentials lookup, ever.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from infrastructure.environment import apply_safe_defaults  # noqa: E402

apply_safe_defaults()

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Match, Template  # noqa: E402

from chalicelib.config import get_settings  # noqa: E402
from chalicelib.deployment import MAINTENANCE_HANDLER, QUEUE_FUNCTIONS  # noqa: E402
from chalicelib.identity import ROLES  # noqa: E402
from chalicelib.models import ALL_MODELS  # noqa: E402
from chalicelib.schedules import SCHEDULES  # noqa: E402
from infrastructure.stacks.justicia_stack import JusticiaStack  # noqa: E402
from infrastructure.stacks.layers import layer_source  # noqa: E402
from infrastructure.stacks.monitoring import APPLICATION_METRICS  # noqa: E402
from infrastructure.stacks.options import StageOptions  # noqa: E402

REGION = re.compile(r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?[a-z]+-\d\b")
PROD = StageOptions(
    stage="prod",
    with_api=False,
    allowed_origins=("https://justicia.example",),
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"),
    hsm_security_group_id="sg-0cccccccccccccccc",
    allow_placeholder_layers=True,
)


def synth(tmp: Path, **kwargs: Any) -> tuple[JusticiaStack, Template, Path]:
    app = cdk.App(outdir=str(tmp))
    stack = JusticiaStack(app, "Justicia-test", **kwargs)
    return stack, Template.from_stack(stack), tmp


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Template, Path]:
    return synth(tmp_path_factory.mktemp("cdk-dev"), stage="dev", with_api=False)


@pytest.fixture(scope="module")
def template(dev: tuple[Any, Template, Path]) -> Template:
    return dev[1]


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synth(tmp_path_factory.mktemp("cdk-prod"), options=PROD)[1]


def resources(template: Template, kind: str, **props: Any) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(
        kind, {"Properties": props} if props else None
    )
    return found


def one(template: Template, kind: str, **props: Any) -> tuple[str, dict[str, Any]]:
    found = resources(template, kind, **props)
    assert len(found) == 1, f"{kind} {props}: {sorted(found)}"
    logical_id, resource = next(iter(found.items()))
    return logical_id, resource["Properties"]


def bucket_named(template: Template, prefix: str) -> tuple[str, dict[str, Any]]:
    """The one bucket whose logical id starts with ``prefix``."""
    found = {
        logical_id: resource
        for logical_id, resource in resources(template, "AWS::S3::Bucket").items()
        if logical_id.startswith(prefix)
    }
    assert len(found) == 1, sorted(found)
    logical_id, resource = next(iter(found.items()))
    return logical_id, resource["Properties"]


def model_keys(model: Any) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Key schema and key types straight from the model's attributes."""
    schema, types = [], {}
    for name, attribute in model.get_attributes().items():
        if attribute.is_hash_key or attribute.is_range_key:
            role = "HASH" if attribute.is_hash_key else "RANGE"
            schema.append({"AttributeName": name, "KeyType": role})
            types[name] = attribute.attr_type
    return sorted(schema, key=lambda key: key["KeyType"]), types


def logical_name(model: Any) -> str:
    """``cases`` from whatever stage the models were imported for."""
    return str(model.Meta.table_name).removeprefix(get_settings().table_prefix)


def function_id(template: Template, handler: str) -> str:
    return one(template, "AWS::Lambda::Function", Handler=handler)[0]


def queue_id(template: Template, name: str) -> str:
    return one(template, "AWS::SQS::Queue", QueueName=name)[0]


# --- tables -----------------------------------------------------------------


def test_one_table_per_model_with_the_models_keys(template: Template) -> None:
    assert len(resources(template, "AWS::DynamoDB::Table")) == len(ALL_MODELS)
    for model in ALL_MODELS:
        logical = logical_name(model)
        key_schema, types = model_keys(model)
        _, table = one(
            template, "AWS::DynamoDB::Table", TableName=f"justicia-dev-{logical}"
        )
        assert sorted(table["KeySchema"], key=lambda k: k["KeyType"]) == key_schema
        defined = {
            d["AttributeName"]: d["AttributeType"]
            for d in table["AttributeDefinitions"]
        }
        assert types.items() <= defined.items()
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }
        assert table["SSESpecification"]["SSEType"] == "KMS"
        assert "KMSMasterKeyId" in table["SSESpecification"]
        assert not table.get("DeletionProtectionEnabled")


def test_global_secondary_indexes_come_from_the_models(template: Template) -> None:
    for model in ALL_MODELS:
        indexes = getattr(model, "_indexes", {})
        _, table = one(
            template,
            "AWS::DynamoDB::Table",
            TableName=f"justicia-dev-{logical_name(model)}",
        )
        declared = {
            gsi["IndexName"]: gsi["KeySchema"]
            for gsi in table.get("GlobalSecondaryIndexes", [])
        }
        assert set(declared) == set(indexes)
        for name, index in indexes.items():
            expected = [
                {
                    "AttributeName": attr_name,
                    "KeyType": "HASH" if attr.is_hash_key else "RANGE",
                }
                for attr_name, attr in index.Meta.attributes.items()
                if attr.is_hash_key or attr.is_range_key
            ]
            assert sorted(declared[name], key=str) == sorted(expected, key=str)


def test_streams_on_cases_and_documents_only(template: Template) -> None:
    for table in resources(template, "AWS::DynamoDB::Table").values():
        props = table["Properties"]
        streamed = props["TableName"] in (
            "justicia-dev-cases",
            "justicia-dev-documents",
        )
        stream = props.get("StreamSpecification")
        assert stream == (
            {"StreamViewType": "NEW_AND_OLD_IMAGES"} if streamed else None
        )


def test_idempotency_records_expire(template: Template) -> None:
    _, table = one(
        template, "AWS::DynamoDB::Table", TableName="justicia-dev-idempotency"
    )
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": "expiration",
        "Enabled": True,
    }


def test_prod_tables_have_deletion_protection(prod: Template) -> None:
    for table in resources(prod, "AWS::DynamoDB::Table").values():
        assert table["Properties"]["DeletionProtectionEnabled"] is True


# --- bucket and notifications -------------------------------------------------


def test_documents_bucket_is_versioned_encrypted_and_private(
    template: Template,
) -> None:
    bucket_id, bucket = bucket_named(template, "DocumentsBucket")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in sse["ServerSideEncryptionByDefault"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-multipart-uploads"][
        "AbortIncompleteMultipartUpload"
    ] == {"DaysAfterInitiation": 1}
    quarantine = rules["expire-quarantine"]
    assert quarantine["Prefix"] == "quarantine/"
    assert "NoncurrentVersionExpiration" in quarantine
    temporary = rules["expire-temporary"]
    assert temporary["Prefix"] == "tmp/"
    assert temporary["ExpirationInDays"] == 7
    key = sse["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    ocr = one(template, "AWS::Lambda::Function", Handler=QUEUE_FUNCTIONS[0].handler)
    assert ocr[1]["Environment"]["Variables"]["JUSTICIA_DOCUMENTS_KMS_KEY_ID"] == key
    assert "POST" in bucket["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"]
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_uploads_and_incoming_notify_the_document_events_queue(
    template: Template,
) -> None:
    queue = queue_id(template, "justicia-dev-document-events")
    _, notifications = one(template, "Custom::S3BucketNotifications")
    configs = notifications["NotificationConfiguration"]["QueueConfigurations"]
    prefixes = set()
    for config in configs:
        assert config["QueueArn"] == {"Fn::GetAtt": [queue, "Arn"]}
        assert config["Events"] == ["s3:ObjectCreated:*"]
        (rule,) = config["Filter"]["Key"]["FilterRules"]
        assert rule["Name"].lower() == "prefix"
        prefixes.add(rule["Value"])
    assert prefixes == {"uploads/", "incoming/"}


def test_prod_cors_is_limited_to_the_configured_origins(prod: Template) -> None:
    _, bucket = bucket_named(prod, "DocumentsBucket")
    rule = bucket["CorsConfiguration"]["CorsRules"][0]
    assert rule["AllowedOrigins"] == ["https://justicia.example"]


def test_audit_seals_are_locked_for_the_audit_retention(template: Template) -> None:
    _, bucket = bucket_named(template, "AuditSealsBucket")
    assert bucket["ObjectLockEnabled"] is True
    retention = bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": "COMPLIANCE", "Days": 2555}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}


def test_prod_refuses_a_wildcard_origin() -> None:
    with pytest.raises(ValueError, match="allowed_origins"):
        StageOptions(stage="prod", allowed_origins=("*",))


# --- queues, functions, event sources ------------------------------------------


@pytest.mark.parametrize("spec", QUEUE_FUNCTIONS, ids=lambda spec: spec.name)
def test_each_queue_redrives_to_its_dlq(template: Template, spec: Any) -> None:
    dlq = queue_id(template, f"justicia-dev-{spec.queue}-dlq")
    _, queue = one(template, "AWS::SQS::Queue", QueueName=f"justicia-dev-{spec.queue}")
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
        "maxReceiveCount": 3,
    }
    assert queue["VisibilityTimeout"] >= 6 * spec.timeout_seconds


def test_every_queue_enforces_ssl(template: Template) -> None:
    queues = resources(template, "AWS::SQS::Queue")
    policies = resources(template, "AWS::SQS::QueuePolicy")
    denied = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                denied.update(ref["Ref"] for ref in policy["Properties"]["Queues"])
    assert denied == set(queues)


@pytest.mark.parametrize("spec", QUEUE_FUNCTIONS, ids=lambda spec: spec.name)
def test_each_function_is_fed_by_its_queue(template: Template, spec: Any) -> None:
    function = function_id(template, spec.handler)
    queue = queue_id(template, f"justicia-dev-{spec.queue}")
    _, mapping = one(
        template,
        "AWS::Lambda::EventSourceMapping",
        FunctionName={"Ref": function},
    )
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["BatchSize"] == spec.batch_size
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    _, props = one(template, "AWS::Lambda::Function", Handler=spec.handler)
    assert props["Runtime"] == "python3.12"
    assert props["Timeout"] == spec.timeout_seconds
    assert props["MemorySize"] == spec.memory_mb
    assert props["TracingConfig"] == {"Mode": "Active"}


def test_functions_package_only_chalicelib_and_functions(
    dev: tuple[Any, Template, Path],
) -> None:
    _, template, outdir = dev
    _, props = one(template, "AWS::Lambda::Function", Handler=MAINTENANCE_HANDLER)
    asset = outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
    assert sorted(path.name for path in asset.iterdir()) == ["chalicelib", "functions"]
    assert not list(asset.rglob("__pycache__"))
    assert (asset / "chalicelib" / "data" / "judicial_map.json").is_file()


def test_ocr_function_has_the_tesseract_layer_and_its_settings(
    template: Template,
) -> None:
    _, props = one(
        template,
        "AWS::Lambda::Function",
        Handler="functions.ocr.handler.lambda_handler",
    )
    tesseract = one(
        template,
        "AWS::Lambda::LayerVersion",
        Description=Match.string_like_regexp("Tesseract"),
    )[0]
    assert {"Ref": tesseract} in props["Layers"]
    variables = props["Environment"]["Variables"]
    assert variables["OMP_THREAD_LIMIT"] == "1"
    assert variables["JUSTICIA_OCR_ENGINE"] == "textract"
    assert variables["TESSDATA_PREFIX"] == "/opt/share/tessdata"


def test_functions_are_told_every_setting_of_config(template: Template) -> None:
    source = (REPO_ROOT / "chalicelib" / "config.py").read_text()
    read = set(re.findall(r'_env\(\s*"(\w+)"', source))
    defaulted = {
        "AWS_REGION",  # set by Lambda
        "AWS_DEFAULT_REGION",
        "JUSTICIA_AWS_ENDPOINT_URL",  # local stack only
        "JUSTICIA_JWKS_URL",  # derived from region and pool
        "JUSTICIA_HSM_TOKEN_LABEL",
        "JUSTICIA_HSM_KEY_LABEL",
        "JUSTICIA_HEALTH_CHECKS",  # the functions run no health route
        # Sign-in guards and account ages: the documented defaults are the policy.
        "JUSTICIA_LOGIN_MAX_FAILURES",
        "JUSTICIA_LOGIN_WINDOW_SECONDS",
        "JUSTICIA_LOGIN_LOCK_SECONDS",
        "JUSTICIA_LOGIN_IP_PER_MINUTE",
        "JUSTICIA_PASSWORD_MAX_AGE_DAYS",
        "JUSTICIA_USER_IDLE_DAYS",
        "JUSTICIA_PUBLIC_VERIFICATIONS_PER_MINUTE",
        # Case management: the documented defaults are the courts' policy.
        "JUSTICIA_COURT_TIMEZONE",
        "JUSTICIA_HEARING_SLOT_MINUTES",
        "JUSTICIA_PUBLIC_TRACKING_PER_MINUTE",
        # Search: only the functions in the domain's subnets are told it (the
        # API, maintenance, indexer: tests/unit/test_search_infrastructure.py);
        # the searches a minute are the default.
        "JUSTICIA_SEARCH_URL",
        "JUSTICIA_SEARCH_REPLICAS",
        "JUSTICIA_SEARCH_PER_MINUTE",
    }
    for spec in (*QUEUE_FUNCTIONS,):
        _, props = one(template, "AWS::Lambda::Function", Handler=spec.handler)
        variables = props["Environment"]["Variables"]
        assert read - defaulted <= set(variables), read - defaulted - set(variables)
        assert (
            variables["JUSTICIA_HSM_MODULE"]
            == "/opt/cloudhsm/lib/libcloudhsm_pkcs11.so"
        )
        assert variables["JUSTICIA_TABLE_PREFIX"] == "justicia-dev-"


def test_audit_is_append_only_for_the_functions(template: Template) -> None:
    audit = one(template, "AWS::DynamoDB::Table", TableName="justicia-dev-audit")[0]
    for policy in resources(template, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            targets = statement["Resource"]
            targets = targets if isinstance(targets, list) else [targets]
            if {"Fn::GetAtt": [audit, "Arn"]} in targets:
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                assert not {"dynamodb:DeleteItem", "dynamodb:UpdateItem"} & set(actions)


def test_ocr_may_queue_page_chunks_to_its_own_queue(template: Template) -> None:
    events = queue_id(template, "justicia-dev-document-events")
    ocr_policies = [
        policy
        for logical_id, policy in resources(template, "AWS::IAM::Policy").items()
        if "Ocr" in logical_id
    ]
    statements = [
        statement
        for policy in ocr_policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert any(
        "sqs:SendMessage" in json.dumps(statement["Action"])
        and statement["Resource"] == {"Fn::GetAtt": [events, "Arn"]}
        for statement in statements
    )
    assert "tmp/*" in json.dumps(ocr_policies)


def test_only_ocr_may_call_textract(template: Template) -> None:
    holders = [
        logical_id
        for logical_id, policy in resources(template, "AWS::IAM::Policy").items()
        if "textract:DetectDocumentText" in json.dumps(policy)
    ]
    assert len(holders) == 1 and "Ocr" in holders[0]


def test_prod_signing_function_runs_in_the_hsm_vpc(prod: Template) -> None:
    _, props = one(
        prod,
        "AWS::Lambda::Function",
        Handler="functions.signing.handler.lambda_handler",
    )
    assert props["VpcConfig"]["SubnetIds"] == list(PROD.subnet_ids)
    assert "sg-0cccccccccccccccc" in props["VpcConfig"]["SecurityGroupIds"]


def test_placeholder_layers_are_flagged(dev: tuple[Any, Template, Path]) -> None:
    stack = dev[0]
    warnings = {
        str(entry.data) for entry in _metadata(stack) if entry.type == "aws:cdk:warning"
    }
    for name in ("python-deps", "tesseract"):
        flagged = any(f"layers/{name}/build/layer.zip" in w for w in warnings)
        assert flagged == (not layer_source(name)[1])


def _metadata(stack: cdk.Stack) -> list[Any]:
    return [entry for child in stack.node.find_all() for entry in child.node.metadata]


def test_prod_without_built_layers_is_refused(tmp_path: Path) -> None:
    if all(layer_source(name)[1] for name in ("python-deps", "tesseract")):
        pytest.skip("both layers are built here")
    strict = StageOptions(
        stage="prod", with_api=False, allowed_origins=("https://justicia.example",)
    )
    with pytest.raises(FileNotFoundError, match=r"layer\.zip"):
        synth(tmp_path, options=strict)


# --- schedules ----------------------------------------------------------------


def test_one_rule_per_schedule_with_the_job_as_constant_input(
    template: Template,
) -> None:
    from functions.maintenance.handler import JOBS

    maintenance = function_id(template, MAINTENANCE_HANDLER)
    assert len(resources(template, "AWS::Events::Rule")) == len(SCHEDULES)
    for schedule in SCHEDULES:
        assert schedule.job in JOBS
        _, rule = one(
            template,
            "AWS::Events::Rule",
            Name=f"justicia-dev-{schedule.name}",
            ScheduleExpression=schedule.expression,
        )
        (target,) = rule["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [maintenance, "Arn"]}
        assert json.loads(target["Input"]) == {"job": schedule.job}


# --- identity and secrets -------------------------------------------------------


def test_user_pool_client_and_groups(template: Template) -> None:
    pool_id, pool = one(template, "AWS::Cognito::UserPool")
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 3,
    }
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    _, client = one(template, "AWS::Cognito::UserPoolClient")
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["GenerateSecret"] is False
    groups = resources(template, "AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == sorted(
        ROLES
    )
    for group in groups.values():
        assert group["Properties"]["UserPoolId"] == {"Ref": pool_id}


def test_secrets_are_generated_and_chain_is_a_parameter(template: Template) -> None:
    secrets = template.find_resources("AWS::SecretsManager::Secret")
    by_name = {s["Properties"]["Name"]: s["Properties"] for s in secrets.values()}
    assert set(by_name) == {"justicia/dev/hsm-pin", "justicia/dev/national-id-key"}
    for secret in by_name.values():
        assert "GenerateSecretString" in secret and "SecretString" not in secret
    digest_key = by_name["justicia/dev/national-id-key"]["GenerateSecretString"]
    assert digest_key["PasswordLength"] == 64, "32 bytes of key, in hex"
    _, parameter = one(template, "AWS::SSM::Parameter")
    assert parameter["Name"] == "/justicia/dev/signing-chain"


# --- monitoring -------------------------------------------------------------------


def test_alarm_on_every_dead_letter_queue(template: Template) -> None:
    topic = one(template, "AWS::SNS::Topic", TopicName="justicia-dev-alarms")[0]
    for spec in QUEUE_FUNCTIONS:
        dlq = queue_id(template, f"justicia-dev-{spec.queue}-dlq")
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}
                ],
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "AlarmActions": [{"Ref": topic}],
            },
        )
        queue = queue_id(template, f"justicia-dev-{spec.queue}")
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": [
                    {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}
                ],
            },
        )


def test_dashboard_shows_every_application_metric(template: Template) -> None:
    counted = set()
    for folder in ("chalicelib", "functions"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            counted.update(re.findall(r'\bcount\("(\w+)"', path.read_text()))
    assert counted == set(APPLICATION_METRICS)
    _, dashboard = one(template, "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["DashboardBody"])
    for name in APPLICATION_METRICS:
        assert f'\\"{name}\\"' in body, name
    assert "Justicia" in body and "service" in body


# --- region -----------------------------------------------------------------------


def test_no_region_is_hard_coded(template: Template, prod: Template) -> None:
    for synthesized in (template, prod):
        text = json.dumps(synthesized.to_json())
        assert not REGION.findall(text)


# --- the API (slow: Chalice packages the app and pip-downloads its requirements) --


@pytest.mark.integration
@pytest.mark.skipif(
    os.environ.get("JUSTICIA_SYNTH_API") != "1",
    reason="set JUSTICIA_SYNTH_API=1: Chalice's synth takes minutes and needs PyPI",
)
def test_stack_with_the_chalice_api(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # Chalice writes chalice.out/ in the cwd.
    _, template, _ = synth(tmp_path / "cdk.out", stage="dev", with_api=True)
    _, handler = one(template, "AWS::Serverless::Function", Handler="app.app")
    variables = handler["Environment"]["Variables"]
    assert variables["JUSTICIA_STAGE"] == "dev"
    assert variables["JUSTICIA_DOCUMENTS_BUCKET"] == {
        "Ref": bucket_named(template, "DocumentsBucket")[0]
    }
    assert handler["Tracing"] == "Active"
    assert not REGION.findall(json.dumps(template.to_json()))
    # In the search domain's subnets, told its endpoint, mapped as its reader.
    clients = [
        k
        for k in resources(template, "AWS::EC2::SecurityGroup")
        if k.startswith("SearchClientGroup")
    ]
    assert handler["VpcConfig"]["SecurityGroupIds"] == [
        {"Fn::GetAtt": [clients[0], "GroupId"]}
    ]
    assert len(handler["VpcConfig"]["SubnetIds"]) == 1
    assert "DomainEndpoint" in json.dumps(variables["JUSTICIA_SEARCH_URL"])
    _, setup = one(template, "Custom::JusticiaSearchSetup")
    assert setup["Readers"] == [{"Fn::GetAtt": ["DefaultRole", "Arn"]}]
    # The authorizer reads Cognito's public jwks.json: outside the VPC.
    _, authorizer = one(
        template,
        "AWS::Serverless::Function",
        Handler="chalicelib.routes.security.cognito_jwt",
    )
    assert "VpcConfig" not in authorizer


def test_api_may_administer_users_of_its_pool_only() -> None:
    from infrastructure.stacks.resources import USER_ADMINISTRATION

    source = "".join(
        (REPO_ROOT / "chalicelib" / name).read_text()
        for name in ("identity.py", "users.py")
    )
    called = {
        "cognito-idp:" + "".join(part.title() for part in name.split("_"))
        for name in re.findall(r"cognito\.(admin_\w+)\(", source)
    }
    assert "cognito-idp:AdminCreateUser" in called
    assert called <= set(USER_ADMINISTRATION), called - set(USER_ADMINISTRATION)


def test_maintenance_may_deactivate_idle_users(template: Template) -> None:
    from chalicelib.deployment import MAINTENANCE_HANDLER

    role = one(template, "AWS::Lambda::Function", Handler=MAINTENANCE_HANDLER)[1][
        "Role"
    ]
    actions: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role["Fn::GetAtt"][0]} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                found = statement["Action"]
                actions.update([found] if isinstance(found, str) else found)
    assert {
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminUserGlobalSignOut",
    } <= actions
    assert "dynamodb:UpdateItem" in actions


def test_web_app_is_served_from_a_private_bucket_by_cloudfront() -> None:
    from infrastructure.stacks.web import WebAppStack

    app = cdk.App()
    web = Template.from_stack(
        WebAppStack(app, "Justicia-test-web", options=StageOptions(stage="dev"))
    )
    bucket_id, bucket = one(web, "AWS::S3::Bucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    one(web, "AWS::CloudFront::OriginAccessControl")
    _, distribution = one(web, "AWS::CloudFront::Distribution")
    config = distribution["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "ResponseHeadersPolicyId" in behavior
    origin = config["Origins"][0]
    assert origin["DomainName"]["Fn::GetAtt"][0] == bucket_id
    assert "OriginAccessControlId" in origin
