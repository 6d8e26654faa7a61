"""The queue-fed functions and the scheduled maintenance function.

Code comes from the repository root, of which only ``chalicelib/`` and
``functions/`` are packaged; the Python dependencies and Tesseract come as
layers. Each function gets the stage's environment and its own grants.
"""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
from aws_cdk import Annotations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.stacks import REPO_ROOT
from infrastructure.stacks.layers import local_layer
from infrastructure.stacks.network import SearchAttachment
from infrastructure.stacks.resources import (
    StageResources,
    grant_maintenance,
    grant_ocr,
    grant_signing,
    grant_textract_completion,
    runtime_environment,
)

CODE_EXCLUDES = [
    # Everything at the top level, dot entries included, except the two packages.
    "*",
    ".*",
    "!chalicelib",
    "!chalicelib/**",
    "!functions",
    "!functions/**",
    "**/__pycache__",
    "**/*.pyc",
]
OCR_ENVIRONMENT = {
    # Tesseract's OpenMP threads fight each other on Lambda's few vCPUs.
    "OMP_THREAD_LIMIT": "1",
    # Where layers/tesseract/build.sh puts the traineddata (the layer's share/).
    "TESSDATA_PREFIX": "/opt/share/tessdata",
}
OCR_EPHEMERAL_MIB = 2048
MAINTENANCE_TIMEOUT = cdk.Duration.minutes(5)
MAINTENANCE_MEMORY_MB = 512
SIGNING_MAX_CONCURRENCY = 5

Grant = Callable[[StageResources, iam.IGrantable], None]
GRANTS: dict[str, Grant] = {
    "ocr": grant_ocr,
    "signing": grant_signing,
    "textract": grant_textract_completion,
}
"""The grants of each queue function of ``chalicelib.deployment.QUEUE_FUNCTIONS``."""


def function_code() -> lambda_.Code:
    """The repository's ``chalicelib/`` and ``functions/`` packages, nothing else."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT), exclude=CODE_EXCLUDES, ignore_mode=cdk.IgnoreMode.GLOB
    )


class Functions(Construct):
    """The queue-fed functions by name, and the maintenance function."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resources: StageResources,
        search: SearchAttachment | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._resources = resources
        self._search = search
        self._code = function_code()
        self.dependencies = local_layer(
            self,
            "PythonDeps",
            name="python-deps",
            description="Justicia Python dependencies (requirements.txt)",
            options=resources.options,
        )
        self.tesseract = local_layer(
            self,
            "Tesseract",
            name="tesseract",
            description="Tesseract OCR with ara, fra, spa and osd data (AL2023)",
            options=resources.options,
        )
        self.by_name: dict[str, lambda_.Function] = {}
        self._add_queue_functions()
        self.maintenance = self._add_maintenance()

    def _function(
        self,
        construct_id: str,
        *,
        name: str,
        handler: str,
        timeout: cdk.Duration,
        memory_mb: int,
        **extra: object,
    ) -> lambda_.Function:
        """A Python 3.12 function with the stage's environment and X-Ray on."""
        options = self._resources.options
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            log_group_name=f"/aws/lambda/{options.prefix}{name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=cdk.RemovalPolicy.RETAIN
            if options.is_prod
            else cdk.RemovalPolicy.DESTROY,
        )
        return lambda_.Function(
            self,
            construct_id,
            function_name=f"{options.prefix}{name}",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=handler,
            code=self._code,
            timeout=timeout,
            memory_size=memory_mb,
            environment=runtime_environment(self._resources),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            **extra,  # type: ignore[arg-type]
        )

    def _add_queue_functions(self) -> None:
        from chalicelib.deployment import QUEUE_FUNCTIONS

        for spec in QUEUE_FUNCTIONS:
            if spec.name not in GRANTS:
                raise KeyError(f"no grants for queue function {spec.name!r}")
            function = self._function(
                spec.name.title(),
                name=spec.name,
                handler=spec.handler,
                timeout=cdk.Duration.seconds(spec.timeout_seconds),
                memory_mb=spec.memory_mb,
                **self._extras(spec.name),
            )
            if spec.name == "ocr":
                for name, value in OCR_ENVIRONMENT.items():
                    function.add_environment(name, value)
            GRANTS[spec.name](self._resources, function)
            queue = self._resources.queues.by_name[spec.queue].queue
            function.add_event_source(
                event_sources.SqsEventSource(
                    queue,
                    batch_size=spec.batch_size,
                    report_batch_item_failures=True,
                    max_concurrency=SIGNING_MAX_CONCURRENCY
                    if spec.name == "signing"
                    else None,
                )
            )
            self.by_name[spec.name] = function

    def _extras(self, name: str) -> dict[str, object]:
        """Layers, storage and network of one queue function."""
        if name == "ocr":
            return {
                "layers": [self.dependencies, self.tesseract],
                "ephemeral_storage_size": cdk.Size.mebibytes(OCR_EPHEMERAL_MIB),
            }
        if name == "signing":
            return {"layers": [self.dependencies], **self._hsm_network()}
        return {"layers": [self.dependencies]}

    def _hsm_network(self) -> dict[str, object]:
        """The CloudHSM cluster's VPC for the signing function, when configured.

        NOTE: only the attachment is made here. The VPC needs endpoints (or a
        NAT) for S3, DynamoDB, SQS, Secrets Manager, SSM and X-Ray, and the
        function needs the CloudHSM client library and its cluster
        configuration under ``/opt/cloudhsm`` (a layer not built yet); without
        them signing in AWS fails. It matters before the first prod signature.
        """
        options = self._resources.options
        if not options.vpc_id:
            if options.is_prod:
                Annotations.of(self).add_warning_v2(
                    "justicia:signing-without-vpc",
                    "prod without vpc_id/subnet_ids: the signing function cannot "
                    "reach a CloudHSM cluster.",
                )
            return {}
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "HsmVpc",
            vpc_id=options.vpc_id,
            # Tokens, not names: the template stays free of region-bound values.
            availability_zones=[
                cdk.Fn.select(i, cdk.Fn.get_azs())
                for i in range(len(options.subnet_ids))
            ],
            private_subnet_ids=list(options.subnet_ids),
        )
        groups = [
            ec2.SecurityGroup(
                self, "SigningSecurityGroup", vpc=vpc, allow_all_outbound=True
            )
        ]
        if options.hsm_security_group_id:
            groups.append(
                ec2.SecurityGroup.from_security_group_id(
                    self, "HsmClientGroup", options.hsm_security_group_id
                )
            )
        return {
            "vpc": vpc,
            "vpc_subnets": ec2.SubnetSelection(
                subnets=[
                    ec2.Subnet.from_subnet_id(self, f"HsmSubnet{i}", subnet_id)
                    for i, subnet_id in enumerate(options.subnet_ids)
                ]
            ),
            "security_groups": groups,
        }

    def _search_placement(self) -> dict[str, object]:
        """The search domain's subnets and client group, when there is a domain."""
        return self._search.function_props() if self._search else {}

    def _add_maintenance(self) -> lambda_.Function:
        """The maintenance function and one EventBridge rule per schedule."""
        from chalicelib.deployment import MAINTENANCE_HANDLER
        from chalicelib.schedules import SCHEDULES, rate_seconds

        function = self._function(
            "Maintenance",
            name="maintenance",
            handler=MAINTENANCE_HANDLER,
            timeout=MAINTENANCE_TIMEOUT,
            memory_mb=MAINTENANCE_MEMORY_MB,
            layers=[self.dependencies],
            **self._search_placement(),
        )
        if self._search:
            # The hourly reconciliation compares the index with the tables.
            for name, value in self._search.environment.items():
                function.add_environment(name, value)
        grant_maintenance(self._resources, function)
        prefix = self._resources.options.prefix
        for schedule in SCHEDULES:
            rate_seconds(schedule.expression)  # EventBridge will not check it.
            events.Rule(
                self,
                "".join(part.title() for part in schedule.name.split("-")),
                rule_name=f"{prefix}{schedule.name}",
                schedule=events.Schedule.expression(schedule.expression),
                targets=[
                    targets.LambdaFunction(
                        function,
                        event=events.RuleTargetInput.from_object({"job": schedule.job}),
                        retry_attempts=2,
                    )
                ],
            )
        return function
