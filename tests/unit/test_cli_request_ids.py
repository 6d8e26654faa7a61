"""The operator CLI gives an id to quote for every unexpected failure."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from pynamodb.exceptions import QueryError

from chalicelib.errors import DependencyFailed
from cli.main import FAILED, NOT_FOUND, report_error

RUN_ID = "cli-0123456789abcdef0123456789abcdef"


def throttled() -> ClientError:
    """A refusal AWS answered, with its request id."""
    response: Any = {
        "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
        "ResponseMetadata": {
            "RequestId": "7f4a1c2e-aws-request",
            "HTTPStatusCode": 400,
        },
    }
    return ClientError(response, "AdminGetUser")


def wrapped(cause: BaseException) -> DependencyFailed:
    """``cause`` as our services raise it: wrapped ``from`` it."""
    try:
        raise DependencyFailed("cognito-idp", "ThrottlingException") from cause
    except DependencyFailed as exc:
        return exc


@pytest.mark.parametrize(
    ("failure", "language", "says"),
    [
        (wrapped(throttled()), "fr", "(donné par AWS): 7f4a1c2e-aws-request"),
        (wrapped(throttled()), "ar", "(قدمته AWS): 7f4a1c2e-aws-request"),
        (
            QueryError("Failed to query items", cause=throttled()),
            "fr",
            "(donné par AWS): 7f4a1c2e-aws-request",
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:9/"),
            "fr",
            f"(local: AWS n'en a donné aucun): {RUN_ID}",
        ),
        (
            wrapped(EndpointConnectionError(endpoint_url="http://127.0.0.1:9/")),
            "ar",
            f"(محلي: لم تقدم AWS أي معرف): {RUN_ID}",
        ),
    ],
    ids=["aws-fr", "aws-ar", "pynamodb-cause", "unreachable-fr", "unreachable-ar"],
)
def test_an_unexpected_failure_prints_the_id_to_quote(
    capsys: pytest.CaptureFixture[str],
    failure: Exception,
    language: str,
    says: str,
) -> None:
    assert report_error(failure, language, RUN_ID) == FAILED

    assert says in capsys.readouterr().err


def test_an_expected_refusal_prints_no_id(capsys: pytest.CaptureFixture[str]) -> None:
    from chalicelib.errors import NotFound

    assert report_error(NotFound("no such user"), "fr", RUN_ID) == NOT_FOUND

    assert RUN_ID not in capsys.readouterr().err
