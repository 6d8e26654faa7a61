"""The DynamoDB tables, derived from the PynamoDB models (one definition each).

Keys, their types and the global secondary indexes come from each model's
schema, the same one the local stack creates its tables from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from infrastructure.stacks.options import StageOptions

STREAMED_TABLES = frozenset({"cases", "documents"})
"""Tables whose changes feed search indexing (NEW_AND_OLD_IMAGES)."""

TTL_ATTRIBUTES = {"idempotency": "expiration"}
"""Time-to-live attributes: Powertools' idempotency records expire by this one.

NOTE: the models declare ``expiration`` as a plain NumberAttribute, so the TTL
is named here; a ``TTLAttribute`` on the model would make it derivable too (see
``_ttl_attribute``), and both are honoured.
"""

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}


_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}

Key = tuple[str, str]
"""An attribute's name and DynamoDB type (``S``, ``N``, ``B``)."""


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index as the model declares it."""

    name: str
    partition_key: Key
    sort_key: Key | None
    projection: str
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """A table's logical name, keys and indexes as the model declares them."""

    name: str
    partition_key: Key
    sort_key: Key | None
    indexes: tuple[IndexSpec, ...]
    ttl_attribute: str | None


def _keys(
    key_schema: list[dict[str, str]], types: dict[str, str]
) -> tuple[Key, Key | None]:
    """(partition, sort) as (name, DynamoDB type) from a key schema."""
    by_role = {key["KeyType"]: key["AttributeName"] for key in key_schema}
    hash_name, range_name = by_role["HASH"], by_role.get("RANGE")
    sort = (range_name, types[range_name]) if range_name else None
    return (hash_name, types[hash_name]), sort


def _ttl_attribute(model: Any, logical: str) -> str | None:
    from pynamodb.attributes import TTLAttribute

    for name, attribute in model.get_attributes().items():
        if isinstance(attribute, TTLAttribute):
            return str(name)
    return TTL_ATTRIBUTES.get(logical)


def _index(index: dict[str, Any], types: dict[str, str]) -> IndexSpec:
    partition, sort = _keys(index["key_schema"], types)
    projection = index["projection"]
    return IndexSpec(
        name=index["index_name"],
        partition_key=partition,
        sort_key=sort,
        projection=projection["ProjectionType"],
        non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
    )


def table_specs() -> tuple[TableSpec, ...]:
    """One spec per model of ``chalicelib.models.ALL_MODELS``, in that order."""
    from chalicelib.config import get_settings
    from chalicelib.models import ALL_MODELS

    prefix = get_settings().table_prefix
    specs = []
    for model in ALL_MODELS:
        # The schema PynamoDB's create_table sends, which devstack uses as well.
        schema = model._get_schema()
        types = {
            d["AttributeName"]: d["AttributeType"]
            for d in schema["attribute_definitions"]
        }
        logical = model.Meta.table_name.removeprefix(prefix)
        partition, sort = _keys(schema["key_schema"], types)
        indexes = tuple(
            _index(index, types) for index in schema["global_secondary_indexes"]
        )
        if schema["local_secondary_indexes"]:
            raise ValueError(f"{logical}: local secondary indexes are not mapped")
        ttl = _ttl_attribute(model, logical)
        specs.append(TableSpec(logical, partition, sort, indexes, ttl))
    return tuple(specs)


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key[0], type=_ATTRIBUTE_TYPES[key[1]])


class Tables(Construct):
    """Every table of the stage, by logical name (``cases``, ``documents``...)."""

    def __init__(
        self, scope: Construct, id: str, *, options: StageOptions, key: kms.IKey
    ) -> None:
        super().__init__(scope, id)
        self.by_name: dict[str, dynamodb.Table] = {
            spec.name: self._table(spec, options, key) for spec in table_specs()
        }

    def _table(
        self, spec: TableSpec, options: StageOptions, key: kms.IKey
    ) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.name.title(),
            table_name=f"{options.prefix}{spec.name}",
            partition_key=_attribute(spec.partition_key),
            sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=options.is_prod,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES
            if spec.name in STREAMED_TABLES
            else None,
            time_to_live_attribute=spec.ttl_attribute,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        return table

    @property
    def all(self) -> list[dynamodb.Table]:
        """Every table, for grants and health checks."""
        return list(self.by_name.values())
