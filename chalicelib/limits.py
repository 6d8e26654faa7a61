"""Counting requests per source address and clock minute, for rate limits.

One registry item per scope, address and minute (``<SCOPE>#<address>#<minute>``)
counts with an atomic ADD and expires by DynamoDB's TTL two minutes later. The
sign-in guard (``LOGINIP``) and the public verification (``PUBLICIP``) share it.

NOTE: each IPv6 address counts alone (not its /64), and a burst across a minute
boundary may reach twice a limit; a WAF rate rule in front of API Gateway is
the defence against floods.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.models import RegistryModel

UNKNOWN_ADDRESS = "unknown"


def count_this_minute(scope: str, address: str | None, moment: datetime) -> int:
    """Add one request from ``address`` in ``moment``'s minute; return the count.

    >>> count_this_minute("PUBLICIP", "192.0.2.7", now)  # doctest: +SKIP
    3
    """
    minute = int(moment.timestamp()) // 60
    counter = RegistryModel(pk=f"{scope}#{address or UNKNOWN_ADDRESS}#{minute}")
    counter.update(
        actions=[
            RegistryModel.attempts.add(1),
            RegistryModel.expires_at.set(
                datetime.fromtimestamp((minute + 2) * 60, UTC)
            ),
        ]
    )
    return int(counter.attempts or 0)
