"""The search domain and the indexer that keeps it in step with the tables.

An Amazon OpenSearch Service domain (2.19) inside a VPC: encryption at rest
with the stage's key, node-to-node encryption, HTTPS only (TLS 1.2), and
fine-grained access control whose master user is an IAM role operators assume.
The indexer function reads the cases and documents streams (the outbox) and
writes through SigV4; a batch that keeps failing is split, retried five times,
then its position goes to the indexing dead-letter queue. The indices and
their aliases are created by the indexer on its first run (or by ``justicia
search setup``).

NOTE: the API and the maintenance function are not attached to this VPC yet,
and do not get ``JUSTICIA_SEARCH_URL``: until they are, ``GET /search``
answers a 500 and the hourly reconciliation skips in AWS. The Lambda roles
must also be mapped to an OpenSearch role by the master user (fine-grained
access). Both matter before search is opened to users.
"""

from __future__ import annotations

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
from constructs import Construct

from infrastructure.stacks.functions import function_code
from infrastructure.stacks.monitoring import PERIOD, app_metric
from infrastructure.stacks.resources import StageResources, runtime_environment

INDEXER_HANDLER = "functions.indexer.handler.lambda_handler"
INDEXER_TIMEOUT = cdk.Duration.minutes(2)
INDEXER_MEMORY_MB = 512
STREAM_BATCH_SIZE = 100
STREAM_RETRIES = 5
STREAMED_TABLES = ("cases", "documents")


class Search(Construct):
    """The domain, its network, and the stream-fed indexer function."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resources: StageResources,
        layers: list[lambda_.ILayerVersion],
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, id)
        options = resources.options
        self._resources = resources
        self.vpc = self._network()
        self.clients = ec2.SecurityGroup(
            self, "ClientGroup", vpc=self.vpc, allow_all_outbound=True
        )
        self.admin = iam.Role(
            self,
            "SearchAdmin",
            role_name=f"{options.prefix}search-admin",
            assumed_by=iam.AccountRootPrincipal(),
            description="Master user of the search domain (fine-grained access)",
        )
        self.domain = self._domain()
        self.dead_letters = sqs.Queue(
            self,
            "IndexingDlq",
            queue_name=f"{options.prefix}search-indexing-dlq",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.indexer = self._indexer(layers)
        self._alarms(actions.SnsAction(alarm_topic))
        cdk.CfnOutput(
            scope, "SearchEndpoint", value=f"https://{self.domain.domain_endpoint}"
        )

    def _network(self) -> ec2.IVpc:
        """The stage's VPC when configured, else a private one for search."""
        options = self._resources.options
        if options.vpc_id:
            return ec2.Vpc.from_vpc_attributes(
                self,
                "Vpc",
                vpc_id=options.vpc_id,
                availability_zones=[
                    cdk.Fn.select(i, cdk.Fn.get_azs())
                    for i in range(len(options.subnet_ids))
                ],
                private_subnet_ids=list(options.subnet_ids),
            )
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="search", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
                )
            ],
        )
        vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        vpc.add_gateway_endpoint(
            "DynamoDb", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
        )
        return vpc

    def _subnets(self) -> list[ec2.SubnetSelection]:
        """One subnet per zone the domain spans (one outside prod)."""
        zones = 2 if self._resources.options.is_prod else 1
        subnets = self.vpc.private_subnets or self.vpc.isolated_subnets
        return [ec2.SubnetSelection(subnets=list(subnets[:zones]))]

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
        log_group = logs.LogGroup(
            self,
            "IndexerLogs",
            log_group_name=f"/aws/lambda/{options.prefix}indexer",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=cdk.RemovalPolicy.RETAIN
            if options.is_prod
            else cdk.RemovalPolicy.DESTROY,
        )
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
                "JUSTICIA_SEARCH_URL": f"https://{self.domain.domain_endpoint}",
            },
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            layers=layers,
            vpc=self.vpc,
            vpc_subnets=self._subnets()[0],
            security_groups=[self.clients],
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
        self.domain.grant_read_write(function)
        return function

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
