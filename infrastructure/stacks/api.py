"""The Chalice API, packaged by Chalice's own CDK construct.

The construct runs ``chalice package`` during synthesis (it writes
``chalice.out/``, git-ignored), including ``pip download`` of requirements.txt
for the managed layer: slow, and it needs PyPI. That is why the stack can be
built without it (``with_api=False``) for fast offline tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from infrastructure.stacks import REPO_ROOT
from infrastructure.stacks.network import SearchAttachment
from infrastructure.stacks.resources import (
    StageResources,
    grant_api,
    runtime_environment,
)

if TYPE_CHECKING:
    from infrastructure.stacks.search import Search

API_HANDLER = "APIHandler"
API_ROLE = "DefaultRole"
# Chalice deploys the token authorizer as a function of its own; its resource
# in the packaged template. It stays outside the VPC: it needs no search, and
# it reads the pool's signing keys (jwks.json) at Cognito's public address,
# which the Cognito VPC endpoint is not documented to serve.
AUTHORIZER_RESOURCE = "CognitoJwt"
API_MEMORY_MB = 1024
API_TIMEOUT_SECONDS = 29


def stage_config(
    resources: StageResources, search: SearchAttachment | None = None
) -> dict[str, Any]:
    """Chalice stage configuration: the stage's environment, tracing, layer.

    With a search domain, the API's functions run in its subnets (Chalice's
    ``subnet_ids``/``security_group_ids``; Chalice then adds the VPC access
    actions to the role it generates) and are told the endpoint.
    """
    environment = {
        **runtime_environment(resources),
        # The HSM and Tesseract live with the functions, not the API.
        "JUSTICIA_HEALTH_CHECKS": "tables,bucket,queues",
        **(search.environment if search else {}),
    }
    config: dict[str, Any] = {
        "api_gateway_stage": "api",
        "api_gateway_endpoint_type": "REGIONAL",
        "automatic_layer": True,
        "xray": True,
        "lambda_memory_size": API_MEMORY_MB,
        "lambda_timeout": API_TIMEOUT_SECONDS,
        "environment_variables": environment,
    }
    if search:
        config.update(search.chalice_config())
    return config


def add_api(
    stack: Stack, resources: StageResources, search: Search | None = None
) -> Any:
    """Add the REST API (API Gateway + the Chalice Lambda) and grant its role.

    The construct takes its Chalice stage name from its scope (the stack), so
    it is added to the stack itself; everything a stage needs is in
    ``stage_config``. Chalice generates the role's policy from the boto3 calls it
    sees in app.py, which are none (they go through ``chalicelib.aws.client``):
    the grants below are the role's real permissions.
    """
    from chalice.cdk import Chalice

    attachment = search.attachment if search else None
    api = Chalice(
        stack,
        "Api",
        source_dir=str(REPO_ROOT),
        stage_config=stage_config(resources, attachment),
    )
    role: iam.IRole = api.get_role(API_ROLE)
    grant_api(resources, role)
    if search:
        search.grant_read(role)
        # Chalice gives every function the stage's subnets; the authorizer
        # leaves them (a stage-name-free override of the packaged template).
        authorizer = api.get_resource(AUTHORIZER_RESOURCE)
        authorizer.add_property_deletion_override("VpcConfig")
    return api
