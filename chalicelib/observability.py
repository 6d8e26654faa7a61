"""Powertools logger, metrics and tracer shared by the API and the functions.

Never log personal data (names, national IDs) or document text: log ids, keys
and outcomes only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE = "Justicia"

logger = Logger(service="justicia")
metrics = Metrics(namespace=NAMESPACE, service="justicia")


@lru_cache(maxsize=1)
def tracer() -> Tracer:
    """Return the X-Ray tracer, imported on first use (it is slow to import)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service="justicia")


def count(name: str, value: float = 1) -> None:
    """Add ``value`` to the metric ``name`` (unit Count) of this invocation."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
