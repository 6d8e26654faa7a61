"""Cold-start import time of the API and of each function, against ``boto3``.

Each module is imported in a fresh interpreter, several times; the median is
reported as a ratio to ``import boto3`` measured in the same run (target: the
API within 1.5x). Run on demand: ``python benchmarks/cold_start.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("COLD_START_RUNS", "7"))
TARGETS = {
    "boto3 (baseline)": "import boto3",
    "api (app.py)": "import app",
    "ocr function": "import functions.ocr.handler",
    "signing function": "import functions.signing.handler",
    "maintenance function": "import functions.maintenance.handler",
}
PROBE = (
    "import time; started = time.perf_counter(); {statement}; "
    "print(time.perf_counter() - started)"
)
ENVIRONMENT = {
    **os.environ,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_EC2_METADATA_DISABLED": "true",
    "JUSTICIA_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "PYTHONDONTWRITEBYTECODE": "",
}


def import_seconds(statement: str) -> float:
    """Seconds one fresh interpreter spends on ``statement``."""
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(statement=statement)],
        cwd=ROOT,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    """Measure every target (after one warm-up each) and print the ratios."""
    medians = {}
    for name, statement in TARGETS.items():
        import_seconds(statement)  # warm the file cache and the .pyc files
        medians[name] = statistics.median(
            import_seconds(statement) for _ in range(RUNS)
        )
    baseline = medians["boto3 (baseline)"]
    print(f"{'target':<24}{'median ms':>10}{'x boto3':>10}")
    for name, seconds in medians.items():
        print(f"{name:<24}{seconds * 1000:>10.0f}{seconds / baseline:>10.2f}")
    results = ROOT / "benchmarks" / "results"
    results.mkdir(exist_ok=True)
    (results / "cold_start.json").write_text(
        json.dumps(
            {n: {"seconds": s, "ratio": s / baseline} for n, s in medians.items()},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
