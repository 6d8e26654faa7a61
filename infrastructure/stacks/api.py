"""The Chalice API, packaged by Chalice's own CDK construct.

The construct runs ``chalice package`` during synthesis (it writes
``chalice.out/``, git-ignored), including ``pip download`` of requirements.txt
for the managed layer: slow, and it needs PyPI. That is why the stack can be
built without it (``with_api=False``) for fast offline tests.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from infrastructure.stacks import REPO_ROOT
from infrastructure.stacks.resources import (
    StageResources,
    grant_api,
    runtime_environment,
)

API_HANDLER = "APIHandler"
API_ROLE = "DefaultRole"
API_MEMORY_MB = 1024
API_TIMEOUT_SECONDS = 29


def stage_config(resources: StageResources) -> dict[str, Any]:
    """Chalice stage configuration: the stage's environment, tracing, layer."""
    return {
        "api_gateway_stage": "api",
        "api_gateway_endpoint_type": "REGIONAL",
        "automatic_layer": True,
        "xray": True,
        "lambda_memory_size": API_MEMORY_MB,
        "lambda_timeout": API_TIMEOUT_SECONDS,
        "environment_variables": {
            **runtime_environment(resources),
            # The HSM and Tesseract live with the functions, not the API.
            "JUSTICIA_HEALTH_CHECKS": "tables,bucket,queues",
        },
    }


def add_api(stack: Stack, resources: StageResources) -> Any:
    """Add the REST API (API Gateway + the Chalice Lambda) and grant its role.

    The construct takes its Chalice stage name from its scope (the stack), so
    it is added to the stack itself; everything a stage needs is in
    ``stage_config``. Chalice generates the role's policy from the boto3 calls it
    sees in app.py, which are none (they go through ``chalicelib.aws.client``):
    the grants below are the role's real permissions.
    """
    from chalice.cdk import Chalice

    api = Chalice(
        stack, "Api", source_dir=str(REPO_ROOT), stage_config=stage_config(resources)
    )
    role: iam.IRole = api.get_role(API_ROLE)
    grant_api(resources, role)
    return api
