"""Textract's notification channel in the synthesized CDK stack (dev).

SNS topic (encrypted with the stage's key), the role Textract assumes to
publish on it, the completions queue subscribed with its dead-letter queue,
the completion function fed by that queue, and what each function is told
and allowed.
"""

from __future__ import annotations

import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import json
from typing import Any

import pytest

from infrastructure.environment import apply_safe_defaults

apply_safe_defaults()

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Match, Template  # noqa: E402

from chalicelib.deployment import QUEUE_FUNCTIONS  # noqa: E402
from infrastructure.stacks.justicia_stack import JusticiaStack  # noqa: E402

COMPLETION = next(spec for spec in QUEUE_FUNCTIONS if spec.name == "textract")
OCR = next(spec for spec in QUEUE_FUNCTIONS if spec.name == "ocr")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk-textract")))
    stack = JusticiaStack(app, "Justicia-textract", stage="dev", with_api=False)
    return Template.from_stack(stack)


def only(template: Template, kind: str, **props: Any) -> tuple[str, dict[str, Any]]:
    found = template.find_resources(kind, {"Properties": props} if props else None)
    assert len(found) == 1, sorted(found)
    logical_id, resource = next(iter(found.items()))
    return logical_id, resource["Properties"]


def topic_id(template: Template) -> str:
    return only(
        template, "AWS::SNS::Topic", TopicName="justicia-dev-textract-completions"
    )[0]


def role_id(template: Template) -> str:
    found = [
        logical_id
        for logical_id, role in template.find_resources("AWS::IAM::Role").items()
        if "textract.amazonaws.com" in json.dumps(role)
    ]
    assert len(found) == 1, found
    return found[0]


def policies_of(template: Template, principal: str) -> list[dict[str, Any]]:
    """Statements of every policy attached to the role ``principal``."""
    return [
        statement
        for policy in template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": principal} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def function_role(template: Template, handler: str) -> str:
    _, props = only(template, "AWS::Lambda::Function", Handler=handler)
    return str(props["Role"]["Fn::GetAtt"][0])


def test_topic_is_encrypted_with_the_stage_key(template: Template) -> None:
    _, props = only(
        template, "AWS::SNS::Topic", TopicName="justicia-dev-textract-completions"
    )
    key = only(template, "AWS::KMS::Key")[0]
    assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [key, "Arn"]}


def test_textract_assumes_a_role_for_this_account_only(template: Template) -> None:
    role = template.to_json()["Resources"][role_id(template)]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "textract.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert "aws:SourceAccount" in statement["Condition"]["StringEquals"]


def test_the_role_may_publish_on_the_topic_and_use_its_key(template: Template) -> None:
    statements = policies_of(template, role_id(template))
    topic = topic_id(template)
    key = only(template, "AWS::KMS::Key")[0]
    assert {"Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": topic}} in [
        {k: s[k] for k in ("Action", "Effect", "Resource")} for s in statements
    ]
    key_actions = [
        s["Action"] for s in statements if s["Resource"] == {"Fn::GetAtt": [key, "Arn"]}
    ]
    flat = json.dumps(key_actions)
    assert "kms:GenerateDataKey*" in flat and "kms:Decrypt" in flat
    assert "sns:Publish" not in json.dumps(
        [s for s in statements if s["Resource"] != {"Ref": topic}]
    )


def test_completions_queue_is_subscribed_and_redrives_to_its_dlq(
    template: Template,
) -> None:
    queue, props = only(
        template, "AWS::SQS::Queue", QueueName="justicia-dev-textract-completions"
    )
    dlq = only(
        template, "AWS::SQS::Queue", QueueName="justicia-dev-textract-completions-dlq"
    )[0]
    assert props["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq, "Arn"]}
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {
            "Protocol": "sqs",
            "TopicArn": {"Ref": topic_id(template)},
            "Endpoint": {"Fn::GetAtt": [queue, "Arn"]},
        },
    )
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sqs:SendMessage",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Condition": {
                                    "ArnEquals": {
                                        "aws:SourceArn": {"Ref": topic_id(template)}
                                    }
                                },
                            }
                        )
                    ]
                )
            },
        },
    )


def test_completion_function_is_fed_by_the_queue(template: Template) -> None:
    function = only(template, "AWS::Lambda::Function", Handler=COMPLETION.handler)[0]
    queue = only(
        template, "AWS::SQS::Queue", QueueName="justicia-dev-textract-completions"
    )[0]
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": function},
            "EventSourceArn": {"Fn::GetAtt": [queue, "Arn"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


def test_functions_are_told_the_channel(template: Template) -> None:
    for spec in (OCR, COMPLETION):
        _, props = only(template, "AWS::Lambda::Function", Handler=spec.handler)
        variables = props["Environment"]["Variables"]
        assert variables["JUSTICIA_TEXTRACT_TOPIC_ARN"] == {"Ref": topic_id(template)}
        assert variables["JUSTICIA_TEXTRACT_ROLE_ARN"] == {
            "Fn::GetAtt": [role_id(template), "Arn"]
        }
        assert variables["JUSTICIA_OCR_ENGINE"] == "textract"


def test_ocr_may_start_jobs_and_hand_textract_the_role(template: Template) -> None:
    statements = policies_of(template, function_role(template, OCR.handler))
    text = json.dumps(statements)
    assert "textract:StartDocumentTextDetection" in text
    assert {
        "Action": "iam:PassRole",
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [role_id(template), "Arn"]},
    } in [{k: s[k] for k in ("Action", "Effect", "Resource")} for s in statements]


def test_completion_function_only_reads_results(template: Template) -> None:
    statements = policies_of(template, function_role(template, COMPLETION.handler))
    text = json.dumps(statements)
    assert "textract:GetDocumentTextDetection" in text
    assert "textract:StartDocumentTextDetection" not in text
    assert "textract:DetectDocumentText" not in text
    assert "iam:PassRole" not in text
    assert "tmp/*" in text
    events = only(
        template, "AWS::SQS::Queue", QueueName="justicia-dev-document-events"
    )[0]
    assert any(
        "sqs:SendMessage" in json.dumps(s["Action"])
        and s["Resource"] == {"Fn::GetAtt": [events, "Arn"]}
        for s in statements
    )


def test_documents_are_found_by_their_textract_job(template: Template) -> None:
    _, props = only(
        template, "AWS::DynamoDB::Table", TableName="justicia-dev-documents"
    )
    indexes = {gsi["IndexName"]: gsi for gsi in props["GlobalSecondaryIndexes"]}
    index = indexes["textract_job_id"]
    assert index["KeySchema"] == [
        {"AttributeName": "textract_job_id", "KeyType": "HASH"}
    ]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
