"""Lazily built AWS clients, one per service and process.

Clients are created on first use so that importing the API or a function stays
cheap (cold start), and they honour ``JUSTICIA_AWS_ENDPOINT_URL`` so the local
stack (moto) and AWS are reached by the same code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.config import get_settings


@cache
def client(service: str) -> Any:
    """Return the shared boto3 client for ``service`` (e.g. ``"s3"``)."""
    import boto3
    from botocore.config import Config

    settings = get_settings()
    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        signature_version="s3v4" if service == "s3" else None,
    )
    factory: Any = boto3.client  # its overloads want a literal service name
    return factory(
        service,
        region_name=settings.region,
        endpoint_url=settings.endpoint_url,
        config=config,
    )


def reset_clients() -> None:
    """Forget every cached client and the settings (tests switch stacks)."""
    client.cache_clear()
    get_settings.cache_clear()
