"""Sign-in and the token checks of the custom authorizer."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import jwt
import moto
import pytest

from chalicelib.config import get_settings
from tests.support import Api


def moto_signing_key() -> dict[str, Any]:
    """The private key moto signs every pool's tokens with (a test fixture of moto)."""
    resources = Path(moto.__file__).parent / "cognitoidp" / "resources"
    path = resources / "jwks-private.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    return dict(
        json.loads(gzip.decompress((resources / "jwks-private.json.gz").read_bytes()))
    )


def forge(claims: dict[str, Any], **header: Any) -> str:
    """A token signed with the pool's real key but carrying chosen claims."""
    key = jwt.PyJWK(moto_signing_key()).key
    return jwt.encode(
        claims, key, algorithm="RS256", headers={"kid": "dummy", **header}
    )


def good_claims(**changes: Any) -> dict[str, Any]:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "iss": settings.issuer,
        "aud": settings.user_pool_client_id,
        "token_use": "id",
        "cognito:username": "clerk",
        "cognito:groups": ["CLERK"],
        "iat": now,
        "exp": now + 600,
    }
    claims.update(changes)
    return claims


def test_login_returns_tokens(api: Api) -> None:
    status, body = api.call(
        "POST", "/auth/login", body={"username": "judge", "password": "x"}
    )
    assert status == 401
    assert body["error"]["code"] == "invalid_credentials"
    headers = api.login("judge")
    status, me = api.call("GET", "/me", headers)
    assert status == 200
    assert me["role"] == "JUDGE"
    assert "TPI-RABAT" in me["courts"]


def test_unknown_user_and_wrong_password_answer_alike(api: Api) -> None:
    unknown = api.call(
        "POST", "/auth/login", body={"username": "nobody", "password": "Wrong-1234!"}
    )
    wrong = api.call(
        "POST", "/auth/login", body={"username": "clerk", "password": "Wrong-1234!"}
    )
    assert unknown[0] == wrong[0] == 401
    for _, body in (unknown, wrong):
        body["error"].pop("request_id")
    assert unknown[1] == wrong[1]


def test_access_token_is_accepted(api: Api) -> None:
    from devstack.provision import demo_password

    _, tokens = api.call(
        "POST",
        "/auth/login",
        body={"username": "admin", "password": demo_password()},
    )
    status, me = api.call(
        "GET", "/me", {"authorization": f"Bearer {tokens['access_token']}"}
    )
    assert status == 200
    assert me["role"] == "ADMIN"


def test_forged_token_with_good_claims_is_what_the_key_signs(api: Api) -> None:
    status, _ = api.call(
        "GET", "/me", {"authorization": f"Bearer {forge(good_claims())}"}
    )
    assert status == 200, "the control token must pass, or the refusals prove nothing"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: None, id="no-header"),
        pytest.param(lambda: "Bearer", id="empty-bearer"),
        pytest.param(lambda: "Bearer not.a.jwt", id="malformed"),
        pytest.param(lambda: "Basic Y2xlcms6cGFzcw==", id="basic-scheme"),
        pytest.param(
            lambda: f"Bearer {forge(good_claims(exp=int(time.time()) - 5))}",
            id="expired",
        ),
        pytest.param(
            lambda: f"Bearer {forge(good_claims(iss='https://evil.example/x'))}",
            id="issuer",
        ),
        pytest.param(
            lambda: f"Bearer {forge(good_claims(aud='another-client'))}", id="client"
        ),
        pytest.param(
            lambda: f"Bearer {forge(good_claims(token_use='refresh'))}", id="token-use"
        ),
        pytest.param(
            lambda: f"Bearer {forge(good_claims(**{'cognito:groups': []}))}",
            id="no-role",
        ),
        pytest.param(
            lambda: "Bearer " + jwt.encode(good_claims(), key="", algorithm="none"),
            id="alg-none",
        ),
        pytest.param(lambda: f"Bearer {hmac_confusion()}", id="hs256-key-confusion"),
        pytest.param(lambda: f"Bearer {tampered()}", id="tampered-payload"),
    ],
)
def test_bad_tokens_get_401(api: Api, token: Any) -> None:
    value = token()
    headers = {} if value is None else {"authorization": value}
    status, _ = api.call("GET", "/courts", headers)
    assert status == 401


def hmac_confusion() -> str:
    """HS256 signed with the public key as the secret: the classic confusion."""
    import base64
    import hashlib
    import hmac

    public = json.dumps(
        {k: v for k, v in moto_signing_key().items() if k in ("kty", "n", "e")}
    )
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "HS256", "kid": "dummy"}).encode()
    ).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(good_claims()).encode()).rstrip(b"=")
    signature = hmac.new(public.encode(), header + b"." + body, hashlib.sha256).digest()
    return b".".join(
        [header, body, base64.urlsafe_b64encode(signature).rstrip(b"=")]
    ).decode()


def tampered() -> str:
    """A validly signed clerk token whose payload was edited to say ADMIN."""
    import base64

    header, _, signature = forge(good_claims()).split(".")
    body = base64.urlsafe_b64encode(
        json.dumps(good_claims(**{"cognito:groups": ["ADMIN"]})).encode()
    ).rstrip(b"=")
    return f"{header}.{body.decode()}.{signature}"


def test_role_not_allowed_gets_403(api: Api, as_role: Any) -> None:
    status, body = api.call(
        "POST",
        "/cases",
        as_role("citizen"),
        {
            "court_code": "TPI-RABAT",
            "case_type_code": "1201",
            "subject": "x",
            "parties": [],
        },
    )
    assert status == 403
    assert body["error"]["code"] == "forbidden"


def test_logins_are_audited_with_outcome(api: Api) -> None:
    from chalicelib.audit import entries_for

    api.call(
        "POST", "/auth/login", body={"username": "lawyer", "password": "Nope-12345!"}
    )
    api.login("lawyer")
    outcomes = [
        e["outcome"] for e in entries_for("user#lawyer") if e["action"] == "LOGIN"
    ]
    assert "FAILURE" in outcomes and "SUCCESS" in outcomes


def test_every_answer_quotes_a_request_id(api: Api) -> None:
    _, first = api.call("POST", "/auth/login", body={"username": "x", "password": "y"})
    _, second = api.call("POST", "/auth/login", body={"username": "x", "password": "y"})
    ids = {first["error"]["request_id"], second["error"]["request_id"]}
    assert len(ids) == 2 and "-" not in ids
