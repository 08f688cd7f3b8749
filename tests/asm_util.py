"""Shared harness for the assembly front-end tests: the Armv7, POWER and
RISC-V model tests (herd7's own cat files, whole-test checks) and the
per-architecture semantics tests (one thread's traces and events)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from asm_shapes import all_tests, generate
from corpus_util import SHARED, need_shared
from weakmem.errors import LitmusError
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test
from weakmem.semantics.arm import ArmArch
from weakmem.semantics.asm_common import AsmFrontend
from weakmem.semantics.ppc import PPCArch
from weakmem.semantics.riscv import RiscvArch

MODELS = ModelCache()


def herd_opts(cat: str) -> dict:
    """Options running herd7's own model file `cat` from its library."""
    lib = SHARED / "corpus" / "herd-libdir"
    return dict(model=str(lib / cat), includes=[str(lib)], timeout=60)


def shape_tests(arch: str, known: list, herd_cat: str):
    """The two generated-shape tests of an architecture's model test file:
    each (shape, decorations, verdict) of `known` under the built-in model,
    and the built-in model against herd7's `herd_cat` on generated shapes
    (skipping when ../shared is absent).  Bind both names in the module."""

    @pytest.mark.parametrize("shape, decos, verdict", known, ids=lambda x: str(x))
    def test_known_verdicts(shape, decos, verdict):
        res = check_text(generate(arch, shape, decos), timeout=60)
        assert res.verdict.observation == verdict

    @pytest.mark.parametrize("name, text", all_tests(arch, max_per_shape=4),
                             ids=lambda x: x if "\n" not in x else "")
    def test_builtin_agrees_with_herd_model(name, text):
        need_shared()
        ours = check_text(text, timeout=60)
        theirs = check_text(text, **herd_opts(herd_cat))
        assert same_result(ours, theirs)

    return test_known_verdicts, test_builtin_agrees_with_herd_model


def check_text(text: str, **opts):
    o = Options(**opts)
    t = parse_litmus("t.litmus", text)
    return check_test(t, MODELS.get(o, t.arch), o)


def same_result(a, b) -> bool:
    return (a.verdict.observation, a.pos, a.neg, sorted(a.states)) == \
        (b.verdict.observation, b.pos, b.neg, sorted(b.states))


def traces(fe, tid: int, dom=None, **kw):
    """Thread `tid`'s traces, each read of `loc` drawing from `dom[loc]`
    (0 and 1 when `dom` does not name it); `kw` goes to the front-end."""
    d = dom or {}
    return fe.traces(tid, lambda loc: d.get(loc.name, [0, 1]), **kw)


def evs(tr) -> list[tuple]:
    """A trace's events as (kinds but M, location, value)."""
    return [("".join(sorted(e.kinds - {"M"})), e.loc.name if e.loc else None, e.value) for e in tr.events]


def only_trace(fe, tid: int = 0, dom=None):
    """The one trace thread `tid` has (asserting there is exactly one)."""
    ts = traces(fe, tid, dom)
    assert len(ts) == 1
    return ts[0]


def one_thread(arch: str, code: str, init: str = "", cond: str = "") -> str:
    """A one-thread test of `arch`: each line of `code` an instruction."""
    body = "\n".join(f" {c.strip()} ;" for c in code.strip().splitlines())
    return f"{arch} t\n{{ {init} }}\n P0 ;\n{body}\n{cond}\n"


def litmus_error(call) -> LitmusError:
    """The LitmusError `call()` raises (failing when it raises none)."""
    with pytest.raises(LitmusError) as e:
        call()
    return e.value


@dataclass(frozen=True)
class AsmKit:
    """One architecture on the shared runner, as its semantics tests use it:
    `arch` makes its decoder, `head` is the test header's name and `cond` the
    final condition a one-thread test gets when it names none."""
    arch: Callable
    head: str
    cond: str

    def frontend(self, text: str, unroll: int = 2) -> AsmFrontend:
        return AsmFrontend(parse_litmus("t.litmus", text), self.arch(), unroll)

    def prog(self, code: str, init: str = "", cond: str | None = None) -> str:
        return one_thread(self.head, code, init, self.cond if cond is None else cond)

    def one(self, text: str, dom=None):
        return only_trace(self.frontend(text), 0, dom)

    def error(self, code: str) -> LitmusError:
        """The error running thread 0 of the one-thread test of `code` raises."""
        return litmus_error(lambda: traces(self.frontend(self.prog(code)), 0))


ARM = AsmKit(ArmArch, "ARM", "exists (0:R0=0)")
PPC = AsmKit(PPCArch, "PPC", "exists (0:r0=0)")
RISCV = AsmKit(RiscvArch, "RISCV", "exists (0:x5=0)")
