"""The PKCS#11 session pool behind the court seal, on the session's SoftHSM token."""

from __future__ import annotations

import io
from typing import Any

from chalicelib import signing
from tests.functional.test_signatures import small_pdf


def test_seals_reuse_the_open_session(stack: Any) -> None:
    pool = signing.session_pool()
    signing.seal_detached(io.BytesIO(b"first piece"))
    opened = pool.opened

    for number in range(5):
        signing.seal_detached(io.BytesIO(b"piece %d" % number))

    assert pool.opened == opened


def test_lost_session_is_replaced_and_the_seal_still_made(stack: Any) -> None:
    pool = signing.session_pool()
    pool.run(lambda signer: signer.pkcs11_session.close())  # the HSM drops it
    opened = pool.opened

    sealed = io.BytesIO()
    signing.seal_pdf(io.BytesIO(small_pdf()), sealed)

    assert pool.opened == opened + 1
    sealed.seek(0)
    assert signing.verify_pdf(sealed).valid
    assert signing.token_ready().startswith("token ")
