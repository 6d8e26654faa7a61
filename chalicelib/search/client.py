"""The OpenSearch client: SigV4-signed in AWS, plain HTTP on the local node.

``JUSTICIA_SEARCH_URL`` says where the cluster is. An ``https://`` endpoint is
an Amazon OpenSearch Service domain and every request is signed with the
function's credentials (service ``es``); ``http://127.0.0.1:<port>`` is the
local node of ``devstack.opensearch``, which has no security plugin.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from chalicelib.config import get_settings
from chalicelib.errors import DependencyFailed

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

TIMEOUT_SECONDS = 10


@cache
def search_client() -> OpenSearch:
    """The shared client of this process, built on first use."""
    from opensearchpy import OpenSearch

    settings = get_settings()
    url = settings.search_url
    if not url:
        raise DependencyFailed("search", "JUSTICIA_SEARCH_URL is not set")
    if url.startswith("https://"):
        return OpenSearch(
            hosts=[url],
            http_auth=_signer(settings.region),
            use_ssl=True,
            verify_certs=True,
            timeout=TIMEOUT_SECONDS,
            max_retries=2,
            retry_on_timeout=True,
        )
    return OpenSearch(
        hosts=[url], timeout=TIMEOUT_SECONDS, max_retries=2, retry_on_timeout=True
    )


def _signer(region: str) -> object:
    """SigV4 signing with the credentials of the running function or operator."""
    import boto3
    from opensearchpy import Urllib3AWSV4SignerAuth

    credentials = boto3.Session().get_credentials()
    return Urllib3AWSV4SignerAuth(credentials, region, "es")


def reset_search_client() -> None:
    """Forget the client (tests and the local stack switch nodes)."""
    search_client.cache_clear()
