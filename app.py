"""Justicia's court API: routes only; the logic lives in ``chalicelib``."""

from __future__ import annotations

import uuid
from typing import Any

from chalice.app import Chalice

from chalicelib.observability import logger, metrics
from chalicelib.routes import (
    cases,
    proceedings,
    public,
    search,
    security,
    system,
    users,
)

app = Chalice(app_name="justicia")
app.register_blueprint(security.blueprint)
app.register_blueprint(system.blueprint)
app.register_blueprint(cases.blueprint)
app.register_blueprint(proceedings.blueprint)
app.register_blueprint(users.blueprint)
app.register_blueprint(public.blueprint)
app.register_blueprint(search.blueprint)


@app.middleware("http")
def observe(event: Any, get_response: Any) -> Any:
    """Correlate logs with the request id and publish the request's metrics.

    API Gateway gives every request an id; ``chalice local`` gives none, so one
    is made here for errors and the audit trail to quote.
    """
    event.context.setdefault("requestId", str(uuid.uuid4()))
    logger.set_correlation_id(event.context["requestId"])
    try:
        return get_response(event)
    finally:
        if metrics.metric_set:
            metrics.flush_metrics()
        logger.remove_keys(["case_id", "document_id"])
