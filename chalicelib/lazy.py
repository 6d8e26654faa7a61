"""Lazy module imports, to keep the API's cold start short.

A module imported with ``lazy_import`` is only executed when one of its
attributes is first used, so a request pays for the services it calls and no
more.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """Return module ``name``, to be executed on first attribute access.

    >>> cases = lazy_import("chalicelib.cases")  # nothing imported yet
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
