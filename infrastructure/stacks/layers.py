"""Lambda layers from local build outputs, or documented placeholders.

``layers/python-deps/build.sh`` and ``layers/tesseract/build.sh`` write
``build/layer.zip``. Synthesis cannot build them (no network for pip at every
synth, no Amazon Linux to compile Tesseract on), so when a zip is missing the
layer falls back to ``layers/<name>/placeholder/``: a layer that deploys but
holds no code, flagged by a synth warning, and refused for prod unless the
``allow_placeholder_layers`` context says otherwise.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infrastructure.stacks import REPO_ROOT
from infrastructure.stacks.options import StageOptions

LAYERS_DIR = REPO_ROOT / "layers"


def layer_source(name: str) -> tuple[Path, bool]:
    """The layer's built zip if present, else its placeholder; and whether built."""
    built = LAYERS_DIR / name / "build" / "layer.zip"
    if built.is_file():
        return built, True
    return LAYERS_DIR / name / "placeholder", False


def local_layer(
    scope: Construct,
    id: str,
    *,
    name: str,
    description: str,
    options: StageOptions,
) -> lambda_.LayerVersion:
    """A layer version from ``layers/<name>``'s build (or its placeholder)."""
    path, built = layer_source(name)
    if not built and options.is_prod and not options.allow_placeholder_layers:
        raise FileNotFoundError(
            f"layers/{name}/build/layer.zip is missing: build it before a prod synth"
        )
    layer = lambda_.LayerVersion(
        scope,
        id,
        code=lambda_.Code.from_asset(str(path)),
        compatible_runtimes=[lambda_.Runtime.PYTHON_3_12],
        compatible_architectures=[lambda_.Architecture.X86_64],
        description=description if built else f"PLACEHOLDER (empty): {description}",
    )
    if not built:
        Annotations.of(layer).add_warning_v2(
            f"justicia:placeholder-layer-{name}",
            f"layers/{name}/build/layer.zip not found: an empty placeholder layer "
            "is used; functions needing it will fail at run time.",
        )
    return layer
