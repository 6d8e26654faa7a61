"""Synthesize Justicia's stack: ``python infrastructure/app.py [-c key=value]``.

Context keys (``-c`` is not parsed here: use ``CDK_CONTEXT_JSON`` or cdk.json
when running without the CDK CLI): ``stage`` (dev, staging, prod), ``region``
(pins the stack; otherwise the deploying profile's region is used and the
template names none), ``with_api``, ``allowed_origins``, ``alarm_email``,
``vpc_id``, ``subnet_ids``, ``hsm_security_group_id``, ``hsm_token_label``,
``allow_placeholder_layers``. The template lands in ``cdk.out/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from infrastructure.environment import apply_safe_defaults  # noqa: E402

apply_safe_defaults()

import aws_cdk as cdk  # noqa: E402

from infrastructure.stacks.justicia_stack import JusticiaStack  # noqa: E402
from infrastructure.stacks.options import (  # noqa: E402
    options_from_context,
    region_from_context,
)
from infrastructure.stacks.web import WebAppStack  # noqa: E402


def _outdir() -> str | None:
    """``cdk.out/`` at the repository root, unless the CDK CLI chose one."""
    return None if os.environ.get("CDK_OUTDIR") else str(REPO_ROOT / "cdk.out")


def build_app(app: cdk.App | None = None) -> cdk.App:
    """The CDK app with the stage's stack, as configured by context."""
    app = app or cdk.App(outdir=_outdir())
    options = options_from_context(app)
    region = region_from_context(app)
    JusticiaStack(
        app,
        f"Justicia-{options.stage}",
        options=options,
        env=cdk.Environment(region=region) if region else None,
        description=f"Justicia court documents system ({options.stage})",
    )
    WebAppStack(
        app,
        f"Justicia-{options.stage}-web",
        options=options,
        env=cdk.Environment(region=region) if region else None,
        description=f"Justicia web app hosting ({options.stage})",
    )
    return app


def main() -> None:
    """Synthesize into cdk.out/ (or the CLI's output directory)."""
    build_app().synth()


if __name__ == "__main__":
    main()
