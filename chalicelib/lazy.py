"""Lazy module imports, to keep the API's cold start short.

A module imported with ``lazy_import`` is only executed when one of its
attributes is first used, so a request pays for the services it calls and no
more. The first use imports the module through Python's import system, whose
per-module locks make simultaneous first uses (the local server answers in
threads) safe: each waits for the one import and then sees the whole module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()


class LazyModule(ModuleType):
    """Stands for a module until one of its attributes is first asked for."""

    def __init__(self, name: str):
        super().__init__(name)
        self.__dict__["_loaded"] = None

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._module(), attribute)

    def _module(self) -> ModuleType:
        loaded = self.__dict__["_loaded"]
        if loaded is None:
            with _lock:
                loaded = self.__dict__["_loaded"] or importlib.import_module(
                    self.__name__
                )
                self.__dict__["_loaded"] = loaded
        return loaded  # type: ignore[no-any-return]


def lazy_import(name: str) -> ModuleType:
    """Return module ``name``, to be executed on first attribute access.

    >>> cases = lazy_import("chalicelib.cases")  # nothing imported yet
    """
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return LazyModule(name)
