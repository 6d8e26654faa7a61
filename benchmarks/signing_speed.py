"""PAdES seals per second through PKCS#11: pooled sessions against one per seal.

Run on demand: ``python benchmarks/signing_speed.py``. A SoftHSM token with
the court-seal key (RSA-3072) is made in a temporary folder, the PIN and the
chain are served by an in-process moto, and a small one-page PDF is sealed
``SIGNING_RUNS`` times (default 300) one after the other on one core, twice:

* ``per-seal session``: a PKCS#11 session opened, logged in and closed for
  every seal, as the pipeline did before the pool;
* ``pooled session``: ``chalicelib.signing.seal_pdf``, reusing its session.

Reports seals per second and milliseconds per seal for both and their ratio
(target: 50 or more seals per second per core). Writes
``benchmarks/results/signing_speed.json``.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_EC2_METADATA_DISABLED": "true",
        "JUSTICIA_STAGE": "bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
RUNS = int(os.environ.get("SIGNING_RUNS", "300"))
ROUNDS = 3


def small_pdf() -> bytes:
    """A one-page PDF of a printed line (about 10 KB), as a scanner makes it."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (900, 160), 255)
    ImageDraw.Draw(page).text((20, 60), "Jugement du tribunal", fill=0, font_size=40)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF")
    return buffer.getvalue()


def seal_with_own_session(data: bytes) -> None:
    """One seal the way the pipeline did before the pool: a session per seal."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.pkcs11 import PKCS11Signer

    from chalicelib import signing
    from chalicelib.config import get_settings

    settings = get_settings()
    seal_certificate, *issuers = signing.chain_certificates()
    token = signing._library(settings.hsm_module).get_token(
        token_label=settings.hsm_token_label
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=signing.SEAL_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=signing.DIGEST,
    )
    with token.open(user_pin=signing._hsm_pin()) as session:
        signer = PKCS11Signer(
            session,
            signing_cert=seal_certificate,
            ca_chain=issuers,
            key_label=settings.hsm_key_label,
            other_certs_to_pull=(),
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        signers.PdfSigner(metadata, signer).sign_pdf(writer, output=io.BytesIO())


def seal_pooled(data: bytes) -> None:
    """One seal through the pipeline's own function (pooled session)."""
    from chalicelib import signing

    signing.seal_pdf(io.BytesIO(data), io.BytesIO())


def close_pooled_sessions() -> None:
    """Log the pool out, as a process that never pooled would be."""
    from chalicelib import signing

    signing.session_pool().close()


def seals_per_second(
    approaches: dict[str, Callable[[bytes], None]], data: bytes
) -> dict[str, float]:
    """Median over ``ROUNDS`` of ``RUNS`` seals in a row, for each approach.

    The rounds of the approaches alternate, so that a busy neighbour on the
    machine slows them alike.
    """
    rates: dict[str, list[float]] = {name: [] for name in approaches}
    for seal in approaches.values():
        close_pooled_sessions()
        seal(data)  # warm-up
    for _ in range(ROUNDS):
        for name, seal in approaches.items():
            close_pooled_sessions()  # their login would refuse a second one
            started = time.perf_counter()
            for _ in range(RUNS):
                seal(data)
            rates[name].append(RUNS / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in rates.items()}


def prepare_stack(state_dir: Path) -> None:
    """The token and key, and the PIN and chain where the code looks for them."""
    from chalicelib.aws import client
    from chalicelib.config import get_settings
    from devstack.hsm import ensure_local_hsm

    hsm = ensure_local_hsm(state_dir)
    os.environ["JUSTICIA_HSM_MODULE"] = hsm.module
    get_settings.cache_clear()
    settings = get_settings()
    client("secretsmanager").create_secret(
        Name=settings.hsm_pin_secret_id, SecretString=hsm.pin
    )
    client("ssm").put_parameter(
        Name=settings.signing_chain_parameter, Value=hsm.chain_pem, Type="String"
    )


def main() -> None:
    """Measure both ways in the same run; print and save the figures."""
    from moto import mock_aws

    with tempfile.TemporaryDirectory(prefix="justicia-bench-") as state, mock_aws():
        prepare_stack(Path(state))
        data = small_pdf()
        rates = seals_per_second(
            {"per_seal": seal_with_own_session, "pooled": seal_pooled}, data
        )
    per_seal, pooled = rates["per_seal"], rates["pooled"]
    figures = {
        "pdf_bytes": len(data),
        "runs": RUNS,
        "per_seal_session": {"per_second": per_seal, "ms": 1000 / per_seal},
        "pooled_session": {"per_second": pooled, "ms": 1000 / pooled},
        "ratio": pooled / per_seal,
    }
    print(f"{'approach':<20}{'seals/s':>10}{'ms/seal':>10}")
    for name in ("per_seal_session", "pooled_session"):
        rate = figures[name]["per_second"]  # type: ignore[index]
        print(f"{name:<20}{rate:>10.1f}{1000 / rate:>10.1f}")
    print(f"pooled / per-seal: {figures['ratio']:.2f}x (target: 50 seals/s)")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "signing_speed.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
