"""Safe process defaults for everything local: set before any AWS client exists.

Dummy credentials and a region keep botocore from looking for credentials at
the cloud's instance metadata address, which nothing here may ever contact.
"""

from __future__ import annotations

import os

SAFE_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_EC2_METADATA_DISABLED": "true",
    "OMP_THREAD_LIMIT": "1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "justicia",
}


def apply_safe_defaults() -> None:
    """Fill in the safe defaults; forces the metadata lookup off whatever was set."""
    for name, value in SAFE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
