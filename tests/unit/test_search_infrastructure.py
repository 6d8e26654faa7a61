"""The search domain, its network, functions and deploy-time set-up, synthesized."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

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

from chalicelib.deployment import MAINTENANCE_HANDLER  # noqa: E402
from infrastructure.stacks.justicia_stack import JusticiaStack  # noqa: E402
from infrastructure.stacks.network import INTERFACE_ENDPOINTS  # noqa: E402
from infrastructure.stacks.options import StageOptions  # noqa: E402
from infrastructure.stacks.search import (  # noqa: E402
    INDEXER_HANDLER,
    SETUP_HANDLER,
    STREAM_RETRIES,
    setup_digest,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

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
    # The two streams, beside the three queues (documents, signing, Textract).
    template.resource_count_is("AWS::Lambda::EventSourceMapping", 5)
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
    [topic] = template.find_resources(
        "AWS::SNS::Topic", {"Properties": {"TopicName": "justicia-prod-alarms"}}
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"AlarmName": f"justicia-prod-{name}", "AlarmActions": [{"Ref": topic}]},
    )


# --- the functions in the domain's network, and the set-up at deploy ---------

DEV = StageOptions(stage="dev", with_api=False)
SEARCH_FUNCTIONS = (INDEXER_HANDLER, MAINTENANCE_HANDLER, SETUP_HANDLER)


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> JusticiaStack:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk-search-dev")))
    return JusticiaStack(app, "Justicia-search-dev", options=DEV)


@pytest.fixture(scope="module")
def dev(dev_stack: JusticiaStack) -> Template:
    return Template.from_stack(dev_stack)


def logical_id(template: Template, kind: str, prefix: str) -> str:
    """The one resource of ``kind`` whose logical id starts with ``prefix``."""
    found = [name for name in template.find_resources(kind) if name.startswith(prefix)]
    assert len(found) == 1, found
    return found[0]


def function(template: Template, handler: str) -> dict[str, Any]:
    found = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": handler}}
    )
    assert len(found) == 1, handler
    props: dict[str, Any] = next(iter(found.values()))["Properties"]
    return props


def endpoint_url(template: Template) -> dict[str, Any]:
    domain_id = next(iter(template.find_resources("AWS::OpenSearchService::Domain")))
    return {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [domain_id, "DomainEndpoint"]}]]
    }


@pytest.mark.parametrize("handler", SEARCH_FUNCTIONS)
def test_search_functions_run_in_the_domain_subnets_with_the_client_group(
    dev: Template, handler: str
) -> None:
    clients = logical_id(dev, "AWS::EC2::SecurityGroup", "SearchClientGroup")
    subnet = logical_id(dev, "AWS::EC2::Subnet", "SearchVpcsearchSubnet1")
    vpc = function(dev, handler)["VpcConfig"]
    assert vpc["SecurityGroupIds"] == [{"Fn::GetAtt": [clients, "GroupId"]}]
    assert vpc["SubnetIds"] == [{"Ref": subnet}]


@pytest.mark.parametrize("handler", SEARCH_FUNCTIONS)
def test_search_functions_are_told_the_domain_endpoint(
    dev: Template, handler: str
) -> None:
    variables = function(dev, handler)["Environment"]["Variables"]
    assert variables["JUSTICIA_SEARCH_URL"] == endpoint_url(dev)
    assert variables["JUSTICIA_SEARCH_REPLICAS"] == "0"  # one data node in dev


def test_prod_search_functions_span_both_subnets_with_a_replica(
    template: Template,
) -> None:
    for handler in SEARCH_FUNCTIONS:
        props = function(template, handler)
        assert sorted(props["VpcConfig"]["SubnetIds"]) == sorted(PROD.subnet_ids)
        assert props["Environment"]["Variables"]["JUSTICIA_SEARCH_REPLICAS"] == "1"


def test_api_stage_config_places_the_api_in_the_subnets(
    dev_stack: JusticiaStack, dev: Template
) -> None:
    from infrastructure.stacks.api import stage_config

    config = dev_stack.resolve(
        stage_config(dev_stack.resources, dev_stack.search.attachment)
    )
    clients = logical_id(dev, "AWS::EC2::SecurityGroup", "SearchClientGroup")
    subnet = logical_id(dev, "AWS::EC2::Subnet", "SearchVpcsearchSubnet1")
    assert config["security_group_ids"] == [{"Fn::GetAtt": [clients, "GroupId"]}]
    assert config["subnet_ids"] == [{"Ref": subnet}]
    assert config["environment_variables"]["JUSTICIA_SEARCH_URL"] == endpoint_url(dev)


def test_no_nat_and_no_internet_route(dev: Template) -> None:
    for kind in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EIP"):
        dev.resource_count_is(kind, 0)


def test_every_service_the_search_functions_call_has_an_endpoint(
    dev: Template,
) -> None:
    called = {
        name
        for path in (REPO_ROOT / "chalicelib").rglob("*.py")
        for name in re.findall(r'client\("([a-z0-9-]+)"\)', path.read_text())
    }
    assert {"dynamodb", "sqs", "cognito-idp"} <= called  # the scan finds calls
    outside = {"textract"}  # the OCR function's only, outside the VPC
    services = {
        json.dumps(resource["Properties"]["ServiceName"])
        for resource in dev.find_resources("AWS::EC2::VPCEndpoint").values()
    }
    for name in (called - outside) | {"s3", "xray"}:
        assert any(f'.{name}"' in service for service in services), name


def test_interface_endpoints_use_private_dns_and_answer_the_clients_only(
    dev: Template,
) -> None:
    group = logical_id(dev, "AWS::EC2::SecurityGroup", "SearchEndpointGroup")
    interfaces = dev.find_resources(
        "AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Interface"}}
    )
    assert len(interfaces) == len(INTERFACE_ENDPOINTS)
    for resource in interfaces.values():
        props = resource["Properties"]
        assert props["PrivateDnsEnabled"] is True
        assert props["SecurityGroupIds"] == [{"Fn::GetAtt": [group, "GroupId"]}]


@pytest.mark.parametrize("prefix", ["SearchDomainGroup", "SearchEndpointGroup"])
def test_domain_and_endpoints_accept_https_from_the_functions_only(
    dev: Template, prefix: str
) -> None:
    group = logical_id(dev, "AWS::EC2::SecurityGroup", prefix)
    clients = logical_id(dev, "AWS::EC2::SecurityGroup", "SearchClientGroup")
    inline = dev.find_resources("AWS::EC2::SecurityGroup")[group]["Properties"]
    assert "SecurityGroupIngress" not in inline
    rules = [
        resource["Properties"]
        for resource in dev.find_resources("AWS::EC2::SecurityGroupIngress").values()
        if resource["Properties"]["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}
    ]
    assert [
        (
            rule["IpProtocol"],
            rule["FromPort"],
            rule["ToPort"],
            rule["SourceSecurityGroupId"],
        )
        for rule in rules
    ] == [("tcp", 443, 443, {"Fn::GetAtt": [clients, "GroupId"]})]


def test_a_configured_vpc_gets_no_endpoints_but_a_warning(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("cdk-search-vpc")))
    stack = JusticiaStack(app, "Justicia-search-vpc", options=PROD)
    Template.from_stack(stack).resource_count_is("AWS::EC2::VPCEndpoint", 0)
    messages = [
        str(entry.data)
        for entry in stack.search.node.metadata
        if entry.type == "aws:cdk:warning"
    ]
    assert any("vpc_id is set" in message for message in messages), messages


def test_setup_maps_the_indexer_and_maintenance_roles_as_writers(
    dev: Template,
) -> None:
    found = dev.find_resources("Custom::JusticiaSearchSetup")
    assert len(found) == 1
    resource = next(iter(found.values()))
    props = resource["Properties"]
    writers = [function(dev, h)["Role"] for h in (INDEXER_HANDLER, MAINTENANCE_HANDLER)]
    assert props["Writers"] == writers
    assert props["Readers"] == []  # no API in this stack
    assert props["Definition"] == setup_digest()
    domain_id = next(iter(dev.find_resources("AWS::OpenSearchService::Domain")))
    assert domain_id in resource["DependsOn"]
    provider = props["ServiceToken"]["Fn::GetAtt"][0]
    assert provider.startswith("SearchSetupProviderframeworkonEvent")


def test_setup_function_alone_runs_as_the_domains_master_user(dev: Template) -> None:
    admin = logical_id(dev, "AWS::IAM::Role", "SearchSearchAdmin")
    master = domain(dev)["AdvancedSecurityOptions"]["MasterUserOptions"]
    assert master["MasterUserARN"] == {"Fn::GetAtt": [admin, "Arn"]}
    users = [
        props["Handler"]
        for props in (
            resource["Properties"]
            for resource in dev.find_resources("AWS::Lambda::Function").values()
        )
        if props["Role"] == {"Fn::GetAtt": [admin, "Arn"]}
    ]
    assert users == [SETUP_HANDLER]
    trust = dev.find_resources("AWS::IAM::Role")[admin]["Properties"]
    statements = trust["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in statements] == [{"Service": "lambda.amazonaws.com"}]


def test_master_user_may_call_only_the_search_domain(dev: Template) -> None:
    admin = logical_id(dev, "AWS::IAM::Role", "SearchSearchAdmin")
    domain_id = next(iter(dev.find_resources("AWS::OpenSearchService::Domain")))
    statements = [
        statement
        for policy in dev.find_resources("AWS::IAM::Policy").values()
        if {"Ref": admin} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements, "the master user has no policy"
    for statement in statements:
        actions = statement["Action"]
        assert all(a.startswith("es:ESHttp") for a in actions), actions
        assert domain_id in json.dumps(statement["Resource"])


def test_setup_digest_follows_the_index_and_role_definitions() -> None:
    from infrastructure.stacks.search import SETUP_SOURCES

    assert "chalicelib/search/security.py" in SETUP_SOURCES
    assert "chalicelib/search/mappings.py" in SETUP_SOURCES
    assert all((REPO_ROOT / path).is_file() for path in SETUP_SOURCES)
