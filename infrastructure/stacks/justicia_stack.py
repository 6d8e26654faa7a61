"""One stage of Justicia: data, documents, queues, functions, identity, API.

The stack is environment-agnostic unless the app pins a region (context
``region``): the deploying profile then chooses the region, and the template
names none.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrastructure.stacks.api import add_api
from infrastructure.stacks.data import Tables
from infrastructure.stacks.functions import Functions
from infrastructure.stacks.identity import Identity, SigningSecrets
from infrastructure.stacks.messaging import Queues, TextractChannel
from infrastructure.stacks.monitoring import Monitoring
from infrastructure.stacks.options import StageOptions
from infrastructure.stacks.resources import StageResources
from infrastructure.stacks.search import Search
from infrastructure.stacks.storage import AuditSealsBucket, DocumentsBucket


class JusticiaStack(cdk.Stack):
    """Every AWS resource of one stage (``dev``, ``staging``, ``prod``)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str | None = None,
        options: StageOptions | None = None,
        with_api: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        options = _resolve_options(stage, options, with_api)
        self.options = options
        cdk.Tags.of(self).add("project", "justicia")
        cdk.Tags.of(self).add("stage", options.stage)
        self.key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{options.prefix}data",
            description="Justicia data: tables, documents, HSM PIN",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.tables = Tables(self, "Tables", options=options, key=self.key)
        self.queues = Queues(self, "Queues", options=options)
        self.textract = TextractChannel(
            self, "Textract", options=options, key=self.key, queues=self.queues
        )
        self.documents = DocumentsBucket(
            self,
            "Documents",
            options=options,
            key=self.key,
            events_queue=self.queues.by_name["document-events"].queue,
        )
        self.seals = AuditSealsBucket(self, "AuditSeals", options=options, key=self.key)
        self.identity = Identity(self, "Identity", options=options)
        self.secrets = SigningSecrets(self, "Signing", options=options, key=self.key)
        self.resources = StageResources(
            options=options,
            key=self.key,
            tables=self.tables,
            bucket=self.documents.bucket,
            seals=self.seals.bucket,
            queues=self.queues,
            identity=self.identity,
            secrets=self.secrets,
            textract=self.textract,
        )
        self.search = Search(self, "Search", resources=self.resources)
        self.functions = Functions(
            self,
            "Functions",
            resources=self.resources,
            search=self.search.attachment,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            options=options,
            queues=self.queues,
            maintenance=self.functions.maintenance,
        )
        self._wire_search()
        self._outputs()

    def _wire_search(self) -> None:
        """The indexer, the functions' grants, the API, then the deploy-time set-up."""
        layers = [self.functions.dependencies]
        self.search.add_indexer(layers, self.monitoring.topic)
        if self.functions.maintenance.role:
            self.search.grant_write(self.functions.maintenance.role)
        self.api = (
            add_api(self, self.resources, self.search)
            if self.options.with_api
            else None
        )
        self.search.add_setup(layers)

    def _outputs(self) -> None:
        """What a client and an operator need after a deployment."""
        values = {
            "DocumentsBucket": self.documents.bucket.bucket_name,
            "UserPoolId": self.identity.user_pool.user_pool_id,
            "UserPoolClientId": self.identity.client.user_pool_client_id,
            "AlarmTopic": self.monitoring.topic.topic_arn,
        }
        for name, value in values.items():
            cdk.CfnOutput(self, name, value=value)


def _resolve_options(
    stage: str | None, options: StageOptions | None, with_api: bool | None
) -> StageOptions:
    """Options from either a full ``StageOptions`` or just a stage name."""
    if options is None:
        if stage is None:
            raise ValueError("give a stage or options")
        options = StageOptions(stage=stage)
    elif stage is not None and stage != options.stage:
        raise ValueError(f"stage {stage!r} disagrees with options {options.stage!r}")
    if with_api is not None and with_api != options.with_api:
        from dataclasses import replace

        options = replace(options, with_api=with_api)
    return options
