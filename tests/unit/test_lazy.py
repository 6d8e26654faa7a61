"""Lazy imports: simultaneous first uses all see the whole module."""

from __future__ import annotations

import sys
import threading

from chalicelib.lazy import LazyModule, lazy_import


def test_simultaneous_first_uses_see_the_whole_module() -> None:
    sys.modules.pop("chalicelib.procedures", None)
    module = lazy_import("chalicelib.procedures")
    assert isinstance(module, LazyModule)
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        try:
            module.ensure_procedure("NOTICE_SERVED")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            failures.append(exc)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
