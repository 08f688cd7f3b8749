"""The harness for a test: x86 assembly (weakmem.hw.x86asm), C
(weakmem.hw.cthread), or none for other CPUs (weakmem.hw.foreign)."""
from __future__ import annotations

from weakmem.arch import arch_isa
from weakmem.errors import LitmusError, Pos
from weakmem.hw.harness import Harness
from weakmem.litmus import ast as A


def build_harness(test: A.Litmus, foreign: bool = False) -> Harness:
    """The harness for `test` (X86/X86_64 assembly or C).  Other CPUs'
    assembly (weakmem.hw.foreign) only with `foreign`: to be emitted and
    built on such a machine."""
    if test.condition is None:
        raise LitmusError("the test has no final condition", Pos(test.path))
    if not test.threads:
        raise LitmusError("the test has no threads", Pos(test.path))
    if arch_isa(test.arch) == "x86":       # assembly the harness runs on an x86-64 host
        from weakmem.hw.x86asm import build_x86
        return build_x86(test)
    if test.arch == "C":
        from weakmem.hw.cthread import build_c
        return build_c(test)
    from weakmem.hw.foreign import build_foreign
    return build_foreign(test, foreign)
