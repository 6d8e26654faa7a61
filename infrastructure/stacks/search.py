"""The search domain, the functions that reach it, and its set-up at deploy.

An Amazon OpenSearch Service domain (2.19) inside a VPC: encryption at rest
with the stage's key, node-to-node encryption, HTTPS only (TLS 1.2), and
fine-grained access control. The functions that talk to it (the API, the
maintenance job, the indexer) run in its subnets with the one security group
it accepts on 443, and are told ``JUSTICIA_SEARCH_URL`` (``network.py``).

The indexer reads the cases and documents streams (the outbox) and writes
through SigV4; a batch that keeps failing is split, retried five times, then
its position goes to the indexing dead-letter queue.

At each deploy a custom resource (``functions/search_setup``) creates the
missing indices behind their aliases and maps the functions' IAM roles to the
security plugin's roles: the API reads, the indexer and the maintenance job
write (``chalicelib/search/security.py``). It runs as the domain's master
user, an IAM role only that function can assume.
"""

from __future__ import annotations

import hashlib

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_opensearchservice as opensearch
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infrastructure.stacks import REPO_ROOT
from infrastructure.stacks.functions import function_code
from infrastructure.stacks.monitoring import PERIOD, app_metric
from infrastructure.stacks.network import (
    SearchAttachment,
    add_interface_endpoints,
    search_vpc,
    warn_borrowed_vpc,
)
from infrastructure.stacks.resources import StageResources, runtime_environment

INDEXER_HANDLER = "functions.indexer.handler.lambda_handler"
INDEXER_TIMEOUT = cdk.Duration.minutes(2)
INDEXER_MEMORY_MB = 512
STREAM_BATCH_SIZE = 100
STREAM_RETRIES = 5
STREAMED_TABLES = ("cases", "documents")
SETUP_HANDLER = "functions.search_setup.handler.lambda_handler"
SETUP_TIMEOUT = cdk.Duration.minutes(5)
SETUP_MEMORY_MB = 256
SETUP_SOURCES = (
    "chalicelib/search/indices.py",
    "chalicelib/search/mappings.py",
    "chalicelib/search/arabic.py",
    "chalicelib/data/arabic_plurals.json",
    "chalicelib/search/security.py",
)
"""The code whose change must re-run the set-up (a new digest updates it)."""
READ_ACTIONS = ("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost")
"""A search is a POST; what it may touch inside is the security plugin's call."""


class Search(Construct):
    """The domain and its network; then the indexer, the grants and the set-up.

    Built in steps because the functions it serves are built around it: the
    stack creates this first (``attachment`` places the maintenance function),
    then ``add_indexer``, ``grant_read``/``grant_write`` for each function,
    and ``add_setup`` last, once every role to map is known.
    """

    def __init__(self, scope: Construct, id: str, *, resources: StageResources) -> None:
        super().__init__(scope, id)
        options = resources.options
        self._resources = resources
        self.vpc = search_vpc(self, options)
        self.clients = ec2.SecurityGroup(
            self, "ClientGroup", vpc=self.vpc, allow_all_outbound=True
        )
        if options.vpc_id:
            warn_borrowed_vpc(self)
        else:
            add_interface_endpoints(self, self.vpc, self._subnets()[0], self.clients)
        self.admin = iam.Role(
            self,
            "SearchAdmin",
            role_name=f"{options.prefix}search-admin",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Master user of the search domain: the set-up function only",
            managed_policies=[
                # Logs and the network interfaces of a function in a VPC.
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaVPCAccessExecutionRole"
                )
            ],
        )
        self.domain = self._domain()
        self.readers: list[iam.IRole] = []
        self.writers: list[iam.IRole] = []
        self.attachment = SearchAttachment(
            vpc=self.vpc,
            subnets=list(self._subnets()[0].subnets or []),
            security_group=self.clients,
            environment=self._environment(),
        )
        cdk.CfnOutput(
            scope, "SearchEndpoint", value=f"https://{self.domain.domain_endpoint}"
        )

    def _environment(self) -> dict[str, str]:
        """What a search function is told: the endpoint and the replica count."""
        return {
            "JUSTICIA_SEARCH_URL": f"https://{self.domain.domain_endpoint}",
            # One data node outside prod: a replica could never be allocated.
            "JUSTICIA_SEARCH_REPLICAS": "1" if self._resources.options.is_prod else "0",
        }

    def _subnets(self) -> list[ec2.SubnetSelection]:
        """One subnet per zone the domain spans (one outside prod)."""
        zones = 2 if self._resources.options.is_prod else 1
        subnets = self.vpc.private_subnets or self.vpc.isolated_subnets
        return [ec2.SubnetSelection(subnets=list(subnets[:zones]))]

    def grant_read(self, role: iam.IRole) -> None:
        """Let ``role`` search: IAM on the domain, the read role in OpenSearch."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(READ_ACTIONS),
                resources=[self.domain.domain_arn, f"{self.domain.domain_arn}/*"],
            )
        )
        self.readers.append(role)

    def grant_write(self, role: iam.IRole) -> None:
        """Let ``role`` index: IAM on the domain, the write role in OpenSearch."""
        self.domain.grant_read_write(role)
        self.writers.append(role)

    def add_indexer(
        self, layers: list[lambda_.ILayerVersion], alarm_topic: sns.ITopic
    ) -> lambda_.Function:
        """The stream-fed indexer, its dead-letter queue and the search alarms."""
        self.dead_letters = sqs.Queue(
            self,
            "IndexingDlq",
            queue_name=f"{self._resources.options.prefix}search-indexing-dlq",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.indexer = self._indexer(layers)
        self._alarms(actions.SnsAction(alarm_topic))
        return self.indexer

    def _domain(self) -> opensearch.Domain:
        options = self._resources.options
        domain_group = ec2.SecurityGroup(
            self, "DomainGroup", vpc=self.vpc, allow_all_outbound=False
        )
        domain_group.add_ingress_rule(
            self.clients, ec2.Port.tcp(443), "HTTPS from the search clients"
        )
        prod = options.is_prod
        domain = opensearch.Domain(
            self,
            "Domain",
            domain_name=f"{options.prefix}search"[:28],
            version=opensearch.EngineVersion.OPENSEARCH_2_19,
            vpc=self.vpc,
            vpc_subnets=self._subnets(),
            security_groups=[domain_group],
            capacity=opensearch.CapacityConfig(
                data_nodes=2 if prod else 1,
                data_node_instance_type="r6g.large.search"
                if prod
                else "t3.medium.search",
                multi_az_with_standby_enabled=False,
            ),
            zone_awareness=opensearch.ZoneAwarenessConfig(
                enabled=prod, availability_zone_count=2 if prod else None
            ),
            ebs=opensearch.EbsOptions(volume_size=50 if prod else 10),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(
                enabled=True, kms_key=self._resources.key
            ),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            fine_grained_access_control=opensearch.AdvancedSecurityOptions(
                master_user_arn=self.admin.role_arn
            ),
            logging=opensearch.LoggingOptions(
                app_log_enabled=True, slow_search_log_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN
            if prod
            else cdk.RemovalPolicy.DESTROY,
        )
        domain.add_access_policies(
            iam.PolicyStatement(
                principals=[iam.AccountRootPrincipal()],
                actions=["es:ESHttp*"],
                resources=[f"{domain.domain_arn}/*"],
            )
        )
        return domain

    def _indexer(self, layers: list[lambda_.ILayerVersion]) -> lambda_.Function:
        resources = self._resources
        options = resources.options
        function = lambda_.Function(
            self,
            "Indexer",
            function_name=f"{options.prefix}indexer",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=INDEXER_HANDLER,
            code=function_code(),
            timeout=INDEXER_TIMEOUT,
            memory_size=INDEXER_MEMORY_MB,
            environment={
                **runtime_environment(resources),
                **self.attachment.environment,
            },
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self._log_group("IndexerLogs", "indexer"),
            layers=layers,
            **self.attachment.function_props(),
        )
        for name in STREAMED_TABLES:
            table = resources.tables.by_name[name]
            table.grant_read_data(function)
            function.add_event_source(
                event_sources.DynamoEventSource(
                    table,
                    starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                    batch_size=STREAM_BATCH_SIZE,
                    bisect_batch_on_error=True,
                    retry_attempts=STREAM_RETRIES,
                    max_record_age=cdk.Duration.days(1),
                    report_batch_item_failures=True,
                    on_failure=event_sources.SqsDlq(self.dead_letters),
                )
            )
        resources.bucket.grant_read(function, "texts/*")
        resources.secrets.national_id_key.grant_read(function)
        if function.role:
            self.grant_write(function.role)
        return function

    def add_setup(self, layers: list[lambda_.ILayerVersion]) -> cdk.CustomResource:
        """The custom resource creating the indices and mapping the roles.

        Its function runs as the master user (``SearchAdmin``) in the subnets;
        the provider framework's own function, outside the VPC, only invokes
        it. The properties change (and the set-up runs again) when a mapped
        role, an index definition or a role definition changes.
        """
        function = self._setup_function(layers)
        provider = cr.Provider(
            self,
            "SetupProvider",
            on_event_handler=function,
            log_group=self._log_group("SetupProviderLogs", "search-setup-provider"),
        )
        resource = cdk.CustomResource(
            self,
            "IndicesAndRoles",
            service_token=provider.service_token,
            resource_type="Custom::JusticiaSearchSetup",
            properties={
                "Readers": [role.role_arn for role in self.readers],
                "Writers": [role.role_arn for role in self.writers],
                "Definition": setup_digest(),
            },
        )
        resource.node.add_dependency(self.domain)
        return resource

    def _setup_function(self, layers: list[lambda_.ILayerVersion]) -> lambda_.Function:
        """The set-up function: master-user role, stage prefix, search endpoint."""
        options = self._resources.options
        function = lambda_.Function(
            self,
            "Setup",
            function_name=f"{options.prefix}search-setup",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=SETUP_HANDLER,
            code=function_code(),
            timeout=SETUP_TIMEOUT,
            memory_size=SETUP_MEMORY_MB,
            role=self.admin,
            environment={
                "JUSTICIA_STAGE": options.stage,
                "JUSTICIA_TABLE_PREFIX": options.prefix,
                "POWERTOOLS_SERVICE_NAME": "justicia",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **self.attachment.environment,
            },
            log_group=self._log_group("SetupLogs", "search-setup"),
            layers=layers,
            **self.attachment.function_props(),
        )
        self.domain.grant_read_write(self.admin)
        return function

    def _log_group(self, construct_id: str, name: str) -> logs.LogGroup:
        """A function's log group: three months, kept with a prod stack."""
        options = self._resources.options
        return logs.LogGroup(
            self,
            construct_id,
            log_group_name=f"/aws/lambda/{options.prefix}{name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=cdk.RemovalPolicy.RETAIN
            if options.is_prod
            else cdk.RemovalPolicy.DESTROY,
        )

    def _alarms(self, action: actions.SnsAction) -> None:
        """A dead-lettered stream record, drift, or a red cluster call an operator."""
        prefix = self._resources.options.prefix
        watched = (
            (
                "IndexingDlqDepth",
                self.dead_letters.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ),
                "Stream records the indexer gave up on: run justicia search reconcile",
            ),
            (
                "SearchDrift",
                app_metric("SearchDrift", cdk.Duration.hours(1)),
                "The index differed from the tables (repaired by the hourly job)",
            ),
            (
                "IndexerErrors",
                self.indexer.metric_errors(period=PERIOD),
                "The indexer function failed",
            ),
            (
                "ClusterRed",
                self.domain.metric_cluster_status_red(period=PERIOD),
                "A primary shard of the search domain is not allocated",
            ),
        )
        for construct_id, metric, description in watched:
            alarm = cloudwatch.Alarm(
                self,
                construct_id,
                alarm_name=f"{prefix}search-{construct_id.lower()}",
                alarm_description=description,
                metric=metric,
                threshold=0,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)


def setup_digest() -> str:
    """A digest of the code the set-up applies (indices, mappings, roles)."""
    digest = hashlib.sha256()
    for path in SETUP_SOURCES:
        digest.update((REPO_ROOT / path).read_bytes())
    return digest.hexdigest()
