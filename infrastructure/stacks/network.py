"""The search domain's private network, and how a function joins it.

The functions that talk to OpenSearch (the API, the maintenance job, the
indexer, the search set-up) run in the domain's private subnets with one
security group, the only source the domain and the endpoints accept on 443.
The VPC has no internet route: every AWS service those functions call is
reached through a VPC endpoint (``GATEWAY_ENDPOINTS``, ``INTERFACE_ENDPOINTS``)
rather than a NAT gateway; infrastructure/README.md says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import Annotations
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from infrastructure.stacks.options import StageOptions

GATEWAY_ENDPOINTS = {
    "S3": ec2.GatewayVpcEndpointAwsService.S3,
    "DynamoDb": ec2.GatewayVpcEndpointAwsService.DYNAMODB,
}
INTERFACE_ENDPOINTS = {
    # What the API, the maintenance job and the indexer call (chalicelib's
    # client("...") calls); Textract is the OCR function's, outside the VPC.
    "Sqs": ec2.InterfaceVpcEndpointAwsService.SQS,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    "Ssm": ec2.InterfaceVpcEndpointAwsService.SSM,
    "CognitoIdp": ec2.InterfaceVpcEndpointAwsService.COGNITO_IDP,
    # Active tracing: Lambda's X-Ray daemon sends segments from the VPC.
    "XRay": ec2.InterfaceVpcEndpointAwsService.XRAY,
}
"""Not needed: KMS (S3, DynamoDB and Secrets Manager decrypt on the server
side), CloudWatch Logs and metrics (Lambda ships the logs, and metrics are
embedded in them), STS (Lambda hands the credentials over), Step Functions
(never called)."""


def search_vpc(scope: Construct, options: StageOptions) -> ec2.IVpc:
    """The stage's VPC when configured, else a private one for search."""
    if options.vpc_id:
        return ec2.Vpc.from_vpc_attributes(
            scope,
            "Vpc",
            vpc_id=options.vpc_id,
            availability_zones=[
                cdk.Fn.select(i, cdk.Fn.get_azs())
                for i in range(len(options.subnet_ids))
            ],
            private_subnet_ids=list(options.subnet_ids),
        )
    vpc = ec2.Vpc(
        scope,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(
                name="search", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
            )
        ],
    )
    for name, service in GATEWAY_ENDPOINTS.items():
        vpc.add_gateway_endpoint(name, service=service)
    return vpc


def add_interface_endpoints(
    scope: Construct,
    vpc: ec2.IVpc,
    subnets: ec2.SubnetSelection,
    clients: ec2.ISecurityGroup,
) -> list[ec2.InterfaceVpcEndpoint]:
    """One private-DNS endpoint per service, answering the clients only."""
    group = ec2.SecurityGroup(
        scope,
        "EndpointGroup",
        vpc=vpc,
        allow_all_outbound=False,
        description="AWS service endpoints of the search functions",
    )
    group.add_ingress_rule(clients, ec2.Port.tcp(443), "HTTPS from the functions")
    return [
        vpc.add_interface_endpoint(
            name,
            service=service,
            subnets=subnets,
            security_groups=[group],
            open=False,
            private_dns_enabled=True,
        )
        for name, service in INTERFACE_ENDPOINTS.items()
    ]


def warn_borrowed_vpc(scope: Construct) -> None:
    """A configured VPC is the operator's: its paths to AWS are theirs to give."""
    services = ", ".join([*GATEWAY_ENDPOINTS, *INTERFACE_ENDPOINTS])
    Annotations.of(scope).add_warning_v2(
        "justicia:search-vpc-endpoints",
        f"vpc_id is set: no endpoint is created in it. The search functions need "
        f"a path (endpoints or a NAT) to: {services}.",
    )


@dataclass(frozen=True)
class SearchAttachment:
    """Where a search function runs and what it is told about the domain."""

    vpc: ec2.IVpc
    subnets: list[ec2.ISubnet]
    security_group: ec2.ISecurityGroup
    environment: dict[str, str] = field(default_factory=dict)

    def function_props(self) -> dict[str, Any]:
        """Keyword arguments of ``lambda_.Function`` placing it in the subnets."""
        return {
            "vpc": self.vpc,
            "vpc_subnets": ec2.SubnetSelection(subnets=self.subnets),
            "security_groups": [self.security_group],
        }

    def chalice_config(self) -> dict[str, Any]:
        """The Chalice stage keys placing the API's functions in the subnets."""
        return {
            "subnet_ids": [subnet.subnet_id for subnet in self.subnets],
            "security_group_ids": [self.security_group.security_group_id],
        }
