"""``python -m cli users ...``: the ``justicia`` command without installing it."""

from __future__ import annotations

from cli.main import main

raise SystemExit(main())
