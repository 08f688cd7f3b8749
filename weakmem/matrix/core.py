"""`weakmem matrix`: one C litmus test, every target, one table.

    from weakmem.matrix import build_matrix
    m = build_matrix("SB+xchg.litmus")          # -> Matrix
    for row in m.rows: print(row.target, row.model, row.verdict, row.instructions)

Pipeline: parse the C test -> detect its dialect -> lower each thread to
the matrix IR (lower.py) -> for each target, generate herd assembly
(isa.py, with the tables of mappings.py), print a herd litmus test, parse
it back with weakmem's own parser and run it with the target's built-in
model -> run the C source under SC and the language models that apply
(lang.py) -> rows.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from weakmem.arch import default_model
from weakmem.errors import LitmusError, Pos, Timeout, WeakmemError
from weakmem.litmus import ast as A
from weakmem.litmus.parse import parse_litmus
from weakmem.matrix import mappings as M
from weakmem.matrix.dialect import detect, thread_dialects

LABELS_API = {"qemu": "QEMU", "linux": "Linux", "c11": "C11", "xen": "Xen"}
from weakmem.matrix.ir import NotCompilable
from weakmem.matrix.isa import ThreadCode, compile_thread
from weakmem.matrix.lower import Lowerer
from weakmem.litmus.cond import PropVisitor, is_term, prop_terms
from weakmem.paths import MODELS_DIR
from weakmem.run import ModelCache, Options, check_test

VERDICTS = ("Always", "Sometimes", "Never")


@dataclass
class Row:
    target: str            # SC, c11, qemu, lkmm, x86-64, AArch64 LL/SC, ...
    model: str             # the model the verdict comes from
    verdict: str           # Always | Sometimes | Never | Undetermined | Not compiled | Error | N/A
    instructions: str = ""  # `name: instructions; ...` (hardware rows) or how the source was read
    reason: str = ""       # why there is no verdict, or a note
    seconds: float = 0.0
    kind: str = "hw"       # hw | lang
    target_id: str = ""
    text: str | None = None          # the generated litmus test (hardware rows)
    emitted: str | None = None       # where --emit wrote it
    note: str = ""                   # a caveat on this row's verdict (also under the table)

    def as_json(self) -> dict:
        d = {"target": self.target, "model": self.model, "verdict": self.verdict,
             "instructions": self.instructions}
        if self.reason:
            d["reason"] = self.reason
        if self.note:
            d["note"] = self.note
        d["seconds"] = round(self.seconds, 4)
        if self.emitted:
            d["file"] = self.emitted
        return d


@dataclass
class Matrix:
    path: str
    name: str
    dialect: str
    condition: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --------------------------------------------------------------------------
# printing herd litmus tests
# --------------------------------------------------------------------------
def _val(v) -> str:
    if isinstance(v, A.IntVal):
        return str(v.value)
    if isinstance(v, A.SymVal):
        return v.name if not v.offset else f"{v.name}+{v.offset}"
    raise NotCompilable(f"value {v!r} in the condition")


class CondPrinter(PropVisitor):
    """A C test's condition spelled for the compiled test: each register by
    the name the code generator gave it, every connective parenthesised."""

    def __init__(self, regmaps: dict[int, dict[str, str]]):
        self.regmaps = regmaps

    def term(self, t) -> str:
        if isinstance(t, A.RegTerm):
            m = self.regmaps.get(t.tid)
            if m is None or t.reg not in m:
                raise LitmusError(f"the condition names register {t.tid}:{t.reg}, which thread "
                                  f"P{t.tid} does not have", t.pos)
            return f"{t.tid}:{m[t.reg]}"
        if t.index is not None:
            return f"{t.name}[{t.index}]"
        return t.name

    def prop(self, p) -> str:
        return self.visit(p)

    def visit_PTrue(self, p):
        return "true"

    def visit_PFalse(self, p):
        return "false"

    def visit_PAtom(self, p):
        rhs = self.term(p.rhs) if is_term(p.rhs) else _val(p.rhs)
        return f"{self.term(p.lhs)}{'=' if p.op == '=' else '!='}{rhs}"

    def visit_PNot(self, p):
        return f"~({self.visit(p.p)})"

    def _binary(self, p, op: str) -> str:
        return f"({self.visit(p.a)} {op} {self.visit(p.b)})"

    def visit_PAnd(self, p):
        return self._binary(p, "/\\")

    def visit_POr(self, p):
        return self._binary(p, "\\/")

    def visit_PImplies(self, p):
        return self._binary(p, "=>")

    def generic_visit(self, p):
        raise NotCompilable(f"condition element {type(p).__name__}")


def cond_vars(test: A.Litmus) -> dict[int, set[str]]:
    """The registers, per thread, that the locations, filter and condition name."""
    out: dict[int, set[str]] = {}
    cond = test.condition.prop if test.condition is not None else None
    for t in list(test.locations) + prop_terms(test.filter) + prop_terms(cond):
        if isinstance(t, A.RegTerm):
            out.setdefault(t.tid, set()).add(t.reg)
    return out


def location_decls(test: A.Litmus, low: Lowerer, used: set[str]) -> list[str]:
    """`int x=0;` / `int *p=y;` for every location, in the order of the C init."""
    out = []
    seen = set()
    for it in test.init:
        if not isinstance(it.target, A.LocTerm):
            continue
        name = it.target.name
        seen.add(name)
        if it.size or isinstance(it.value, A.ArrayVal):
            if low.loc_ptr.get(name) or it.target.index is not None:
                raise NotCompilable(f"array location {name} of pointers", it.pos)
            vals = it.value.values if isinstance(it.value, A.ArrayVal) else ()
            size = it.size or len(vals)
            init = "={" + ",".join(_val(v) for v in vals) + "}" if vals else ""
            out.append(f"int {name}[{size}]{init};")
            continue
        if low.loc_ptr.get(name):
            v = it.value
            out.append(f"int *{name}={_val(v)};" if isinstance(v, A.SymVal) else f"int *{name};")
        else:
            v = it.value
            out.append(f"int {name}={v.value if isinstance(v, A.IntVal) else 0};")
    for name in sorted(used - seen):
        out.append(f"int *{name};" if low.loc_ptr.get(name) else f"int {name}=0;")
    return out


def litmus_text(test: A.Litmus, target: M.Target, name: str, codes: list[ThreadCode], low: Lowerer,
                comment: list[str]) -> str:
    used = set()
    for th in low_irs_locs(codes):
        used |= th
    lines = [f"{target.arch} {name}"]
    for c in comment:
        lines.append(f"(* {c.replace('*)', '* )')} *)")
    lines.append("{")
    decls = location_decls(test, low, used)
    if decls:
        lines.append(" " + " ".join(decls))
    for c in codes:
        if c.init:
            lines.append(" " + " ".join(f"{i};" for i in c.init))
    lines.append("}")
    heads = [f"P{c.tid}" for c in codes]
    cols = [c.lines for c in codes]
    nrows = max(len(c) for c in cols)
    widths = [max([len(h)] + [len(x) for x in col]) for h, col in zip(heads, cols)]
    lines.append(" " + " | ".join(h.ljust(w) for h, w in zip(heads, widths)) + " ;")
    for i in range(nrows):
        cells = [(col[i] if i < len(col) else "").ljust(w) for col, w in zip(cols, widths)]
        lines.append(" " + " | ".join(cells) + " ;")
    printer = CondPrinter({c.tid: c.regmap for c in codes})
    if test.locations:
        lines.append("locations [" + " ".join(f"{printer.term(t)};" for t in test.locations) + "]")
    filt = []
    if test.filter is not None:
        filt.append(printer.prop(test.filter))
    for c in codes:
        for reg, val in c.filter_terms:
            filt.append(f"{c.tid}:{reg}={val}")
    if filt:
        lines.append("filter (" + " /\\ ".join(filt) + ")")
    cond = test.condition
    prop = printer.prop(cond.prop)
    lines.append(f"{cond.quantifier} {prop if prop.startswith('(') else '(' + prop + ')'}")
    return "\n".join(lines) + "\n"


def low_irs_locs(codes):
    for c in codes:
        yield {i.split("=", 1)[1] for i in c.init if "=" in i and not i.split("=", 1)[1].lstrip("-").isdigit()}


def instructions_text(shown: list[tuple[str, str]]) -> str:
    """`name: seq; name: seq`, each (name, seq) once, in program order."""
    seen = []
    for name, seq in shown:
        item = (display_name(name), seq)
        if item not in seen:
            seen.append(item)
    return "; ".join(f"{n}: {s}" for n, s in seen)


_MO_SHORT = {"memory_order_relaxed": "relaxed", "memory_order_consume": "consume",
             "memory_order_acquire": "acquire", "memory_order_release": "release",
             "memory_order_acq_rel": "acq_rel", "memory_order_seq_cst": "seq_cst",
             "__ATOMIC_RELAXED": "relaxed", "__ATOMIC_CONSUME": "consume", "__ATOMIC_ACQUIRE": "acquire",
             "__ATOMIC_RELEASE": "release", "__ATOMIC_ACQ_REL": "acq_rel", "__ATOMIC_SEQ_CST": "seq_cst"}


def display_name(name: str) -> str:
    """Compact source names: qatomic_xchg -> xchg,
    atomic_load_explicit(memory_order_acquire) -> load(acquire)."""
    if name.startswith("qatomic_"):
        return name[len("qatomic_"):]
    m = re.fullmatch(r"(?:__)?atomic_(\w+?)(?:_explicit|_n)?\((\w+)\)", name)
    if m:
        return f"{m.group(1)}({_MO_SHORT.get(m.group(2), m.group(2))})"
    return name


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------
@contextlib.contextmanager
def hard_limit(seconds: float | None):
    """A wall-clock bound around one row: weakmem's own deadline is checked
    between candidate executions, not inside one model evaluation, so a
    SIGALRM raises weakmem.errors.Timeout (which check_test reports as
    Undetermined) shortly after the deadline.  Main thread only."""
    if not seconds or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds * 1.2 + 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class Runner:
    def __init__(self, timeout: float | None, unroll: int):
        self.timeout = timeout
        self.unroll = unroll
        self.cache = ModelCache()

    def opts(self, model=None) -> Options:
        return Options(model=model, timeout=self.timeout, unroll=self.unroll)

    def verdict(self, res) -> tuple[str, str]:
        if res.undetermined:
            return "Undetermined", res.undetermined
        return res.verdict.observation, ""

    def run_asm(self, text: str, path: str):
        test = parse_litmus(path, text)
        opts = self.opts()
        lm = self.cache.get(opts, test.arch)
        with hard_limit(self.timeout):
            return check_test(test, lm, opts), lm.name

    def run_c(self, test: A.Litmus, model: str):
        """The C test under `model`, its macro table chosen from its dialect
        (weakmem.dialects) exactly as `weakmem run --model` does."""
        opts = self.opts(model)
        lm = self.cache.get(opts, "C", test)
        with hard_limit(self.timeout):
            res = check_test(test, lm, opts)
        return res, macro_table_name(test, model)


def macro_table_name(test: A.Litmus, model: str) -> str | None:
    try:
        from weakmem.dialects import detect as project_detect, model_family, table_path
        d = project_detect(test)
        if d.error:
            return None
        p = table_path(d.name, model_family(model))
        return os.path.basename(str(p)) if p else None
    except Exception:
        return None


def model_exists(name: str) -> bool:
    return (MODELS_DIR / f"{name}.cat").exists() or (MODELS_DIR / f"{name}.cfg").exists()


def safe_name(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9+._-]", "_", s) or "test"


def build_matrix(path: str, dialect: str | None = None, targets: list[str] | None = None,
                 timeout: float | None = None, unroll: int = 2, emit_dir: str | None = None,
                 languages: bool = True, text: str | None = None) -> Matrix:
    """The matrix of the test in file `path` (or in `text`, named `path`)."""
    t0 = time.monotonic()
    test = parse_litmus(path, text)
    if test.arch != "C":
        raise LitmusError(f"weakmem matrix compiles C litmus tests; this one is {test.arch}",
                          test.pos or Pos(path))
    if test.condition is None:
        raise LitmusError("the test has no final condition", Pos(path))
    per = None if dialect else thread_dialects(test, text if text is not None else Path(path).read_text(errors="replace"))
    d = "+".join(dict.fromkeys(per[th.tid] for th in test.threads)) if per else detect(test, dialect)
    name = test.name[:-len(".litmus")] if test.name.endswith(".litmus") else test.name
    from weakmem.verdict import condition_str
    mx = Matrix(path, name, d, condition_str(test.condition))
    runner = Runner(timeout, unroll)
    low = Lowerer(test, per[test.threads[0].tid] if per else d)
    irs = None
    hw_error = None
    try:
        if per:     # threads in different APIs: each compiled with its own API's mapping
            irs = [Lowerer(test, per[th.tid]).lower_thread(th) for th in test.threads]
        else:
            irs = low.lower()
    except NotCompilable as e:
        hw_error = e
    cvars = cond_vars(test)
    for tid in cvars:
        if not 0 <= tid < len(test.threads):
            raise LitmusError(f"the condition names thread {tid}, which the test does not have",
                              test.condition and Pos(path))
    if languages and per:
        apis = " and ".join(LABELS_API[a] for a in dict.fromkeys(per[th.tid] for th in test.threads))
        mx.rows.append(Row("language models", "-", "N/A", kind="lang", target_id="language",
                           reason=f"threads in {apis} APIs"))
    elif languages:
        mx.rows.extend(language_rows(test, d, runner))
    if emit_dir:
        os.makedirs(emit_dir, exist_ok=True)
    for target in M.TARGETS:
        if targets and target.id not in targets:
            continue
        row = Row(target.name, "", "", kind="hw", target_id=target.id)
        mx.rows.append(row)
        row.model = _default_model(target.arch)
        if hw_error is not None:
            row.verdict, row.reason = "Not compiled", str(hw_error)
            continue
        t1 = time.monotonic()
        tname = f"{safe_name(name)}.{target.id}"
        try:
            row.text, codes = compile_test(test, target, low, irs, cvars, tname,
                                           f"{os.path.basename(path)} ({d} dialect)")
            row.instructions = instructions_text([s for c in codes for s in c.shown])
        except NotCompilable as e:
            row.verdict, row.reason = "Not compiled", str(e)
            row.seconds = time.monotonic() - t1
            continue
        fpath = f"<{target.id}>"
        if emit_dir:
            fpath = os.path.join(emit_dir, f"{tname}.litmus")
            Path(fpath).write_text(row.text)
            row.emitted = fpath
        try:
            res, mname = runner.run_asm(row.text, fpath)
            row.model = mname
            row.verdict, row.reason = runner.verdict(res)
            if target.id == "power" and row.verdict in ("Sometimes", "Always") and \
                    re.search(r"(stwcx\.|stdcx\.), isync", row.instructions):
                note = power_acquire_note(test, target, tname, irs, cvars, low, row, runner)
                if note:
                    row.note = note
                    mx.notes.append(note)
        except Timeout:
            row.verdict, row.reason = "Undetermined", f"timeout after {timeout:g} s"
        except WeakmemError as e:
            row.verdict, row.reason = "Error", f"{target.name} front-end/model: {e.msg if hasattr(e, 'msg') else e}"
        except RecursionError:
            row.verdict, row.reason = "Error", "test too deeply nested to analyse"
        except Exception as e:    # a bug: keep the other rows
            row.verdict, row.reason = "Error", f"internal error: {type(e).__name__}: {e}"
        row.seconds = time.monotonic() - t1
    mx.notes = notes_for(test, irs, d) + mx.notes
    mx.seconds = time.monotonic() - t0
    return mx


def compile_test(test: A.Litmus, target: M.Target, low: Lowerer, irs, cvars: dict[int, set[str]],
                 tname: str, what: str) -> tuple[str, list[ThreadCode]]:
    """The herd assembly litmus test of a lowered C test for one target, and
    each thread's code.  Raises NotCompilable."""
    codes = [compile_thread(target, ir, cvars.get(ir.tid, set())) for ir in irs]
    comment = [f"weakmem matrix: {what} compiled for {target.name}",
               instructions_text([s for c in codes for s in c.shown])]
    return litmus_text(test, target, tname, codes, low, comment), codes


def _default_model(arch: str) -> str:
    return default_model(arch) or "?"


# --------------------------------------------------------------------------
# language rows
# --------------------------------------------------------------------------
# (row, model) per dialect: the C source under SC and the language models
# that speak its API.  The macro table comes from weakmem.dialects, as for
# `weakmem run --model M`, so the two commands agree.
LANGUAGE_ROWS = {
    "qemu": [("SC", "sc"), ("c11", "c11"), ("qemu", "qemu"), ("lkmm", "lkmm")],
    "c11": [("SC", "sc"), ("c11", "rc11")],
    "linux": [("SC", "sc"), ("lkmm", "lkmm")],
    "xen": [("SC", "sc"), ("lkmm", "lkmm")],
}
LANGUAGE_NOTES = {
    ("qemu", "c11"): "QEMU API read as C11 (atomics.rst)",
    ("qemu", "qemu"): "QEMU as built (C11 + dependency ordering)",
    ("qemu", "lkmm"): "QEMU API read as the Linux API",
}


def language_rows(test: A.Litmus, dialect: str, runner: Runner) -> list[Row]:
    rows: list[Row] = []
    for target, model in LANGUAGE_ROWS.get(dialect, [("SC", "sc")]):
        row = Row(target, model, "", kind="lang", target_id=target.lower())
        rows.append(row)
        if not model_exists(model):
            row.verdict, row.reason = "N/A", f"no built-in model {model}"
            continue
        t1 = time.monotonic()
        try:
            res, table = runner.run_c(test, model)
            row.verdict, row.reason = runner.verdict(res)
            how = LANGUAGE_NOTES.get((dialect, target), "source as written")
            row.instructions = f"{how}; macros: {table}" if table else how
        except Timeout:
            row.verdict, row.reason = "Undetermined", f"timeout after {runner.timeout:g} s"
        except WeakmemError as e:
            row.verdict, row.reason = "Error", e.msg if hasattr(e, "msg") else str(e)
        except RecursionError:
            row.verdict, row.reason = "Error", "test too deeply nested to analyse"
        except Exception as e:
            row.verdict, row.reason = "Error", f"internal error: {type(e).__name__}: {e}"
        row.seconds = time.monotonic() - t1
    return rows


def power_acquire_note(test, target, tname, irs, cvars, low, row, runner) -> str | None:
    """In weakmem's POWER semantics (as in herd7's PPCSem) the CR0 written by
    stwcx. does not depend on the lwarx, so `bne; isync` after an RMW orders
    nothing, whereas real POWER orders later accesses after the lwarx (the
    acquire barrier of Linux's PPC_ACQUIRE_BARRIER and of C11 acquire RMWs).
    Re-run with that ordering made explicit; say so if the verdict changes."""
    try:
        codes = [compile_thread(target, ir, cvars.get(ir.tid, set()), ctrl_from_larx=True) for ir in irs]
        text = litmus_text(test, target, tname + "-acq", codes, low, [])
        res, _ = runner.run_asm(text, f"<{target.id}+acquire>")
        v, _ = runner.verdict(res)
    except (NotCompilable, WeakmemError, Timeout):
        return None
    if v == row.verdict or v not in VERDICTS:
        return None
    return (f"POWER says {row.verdict} because weakmem's POWER semantics (like herd7's) give the "
            f"`bne; isync` after stwcx. no dependency on the lwarx; real POWER orders later accesses "
            f"after the lwarx there (the RMW's acquire barrier) -- with that ordering: {v}")


def notes_for(test: A.Litmus, irs, dialect: str) -> list[str]:
    notes = []
    if irs is None:
        return notes
    from weakmem.matrix.ir import Alu, Imm, Load, Store
    plain = any(isinstance(n, (Load, Store)) and n.key in ("ld:plain", "st:plain") for ir in irs for n in ir.nodes)
    fake = any(isinstance(n, Alu) and ((n.op in ("&", "*") and isinstance(n.b, Imm) and n.b.value == 0)
                                       or (n.op in ("-", "^") and n.b == n.a)) for ir in irs for n in ir.nodes)
    if plain:
        notes.append("plain C accesses are compiled as single loads/stores; a compiler may merge, "
                     "split or reorder them (and C11 makes racy ones undefined)")
    if fake:
        notes.append("dependencies through an expression that is always 0 (r & 0, r ^ r) are kept as "
                     "EOR/XOR as written; an optimising compiler may remove them")
    if any(n.key == "ld:con" for ir in irs for n in ir.nodes if hasattr(n, "key")):
        notes.append("memory_order_consume is compiled as acquire, as GCC and LLVM do")
    return notes
