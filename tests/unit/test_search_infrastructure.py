"""The search domain and its indexer in the synthesized CDK stack (prod)."""

from __future__ import annotations

import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

from typing import Any

import pytest

from infrastructure.environment import apply_safe_defaults

apply_safe_defaults()

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Match, Template  # noqa: E402

from infrastructure.stacks.justicia_stack import JusticiaStack  # noqa: E402
from infrastructure.stacks.options import StageOptions  # noqa: E402
from infrastructure.stacks.search import INDEXER_HANDLER, STREAM_RETRIES  # noqa: E402

PROD = StageOptions(
    stage="prod",
    with_api=False,
    allowed_origins=("https://justicia.example",),
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"),
    allow_placeholder_layers=True,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk-search")))
    return Template.from_stack(JusticiaStack(app, "Justicia-search", options=PROD))


def domain(template: Template) -> dict[str, Any]:
    found = template.find_resources("AWS::OpenSearchService::Domain")
    assert len(found) == 1
    props: dict[str, Any] = next(iter(found.values()))["Properties"]
    return props


def test_domain_runs_opensearch_2_19_in_the_vpc(template: Template) -> None:
    props = domain(template)
    assert props["EngineVersion"] == "OpenSearch_2.19"
    assert sorted(props["VPCOptions"]["SubnetIds"]) == sorted(PROD.subnet_ids)
    assert props["VPCOptions"]["SecurityGroupIds"]
    assert props["ClusterConfig"]["ZoneAwarenessEnabled"] is True


def test_domain_encrypts_at_rest_and_between_nodes_over_https_only(
    template: Template,
) -> None:
    props = domain(template)
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert "KmsKeyId" in props["EncryptionAtRestOptions"]
    assert props["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert props["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith(
        "Policy-Min-TLS-1-2"
    )


def test_domain_has_fine_grained_access_with_an_iam_master(template: Template) -> None:
    security = domain(template)["AdvancedSecurityOptions"]
    assert security["Enabled"] is True
    assert security["InternalUserDatabaseEnabled"] is False
    assert "MasterUserARN" in security["MasterUserOptions"]


def test_indexer_reads_both_streams_with_retries_and_dead_letters(
    template: Template,
) -> None:
    template.resource_count_is("AWS::Lambda::EventSourceMapping", 4)
    mappings = template.find_resources(
        "AWS::Lambda::EventSourceMapping",
        {"Properties": {"BisectBatchOnFunctionError": True}},
    )
    assert len(mappings) == 2
    for mapping in mappings.values():
        props = mapping["Properties"]
        assert props["MaximumRetryAttempts"] == STREAM_RETRIES
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["StartingPosition"] == "TRIM_HORIZON"
        assert "OnFailure" in props["DestinationConfig"]


def test_indexer_runs_in_the_vpc_with_the_search_endpoint(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": INDEXER_HANDLER,
            "VpcConfig": Match.object_like(
                {"SubnetIds": Match.any_value(), "SecurityGroupIds": Match.any_value()}
            ),
            "Environment": {
                "Variables": Match.object_like(
                    {"JUSTICIA_SEARCH_URL": Match.any_value()}
                )
            },
        },
    )


def test_synth_names_no_region(template: Template) -> None:
    text = str(template.to_json())
    assert "eu-west-3" not in text and "us-east-1" not in text


@pytest.mark.parametrize(
    "name",
    [
        "search-indexingdlqdepth",
        "search-searchdrift",
        "search-indexererrors",
        "search-clusterred",
    ],
)
def test_search_failures_call_an_operator(template: Template, name: str) -> None:
    topic = next(iter(template.find_resources("AWS::SNS::Topic")))
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmName": f"justicia-prod-{name}", "AlarmActions": [{"Ref": topic}]},
    )
