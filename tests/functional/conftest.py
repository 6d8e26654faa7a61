"""Settings of the functional suite, set before the ``stack`` fixture reads them.

Chalice's test client sends every request from 127.0.0.1, so the whole suite
signs in from one address, faster than any office would: the limit per address
is raised here, and the tests of that limit lower it themselves.
"""

from __future__ import annotations

import os

os.environ.setdefault("JUSTICIA_LOGIN_IP_PER_MINUTE", "100000")
