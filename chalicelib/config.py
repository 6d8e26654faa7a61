"""Runtime configuration, read from the environment.

The same code runs in AWS and on the local stack; only these variables differ.
Every name is documented in the README's configuration table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_MAX_UPLOAD_BYTES = 500 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
# A document with more pages is read in chunks of this many, one message each.
DEFAULT_OCR_PAGES_PER_CHUNK = 10
# A searchable PDF's text layer may take this long per page read, and at most
# the total below (the OCR function has 300 s, its reading comes first).
DEFAULT_TEXT_LAYER_SECONDS_PER_PAGE = 10.0
DEFAULT_TEXT_LAYER_MAX_SECONDS = 180.0
# ``words``: lay the words of the first reading, OCRmyPDF only for pages
# without them; ``ocrmypdf``: always read the pages again with OCRmyPDF.
DEFAULT_TEXT_LAYER_METHOD = "words"
# An A0 sheet at 300 dpi is about 140 million pixels; larger is refused.
DEFAULT_MAX_PAGE_PIXELS = 150_000_000


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class LoginPolicy:
    """How sign-in is guarded, and how long passwords and idle users last.

    Defaults: 5 failures within 15 minutes lock a username for 15 minutes; 20
    attempts a minute from one address; passwords changed every 90 days; users
    with no sign-in for 90 days deactivated.
    """

    max_failures: int = 5
    window_seconds: int = 900
    lock_seconds: int = 900
    ip_per_minute: int = 20
    password_max_age_days: int = 90
    idle_days: int = 90


def _login_policy() -> LoginPolicy:
    return LoginPolicy(
        max_failures=int(_env("JUSTICIA_LOGIN_MAX_FAILURES", "5")),
        window_seconds=int(_env("JUSTICIA_LOGIN_WINDOW_SECONDS", "900")),
        lock_seconds=int(_env("JUSTICIA_LOGIN_LOCK_SECONDS", "900")),
        ip_per_minute=int(_env("JUSTICIA_LOGIN_IP_PER_MINUTE", "20")),
        password_max_age_days=int(_env("JUSTICIA_PASSWORD_MAX_AGE_DAYS", "90")),
        idle_days=int(_env("JUSTICIA_USER_IDLE_DAYS", "90")),
    )


@dataclass(frozen=True)
class Settings:
    """Deployment settings of one stage (local, dev, prod...)."""

    stage: str
    region: str
    endpoint_url: str | None
    table_prefix: str
    documents_bucket: str
    document_events_queue_url: str
    signing_queue_url: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    hsm_module: str
    hsm_token_label: str
    hsm_key_label: str
    hsm_pin_secret_id: str
    national_id_key_secret_id: str
    audit_seals_bucket: str
    court_timezone: str
    hearing_slot_minutes: int
    public_tracking_per_minute: int
    signing_chain_parameter: str
    ocr_engine: str
    max_upload_bytes: int
    max_receive_count: int
    health_checks: tuple[str, ...]
    public_verifications_per_minute: int
    login: LoginPolicy
    max_pages: int = DEFAULT_MAX_PAGES
    max_page_pixels: int = DEFAULT_MAX_PAGE_PIXELS
    documents_kms_key_id: str = ""
    ocr_pages_per_chunk: int = DEFAULT_OCR_PAGES_PER_CHUNK
    search_url: str = ""
    search_replicas: int = 1
    search_queries_per_minute: int = 120
    textract_topic_arn: str = ""
    textract_role_arn: str = ""
    textract_completions_queue_url: str = ""
    text_layer_seconds_per_page: float = DEFAULT_TEXT_LAYER_SECONDS_PER_PAGE
    text_layer_max_seconds: float = DEFAULT_TEXT_LAYER_MAX_SECONDS
    text_layer_method: str = DEFAULT_TEXT_LAYER_METHOD

    def table_name(self, name: str) -> str:
        """Return the physical name of a logical table, e.g. ``cases``."""
        return f"{self.table_prefix}{name}"

    @property
    def issuer(self) -> str:
        """The token issuer Cognito writes into every token of this pool."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _default_jwks_url(endpoint_url: str | None, region: str, pool_id: str) -> str:
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{pool_id}/.well-known/jwks.json"
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}/.well-known/jwks.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once per process (Lambda container or local process)."""
    stage = _env("JUSTICIA_STAGE", "local")
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION")
    if not region:
        raise RuntimeError("AWS_REGION or AWS_DEFAULT_REGION must be set")
    endpoint_url = _env("JUSTICIA_AWS_ENDPOINT_URL") or None
    pool_id = _env("JUSTICIA_USER_POOL_ID")
    return Settings(
        stage=stage,
        region=region,
        endpoint_url=endpoint_url,
        table_prefix=_env("JUSTICIA_TABLE_PREFIX", f"justicia-{stage}-"),
        documents_bucket=_env(
            "JUSTICIA_DOCUMENTS_BUCKET", f"justicia-{stage}-documents"
        ),
        document_events_queue_url=_env("JUSTICIA_DOCUMENT_EVENTS_QUEUE_URL"),
        signing_queue_url=_env("JUSTICIA_SIGNING_QUEUE_URL"),
        user_pool_id=pool_id,
        user_pool_client_id=_env("JUSTICIA_USER_POOL_CLIENT_ID"),
        jwks_url=_env("JUSTICIA_JWKS_URL")
        or _default_jwks_url(endpoint_url, region, pool_id),
        hsm_module=_env("JUSTICIA_HSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so"),
        hsm_token_label=_env("JUSTICIA_HSM_TOKEN_LABEL", "justicia"),
        hsm_key_label=_env("JUSTICIA_HSM_KEY_LABEL", "court-seal"),
        hsm_pin_secret_id=_env(
            "JUSTICIA_HSM_PIN_SECRET_ID", f"justicia/{stage}/hsm-pin"
        ),
        audit_seals_bucket=_env(
            "JUSTICIA_AUDIT_SEALS_BUCKET", f"justicia-{stage}-audit-seals"
        ),
        court_timezone=_env("JUSTICIA_COURT_TIMEZONE", "Africa/Casablanca"),
        hearing_slot_minutes=int(_env("JUSTICIA_HEARING_SLOT_MINUTES", "30")),
        public_tracking_per_minute=int(
            _env("JUSTICIA_PUBLIC_TRACKING_PER_MINUTE", "60")
        ),
        national_id_key_secret_id=_env(
            "JUSTICIA_NATIONAL_ID_KEY_SECRET_ID", f"justicia/{stage}/national-id-key"
        ),
        signing_chain_parameter=_env(
            "JUSTICIA_SIGNING_CHAIN_PARAMETER", f"/justicia/{stage}/signing-chain"
        ),
        ocr_engine=_env("JUSTICIA_OCR_ENGINE", "tesseract"),
        max_upload_bytes=int(
            _env("JUSTICIA_MAX_UPLOAD_BYTES", str(DEFAULT_MAX_UPLOAD_BYTES))
        ),
        max_receive_count=int(_env("JUSTICIA_MAX_RECEIVE_COUNT", "3")),
        health_checks=tuple(
            name.strip()
            for name in _env(
                "JUSTICIA_HEALTH_CHECKS", "tables,bucket,queues,hsm,ocr"
            ).split(",")
            if name.strip()
        ),
        login=_login_policy(),
        public_verifications_per_minute=int(
            _env("JUSTICIA_PUBLIC_VERIFICATIONS_PER_MINUTE", "60")
        ),
        max_pages=int(_env("JUSTICIA_MAX_PAGES", str(DEFAULT_MAX_PAGES))),
        max_page_pixels=int(
            _env("JUSTICIA_MAX_PAGE_PIXELS", str(DEFAULT_MAX_PAGE_PIXELS))
        ),
        documents_kms_key_id=_env("JUSTICIA_DOCUMENTS_KMS_KEY_ID"),
        ocr_pages_per_chunk=int(
            _env("JUSTICIA_OCR_PAGES_PER_CHUNK", str(DEFAULT_OCR_PAGES_PER_CHUNK))
        ),
        search_url=_env("JUSTICIA_SEARCH_URL"),
        search_replicas=int(_env("JUSTICIA_SEARCH_REPLICAS", "1")),
        search_queries_per_minute=int(_env("JUSTICIA_SEARCH_PER_MINUTE", "120")),
        textract_topic_arn=_env("JUSTICIA_TEXTRACT_TOPIC_ARN"),
        textract_role_arn=_env("JUSTICIA_TEXTRACT_ROLE_ARN"),
        textract_completions_queue_url=_env("JUSTICIA_TEXTRACT_COMPLETIONS_QUEUE_URL"),
        text_layer_seconds_per_page=float(
            _env(
                "JUSTICIA_TEXT_LAYER_SECONDS_PER_PAGE",
                str(DEFAULT_TEXT_LAYER_SECONDS_PER_PAGE),
            )
        ),
        text_layer_max_seconds=float(
            _env("JUSTICIA_TEXT_LAYER_MAX_SECONDS", str(DEFAULT_TEXT_LAYER_MAX_SECONDS))
        ),
        text_layer_method=_env("JUSTICIA_TEXT_LAYER_METHOD", DEFAULT_TEXT_LAYER_METHOD),
    )
