"""Running a (patched) test on every requested target, with a cache.

A target is a language model (the C source, through the dialect's macro
table, as `weakmem run --model M` runs it) or a CPU (the C source compiled
by weakmem.matrix for that CPU and run with its model, as `weakmem matrix`
does), or for an assembly test the test's own CPU model.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from weakmem.arch import arch_isa
from weakmem.errors import Timeout, WeakmemError
from weakmem.fix.costs import code_cost
from weakmem.litmus.ast import Quantifier
from weakmem.litmus.parse import parse_litmus
from weakmem.matrix import mappings as M
from weakmem.matrix.core import compile_test, cond_vars, hard_limit
from weakmem.matrix.ir import NotCompilable
from weakmem.matrix.lower import Lowerer
from weakmem.run import ModelCache, Options, check_test


@dataclass(frozen=True)
class Target:
    id: str            # model name (qemu, lkmm, rc11...) or CPU id (x86-64, aarch64-llsc...)
    kind: str          # model | cpu
    label: str         # as shown: "qemu", "AArch64 LL/SC"


@dataclass
class Outcome:
    ok: bool           # the condition's outcome is impossible (Never; for forall: always true)
    verdict: str       # Never | Sometimes | Always | Undetermined | Not compiled | Error
    reason: str = ""


def cpu_target(tid: str) -> Target:
    t = M.TARGET_BY_ID[tid]
    return Target(t.id, "cpu", t.name)


def model_target(name: str) -> Target:
    return Target(name, "model", name)


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class Verifier:
    def __init__(self, path: str, arch: str, dialect: str | None, timeout: float | None = None,
                 unroll: int = 2):
        self.path = path
        self.arch = arch
        self.dialect = dialect
        self.timeout = timeout
        self.unroll = unroll
        self.models = ModelCache()
        self.cache: dict[tuple[str, str], Outcome] = {}
        self.compiled: dict[tuple[str, str], tuple[str | None, list | None, str]] = {}
        self.tests: dict[str, object] = {}
        self.runs = 0

    def parse(self, text: str):
        h = _hash(text)
        t = self.tests.get(h)
        if t is None:
            t = parse_litmus(self.path, text)
            self.tests[h] = t
        return t

    def compile(self, text: str, tid: str):
        """(assembly text, thread codes, why not) of a C test for a CPU."""
        key = (_hash(text), tid)
        got = self.compiled.get(key)
        if got is None:
            test = self.parse(text)
            target = M.TARGET_BY_ID[tid]
            try:
                low = Lowerer(test, self.dialect)
                irs = low.lower()
                asm, codes = compile_test(test, target, low, irs, cond_vars(test), f"{test.name}.{tid}",
                                          "weakmem fix candidate")
                got = (asm, codes, "")
            except NotCompilable as e:
                got = (None, None, str(e))
            self.compiled[key] = got
        return got

    def outcome(self, text: str, target: Target) -> Outcome:
        key = (_hash(text), target.id)
        got = self.cache.get(key)
        if got is None:
            got = self._run(text, target)
            self.cache[key] = got
        return got

    def _run(self, text: str, target: Target) -> Outcome:
        self.runs += 1
        try:
            if target.kind == "cpu" and self.arch == "C":
                asm, _, why = self.compile(text, target.id)
                if asm is None:
                    return Outcome(False, "Not compiled", why)
                test = parse_litmus(f"<{target.id}>", asm)
                opts = Options(timeout=self.timeout, unroll=self.unroll)
                lm = self.models.get(opts, test.arch)
            else:
                test = self.parse(text)
                opts = Options(model=target.id, timeout=self.timeout, unroll=self.unroll)
                lm = self.models.get(opts, test.arch, test)
            with hard_limit(self.timeout):
                res = check_test(test, lm, opts)
        except Timeout:
            return Outcome(False, "Undetermined", f"timeout after {self.timeout:g} s")
        except WeakmemError as e:
            return Outcome(False, "Error", getattr(e, "msg", str(e)))
        except RecursionError:
            return Outcome(False, "Error", "test too deeply nested to analyse")
        if res.undetermined:
            return Outcome(False, "Undetermined", res.undetermined)
        ok = res.neg == 0 if res.quantifier == Quantifier.FORALL else res.pos == 0
        return Outcome(ok, res.verdict.observation)

    def cost(self, text: str, tid: str) -> int | None:
        """Weight of the code for CPU `tid` (None when it does not compile)."""
        if self.arch != "C":
            test = self.parse(text)
            isa = arch_isa(test.arch) or ""
            return sum(code_cost(isa, [i.text for i in th.code]) for th in test.threads)
        _, codes, _ = self.compile(text, tid)
        if codes is None:
            return None
        isa = M.TARGET_BY_ID[tid].isa
        return sum(code_cost(isa, c.lines) for c in codes)
