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


# architecture -> module that registers its front-end (imported on first use)
_MODULES = {"C": "c", "X86": "x86", "X86_64": "x86", "AArch64": "aarch64", "ARM": "arm",
            "AArch32": "arm", "PPC": "ppc", "RISCV": "riscv", "LISA": "lisa"}


def _load(arch: str) -> None:
    import importlib
    mod = _MODULES.get(arch)
    if mod is None:
        return
    try:
        importlib.import_module(f"weakmem.semantics.{mod}")
    except ModuleNotFoundError as e:
        if e.name != f"weakmem.semantics.{mod}":
            raise


def frontend_for(test, macros, unroll: int):
    if test.arch not in _FACTORIES:
        _load(test.arch)
    f = _FACTORIES.get(test.arch)
    if f is None:
        raise LitmusError(f"architecture {test.arch} is not supported", test.pos or Pos(test.path))
    return f(test, macros, unroll)
