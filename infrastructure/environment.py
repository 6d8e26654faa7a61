"""Safe process defaults for synthesis: botocore must never reach for the cloud.

Synthesis imports ``chalicelib`` (which reads its settings at import) and the
Chalice construct packages the app with boto3 at hand; without credentials
botocore would ask the instance metadata address for some. These defaults are
set before anything of the kind is imported; values already set are kept.
"""

from __future__ import annotations

import os

SAFE_DEFAULTS: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_EC2_METADATA_DISABLED": "true",
    # jsii runs on the Node 20 installed here; its end-of-life banner (Node 20
    # only: the value lists major versions) is noise on every synth.
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}


def apply_safe_defaults() -> None:
    """Set dummy credentials, a region and no metadata lookups unless already set.

    The region here only satisfies libraries that need one at synth time; the
    deployed region is configuration (context ``region`` or the deploying
    profile), never this value.
    """
    for name, value in SAFE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    # Metadata lookups stay off even when a caller set other credentials.
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
