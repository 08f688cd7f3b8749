"""Litmus tests in another CPU's assembly (AArch64, Armv7, POWER, RISC-V).

This machine cannot run them; weakmem hw says so.  (The harness for x86
assembly and for C is portable; docs/hw.md says how to run a C test's
harness on another machine.)
"""
from __future__ import annotations

import platform

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import ast as A


def build_foreign(test: A.Litmus):
    raise LitmusError(f"{test.arch} assembly cannot be run by weakmem hw on this {platform.machine()} "
                      "machine: only X86/X86_64 assembly and C tests are turned into harnesses "
                      "(see docs/hw.md)", test.pos or Pos(test.path))
