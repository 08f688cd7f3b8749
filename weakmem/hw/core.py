"""Run one litmus test on this machine and compare with the models."""
from __future__ import annotations

import platform
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from weakmem.errors import LitmusError, Pos
from weakmem.hw.check import ModelView, model_views
from weakmem.hw.build import build_harness
from weakmem.hw.harness import HOST_MACHINES, Harness, Slot
from weakmem.hw.runner import HwError, Params, compile_harness, run_harness, write_harness
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.litmus.parse import parse_litmus
from weakmem.semantics.events import show_val
from weakmem.verdict import condition_str, holds


@dataclass
class HwOptions(Params):
    """The harness's parameters (runner.Params) and what to compare with."""
    timeout: float | None = 60.0
    model: str | None = None
    emit_c: str | None = None          # write the harness there (and still run it when it can)
    check_models: bool = True


@dataclass
class ModelVerdict:
    model: str
    role: str                          # cpu | language
    forbidden_seen: list[str] = field(default_factory=list)
    outcome_allowed: bool | None = None
    status: str = ""                   # 'observed but forbidden' | 'allowed and seen' | ...
    note: str = ""
    error: str | None = None


@dataclass
class HwResult:
    test: str
    path: str
    arch: str
    api: str
    iterations: int = 0
    histogram: list[tuple[str, int]] = field(default_factory=list)
    condition: str = ""
    condition_count: int = 0
    condition_seen: bool = False
    condition_states: list[str] = field(default_factory=list)
    verdicts: list[ModelVerdict] = field(default_factory=list)
    threads: int = 0
    cpus: int = 0
    pinned: bool = False
    seconds: float = 0.0
    interrupted: bool = False
    timed_out: bool = False
    ran: bool = True
    emitted: str | None = None
    filtered: int = 0                  # runs whose final state the test's `filter` rejects
    notes: list[str] = field(default_factory=list)

    @property
    def forbidden_seen(self) -> list[str]:
        out: list[str] = []
        for v in self.verdicts:
            for s in v.forbidden_seen:
                if s not in out:
                    out.append(s)
        return out

    @property
    def model(self) -> str:
        cpu = [v.model for v in self.verdicts if v.role == "cpu"]
        lang = [v.model for v in self.verdicts if v.role == "language"]
        return ", ".join(cpu + lang)

    @property
    def rate(self) -> float:
        return self.iterations / self.seconds if self.seconds > 0 else 0.0


def host_runs(arch: str) -> bool:
    """Can this machine run `arch` code?  (C runs everywhere.)"""
    if arch == "C":
        return True
    return platform.machine().lower() in HOST_MACHINES.get(arch, ())


def _decode_value(raw: str, h: Harness) -> object:
    if raw.startswith("&"):
        name, _, off = raw[1:].rpartition("+")
        loc = next((l for l in h.locations if l.name == name), None)
        eb = loc.elem_bytes if loc is not None else 1
        return SymVal(name, int(off) // eb)
    return int(raw)


def _state(h: Harness, values: list[object]) -> tuple[str, dict[str, str], dict, dict]:
    """(herd state line, {term: value text}, regs, mem) of one histogram line."""
    groups: dict[int, list[tuple[Slot, object]]] = {}
    for s, v in zip(h.slots, values):
        groups.setdefault(s.group, []).append((s, v))
    parts: list[str] = []
    by_term: dict[str, str] = {}
    regs: dict = {}
    mem: dict = {}
    for g in sorted(groups):
        items = groups[g]
        s0 = items[0][0]
        if len(items) > 1:
            val = tuple(v for _, v in items)
        else:
            val = items[0][1]
        txt = show_val(val)
        parts.append(f"{s0.term}={txt};")
        by_term[s0.term] = txt
        for s, v in items:
            if s.kind == "reg":
                regs[(s.tid, s.reg)] = v
            else:
                mem[SymVal(s.loc, s.index)] = v
    return " ".join(parts), by_term, regs, mem


def run_hw(path: str, opts: HwOptions, on_progress=None, stop: threading.Event | None = None) -> HwResult:
    test = parse_litmus(path)
    h = build_harness(test, foreign=bool(opts.emit_c) and not host_runs(test.arch))
    name = test.name[:-len(".litmus")] if test.name.endswith(".litmus") else test.name
    res = HwResult(name, path, test.arch, h.api, threads=h.nthreads, notes=list(h.notes))
    res.condition = condition_str(test.condition)
    if opts.emit_c:
        d = Path(opts.emit_c) / Path(h.c_name).stem
        write_harness(h, d)
        res.emitted = str(d / h.c_name)
    if not host_runs(test.arch):
        if opts.emit_c:
            res.ran = False
            from weakmem.arch import arch_info
            info = arch_info(test.arch)
            res.notes.append(f"{test.arch} assembly cannot run on this {platform.machine()} CPU: build the "
                             f"harness on (or for) such a machine, e.g. `{(info and info.cross_gcc) or 'gcc'} "
                             f"-O2 -pthread -o harness {res.emitted}`, then run `./harness -n 1000000 -herd` "
                             "(docs/hw.md)")
            return res
        raise LitmusError(f"{test.arch} assembly cannot run on this {platform.machine()} CPU "
                          "(use --emit-c DIR to write the harness and build it on such a machine)",
                          test.pos or Pos(path))
    views: list[ModelView] = []
    if opts.check_models:
        views = model_views(path, opts.model, opts.timeout)
    with tempfile.TemporaryDirectory(prefix="weakmem-hw-") as tmp:
        exe = compile_harness(h, tmp)
        raw = run_harness(exe, opts, on_progress, stop)
    res.iterations, res.seconds = raw.iterations, raw.seconds
    res.cpus, res.pinned = raw.cpus, raw.pinned
    res.interrupted, res.timed_out = raw.interrupted, raw.timed_out
    if raw.killed:
        res.notes.append("the harness did not stop when asked and was killed: a thread never finished "
                         "an instance (an endless loop?); runs of the last, unfinished batch are lost")
    if raw.cpus and raw.cpus < h.nthreads:
        res.notes.append(f"the test has {h.nthreads} threads and this machine {raw.cpus} CPUs: "
                         "threads ran unpinned, time-shared, so some interleavings are rare or absent")
    prop = test.condition.prop
    arrays = {l.name: l.count for l in h.locations if l.count > 1}
    observed: list[tuple[str, int, dict]] = []
    for count, vals in sorted(raw.states, key=lambda p: -p[0]):
        values = [_decode_value(v, h) for v in vals]
        line, by_term, regs, mem = _state(h, values)
        if test.filter is not None and not holds(test.filter, regs, mem, arrays):
            res.filtered += count      # herd7 drops them before the model: so do we
            continue
        observed.append((line, count, by_term))
        if holds(prop, regs, mem, arrays):
            res.condition_count += count
            res.condition_states.append(line)
    if res.filtered:
        res.notes.append(f"{res.filtered} of {res.iterations} runs ended in a state the test's filter rejects; "
                         "they are not in the histogram")
    if _has_loop(test):
        res.notes.append("the test loops: the model explores each loop up to its unroll bound, "
                         "the machine runs it to the end")
    res.histogram = [(line, count) for line, count, _ in observed]
    res.condition_seen = res.condition_count > 0
    for v in views:
        mv = ModelVerdict(v.model, v.role, outcome_allowed=v.outcome_allowed, note=v.note, error=v.error)
        if v.error is None:
            mv.forbidden_seen = [line for line, _, by_term in observed if v.allows(by_term) is False]
        mv.status = status(mv, res)
        res.verdicts.append(mv)
    return res


def _has_loop(test: A.Litmus) -> bool:
    """A backward jump (assembly) or a while statement (C)."""
    def walk(st) -> bool:
        if isinstance(st, A.SWhile):
            return True
        if isinstance(st, A.SIf):
            return walk(st.then) or (st.els is not None and walk(st.els))
        if isinstance(st, A.SBlock):
            return any(walk(x) for x in st.body)
        return False
    for th in test.threads:
        if isinstance(th, A.CThread):
            if any(walk(st) for st in th.body):
                return True
        elif isinstance(th, A.AsmThread):
            labels: set[str] = set()
            for ins in th.code:
                if ins.label:
                    labels.add(ins.label)
                words = ins.text.replace(",", " ").split()
                if words and words[0].lower().startswith(("j", "b", "cb", "tb")) and words[-1] in labels:
                    return True
    return False


def status(v: ModelVerdict, r: HwResult) -> str:
    if v.error is not None:
        return "no verdict"
    if v.forbidden_seen:
        return "observed but forbidden"
    if r.condition_seen:
        return "allowed and seen"
    if v.outcome_allowed:
        return f"allowed, not seen in {r.iterations} runs"
    return f"forbidden, not seen in {r.iterations} runs"
