"""Front-ends: the contract every architecture's semantics fulfils, and the
lookup of a test's front-end.

The module of an architecture is named in weakmem.arch.ARCHS (`frontend`)
and defines `frontend(test, macros, unroll) -> Frontend`, built from the
parsed test (and, for C, the macro table of its dialect).
"""
from __future__ import annotations

import importlib
from typing import Callable, Iterable

from weakmem.arch import arch_info
from weakmem.errors import LitmusError, Pos
from weakmem.litmus.ast import Litmus, SymVal
from weakmem.semantics.events import Val
from weakmem.semantics.trace import Trace


class Frontend:
    """What explore needs from an architecture.

    test        the test as this front-end reads it: registers under their
                canonical names, constants at the type of what they are
                compared with (a new Litmus: the parsed one is left as it is)
    shared      names of the shared memory locations
    traces()    every trace of one thread, its reads drawing values from
                domain(loc) (all_branches: follow both sides of every branch,
                used while value domains are computed)
    The hooks have no-op defaults."""
    test: Litmus
    shared: set[str]

    def traces(self, tid: int, domain: Callable[[SymVal], Iterable[Val]], all_branches: bool = False) -> list[Trace]:
        raise NotImplementedError

    def check_annotations(self, model) -> bool:
        """Check the test's annotations against the model's bell declarations,
        instruction by instruction, raising LitmusError on a mismatch.  True
        when this front-end does so; False (the default) lets the model check
        each event instead (weakmem.cat.judge.annotation_checker)."""
        return False

    def normalize_mem(self, loc: SymVal, v: Val) -> Val:
        """The final value of `loc` as herd7 prints it (typed locations)."""
        return v


def frontend_for(test, macros, unroll: int) -> Frontend:
    info = arch_info(test.arch)
    if info is None or info.frontend is None:
        raise LitmusError(f"architecture {test.arch} is not supported", test.pos or Pos(test.path))
    module = importlib.import_module(f"weakmem.semantics.{info.frontend}")
    return module.frontend(test, macros, unroll)
