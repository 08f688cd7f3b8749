"""Front-end registry: architecture name -> object producing per-thread traces.

A front-end is built from the parsed test and exposes:
    shared: set[str]                          names of shared memory locations
    traces(tid, domain) -> list[Trace]        every trace of thread `tid`, reads
                                              drawing values from domain(loc)
Assembly front-ends register themselves here with `register(arch, factory)`,
factory(test, macros, unroll) -> front-end.
"""
from __future__ import annotations

from typing import Callable

from weakmem.errors import LitmusError, Pos

_FACTORIES: dict[str, Callable] = {}


def register(arch: str, factory: Callable) -> None:
    _FACTORIES[arch] = factory


def _load_builtin() -> None:
    from weakmem.semantics import c  # noqa: F401
    import importlib
    for mod in ("x86", "aarch64", "arm", "ppc", "riscv"):
        try:
            importlib.import_module(f"weakmem.semantics.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"weakmem.semantics.{mod}":
                raise


_loaded = False


def frontend_for(test, macros, unroll: int):
    global _loaded
    if not _loaded:
        _load_builtin()
        _loaded = True
    f = _FACTORIES.get(test.arch)
    if f is None:
        raise LitmusError(f"architecture {test.arch} is not supported", test.pos or Pos(test.path))
    return f(test, macros, unroll)
