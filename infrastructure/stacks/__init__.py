"""The Justicia stack and the constructs it is made of."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository root: the code asset of the functions and the Chalice app."""
