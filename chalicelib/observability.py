"""Powertools logger, metrics and tracer shared by the API and the functions.

Never log personal data (names, national IDs) or document text: log ids, keys
and outcomes only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE = "Justicia"

logger = Logger(service="justicia")
metrics = Metrics(namespace=NAMESPACE, service="justicia")


def __getattr__(name: str) -> Any:
    """Build ``tracer`` on first use: the X-Ray SDK is slow to import.

    The functions decorate their handlers with it; the API, whose cold start
    matters most, never touches it (API Gateway and Lambda trace it).
    """
    if name == "tracer":
        from aws_lambda_powertools import Tracer

        globals()["tracer"] = Tracer(service="justicia")
        return globals()["tracer"]
    raise AttributeError(name)


tracer: Tracer


def count(name: str, value: float = 1) -> None:
    """Add ``value`` to the metric ``name`` (unit Count) of this invocation."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
