"""Deployment options of one stage, read from CDK context.

Everything that differs between stages or accounts is configuration: the region
(Moroccan hosting rules make it a choice, never a constant), the VPC of the
CloudHSM cluster, the browser origins allowed to upload, the alarm e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk

STAGES = ("dev", "staging", "prod")


@dataclass(frozen=True)
class StageOptions:
    """What a stage's stack needs to know beyond its name."""

    stage: str
    with_api: bool = True
    allowed_origins: tuple[str, ...] = ("*",)
    alarm_email: str | None = None
    vpc_id: str | None = None
    subnet_ids: tuple[str, ...] = ()
    hsm_security_group_id: str | None = None
    hsm_token_label: str | None = None
    allow_placeholder_layers: bool = False

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, not {self.stage!r}")
        if self.is_prod and (not self.allowed_origins or "*" in self.allowed_origins):
            raise ValueError("prod needs explicit allowed_origins (and no '*')")
        if bool(self.vpc_id) != bool(self.subnet_ids):
            raise ValueError("vpc_id and subnet_ids go together")

    @property
    def is_prod(self) -> bool:
        """True for the production stage (deletion protection, retention)."""
        return self.stage == "prod"

    @property
    def prefix(self) -> str:
        """The physical name prefix of the stage: ``justicia-<stage>-``."""
        return f"justicia-{self.stage}-"


def _as_tuple(value: Any) -> tuple[str, ...]:
    """A context list, given either as a list or a comma-separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return tuple(str(item) for item in value)


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def options_from_context(app: cdk.App) -> StageOptions:
    """Read the stage's options from ``-c key=value`` / cdk.json context."""
    context = app.node.try_get_context
    stage = str(context("stage") or "dev")
    origins = _as_tuple(context("allowed_origins"))
    return StageOptions(
        stage=stage,
        with_api=_as_bool(context("with_api"), True),
        allowed_origins=origins or (() if stage == "prod" else ("*",)),
        alarm_email=context("alarm_email"),
        vpc_id=context("vpc_id"),
        subnet_ids=_as_tuple(context("subnet_ids")),
        hsm_security_group_id=context("hsm_security_group_id"),
        hsm_token_label=context("hsm_token_label"),
        allow_placeholder_layers=_as_bool(context("allow_placeholder_layers"), False),
    )


def region_from_context(app: cdk.App) -> str | None:
    """The region to pin the stack to, if configured; else None (agnostic).

    An environment-agnostic template takes its region from the deploying
    profile, so nothing in it names a region.
    """
    region = app.node.try_get_context("region")
    return str(region) if region else None
