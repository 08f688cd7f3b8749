"""Explanations: why an outcome cannot happen, or how it can.

    ex = explain(test, lm, opts)            # weakmem.run's Options / LoadedModel
    ex.forbidden                           # True: no allowed execution has the outcome
    for g in ex.groups:                    # forbidden: one group per failing check
        g.check, g.executions, g.meaning
        for e in g.cycle:                  # CycleEdge: src -> dst, named
            e.src.label, e.src.thread, e.src.line, e.src.access, e.name, e.steps
    ex.witness                             # allowed: Witness (events, rf, co, unordered pairs)
    ex.no_candidate                        # no execution has the outcome at all: why

Generic over the model: the failing checks come from the cat evaluator's
failure hook (weakmem.cat.failure), the cycles from the check's relation, the
edge names from the model's own definitions (weakmem.explain.unfold).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from weakmem.cat import rel as R
from weakmem.cat.values import ESet, as_rel, as_set
from weakmem.errors import CatError
from weakmem.semantics.events import show_val

from .cycles import reflexive_point, shortest_cycle, some_pair
from .meaning import meaning_of
from .unfold import Step, Unfolder

MEMORY_KINDS = frozenset({"R", "W"})


@dataclass(frozen=True)
class EventInfo:
    """One event as the user wrote it."""
    eid: int
    label: str            # a, b, c... (po order, thread by thread); "init x" for initial writes
    thread: Optional[int]  # None for initial writes
    poi: int
    line: Optional[int]   # source line in the litmus file
    access: str           # "W x=1", "R y=0", "F mb", "RMW x=0->1"
    source: str           # the statement / instruction text
    memory: bool          # a read or a write (else fence, branch, register event...)
    register: bool = False  # register-only event (Wreg/Rreg): hidden unless asked

    @property
    def thread_name(self) -> str:
        return "init" if self.thread is None else f"P{self.thread}"

    def show(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        if self.thread is None:
            return f"{self.label}: {self.access}"
        return f"{self.label}: {self.access}{where}"


@dataclass
class CycleEdge:
    """One edge of an explanation's cycle, between two shown events; `steps`
    are the model-level edges it is made of (through hidden events such as
    fences), each (src, dst, relation name) and evaluable (Step.holds)."""
    src: EventInfo
    dst: EventInfo
    name: str                      # e.g. "po;mb;po", "fre"
    steps: list[Step]
    via: tuple[str, ...] = ()      # the model's definitions it came through

    def as_tuples(self) -> list[tuple[int, int, str]]:
        return [(s.src, s.dst, s.name) for s in self.steps]


@dataclass
class Group:
    """The candidate executions with the outcome that one check rejects."""
    check: str                     # the check's name in the cat file
    executions: int                # how many of them
    test: str                      # acyclic / irreflexive / empty
    expr: str                      # the check's expression, as written
    cycle: list[CycleEdge]         # acyclic: a shortest cycle; irreflexive: the pair; empty: a member
    meaning: str                   # one sentence, for well-known checks ("" otherwise)
    member: Optional[EventInfo] = None   # `empty S` over a set: one element
    static: bool = False           # failed before any rf/co was looked at
    note: str = ""                 # when no cycle can be shown, why
    nodes: list[int] = field(default_factory=list)   # the cycle (pair) in the check's own relation
    execution: object = field(default=None, repr=False)   # weakmem.verdict.Judged
    failure: object = field(default=None, repr=False)     # weakmem.cat.failure.CheckFailure


@dataclass
class Unordered:
    """A pair of same-thread accesses to different locations that the model
    does not order, and why that matters for this outcome."""
    first: EventInfo
    second: EventInfo
    relation: str                  # the ordering relation (its check's name)
    reason: str


@dataclass
class Witness:
    events: list[EventInfo]
    rf: list[tuple[EventInfo, EventInfo]]                 # (write, read)
    co: list[tuple[EventInfo, EventInfo]]                 # (earlier, later), per location, adjacent
    unordered: list[Unordered]
    execution: object = field(default=None, repr=False)
    would: list[str] = field(default_factory=list)   # fences that, after each pair's first access, forbid it


@dataclass
class Explanation:
    test: str
    model: str
    condition: str
    observation: str               # Never / Sometimes / Always
    forbidden: bool                # the outcome (the condition's proposition) cannot happen
    groups: list[Group] = field(default_factory=list)
    witness: Optional[Witness] = None
    no_candidate: str = ""         # why no candidate execution has the outcome
    result: object = field(default=None, repr=False)   # weakmem.verdict.TestResult
    allowed: list = field(default_factory=list, repr=False)     # --show all: (Judged, outcome)
    rejected: list = field(default_factory=list, repr=False)    # --show forbidden: (Judged, failure)

    @property
    def cycles(self) -> list[list[CycleEdge]]:
        """The groups' cycles (pairs, paths), for consumers that only want
        the edges (weakmem.fix prunes its search with them)."""
        return [g.cycle for g in self.groups if g.cycle]


# ---------------------------------------------------------------------------
# events
# ---------------------------------------------------------------------------


def _label(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


class EventTable:
    """EventInfo for every event of a skeleton."""

    def __init__(self, test, sk):
        self.sk = sk
        self.infos: dict[int, EventInfo] = {}
        lines = _source_lines(test)
        k = 0
        for e in sorted(sk.events, key=lambda e: (e.tid < 0, e.tid, e.eid)):
            line, source = _source_of(test, e, lines)
            memory = bool(MEMORY_KINDS & e.kinds) and e.loc is not None
            register = any(k_.lower() in ("wreg", "rreg") for k_ in e.kinds)
            if e.tid < 0:
                label = f"init {e.loc.name}" if e.loc is not None else "init"
                self.infos[e.eid] = EventInfo(e.eid, label, None, e.poi, None, _access(e), source,
                                              memory, register)
            elif register:      # hidden unless asked: numbered apart
                self.infos[e.eid] = EventInfo(e.eid, f"r{e.eid}", e.tid, e.poi, line, _access(e), source,
                                              memory, register)
            else:
                self.infos[e.eid] = EventInfo(e.eid, _label(k), e.tid, e.poi, line, _access(e), source,
                                              memory, register)
                k += 1

    def __getitem__(self, eid: int) -> EventInfo:
        return self.infos[eid]

    def memory_set(self) -> int:
        m = 0
        for i, info in self.infos.items():
            if info.memory:
                m |= 1 << i
        return m


def _access(e) -> str:
    kinds = e.kinds
    if "R" in kinds and "W" in kinds:
        kind = "RMW"
    elif "R" in kinds:
        kind = "R"
    elif "W" in kinds:
        kind = "W"
    elif "F" in kinds:
        kind = "F"
    else:
        kind = "/".join(sorted(kinds)) or "?"
    if kind == "F":
        if e.instr and e.tid >= 0 and not _LINE.match(e.instr):
            return f"F {e.instr}"                       # assembly: the instruction
        names = sorted(e.tags) or sorted(k for k in kinds if k != "F")
        return f"F {','.join(names)}".strip()
    tags = f"[{','.join(sorted(e.tags))}]" if e.tags and e.tid >= 0 else ""
    where = e.loc.name if e.loc is not None and not e.loc.offset else (
        f"{e.loc.name}[{e.loc.offset}]" if e.loc is not None else "")
    val = ""
    if e.value is not None and e.loc is not None:
        val = f"={show_val(e.value)}" if e.rval is None else f"={show_val(e.rval)}->{show_val(e.value)}"
    return f"{kind}{tags} {where}{val}".strip()


def _source_lines(test) -> list[str]:
    try:
        return Path(test.path).read_text(errors="replace").splitlines()
    except (OSError, TypeError):
        return []


_LINE = re.compile(r"^line (\d+)$")


def _source_of(test, e, lines: list[str]) -> tuple[Optional[int], str]:
    if e.tid < 0:
        return None, e.instr
    m = _LINE.match(e.instr or "")
    if m:
        ln = int(m.group(1))
        text = lines[ln - 1].strip() if 0 < ln <= len(lines) else ""
        return ln, text
    th = test.threads[e.tid] if 0 <= e.tid < len(test.threads) else None
    code = getattr(th, "code", None)
    if code:
        # assembly: the instruction whose text the event carries, at its
        # program-order index when it is that one
        ins = code[e.poi] if 0 <= e.poi < len(code) else None
        if ins is None or _norm(ins.text) != _norm(e.instr):
            ins = next((c for c in code if _norm(c.text) == _norm(e.instr)), ins)
        if ins is not None and ins.pos is not None:
            return ins.pos.line, e.instr or ins.text
    return None, e.instr


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "").upper()


# ---------------------------------------------------------------------------
# forbidden outcomes
# ---------------------------------------------------------------------------


def build_group(test, check: str, count: int, cand, failure) -> Group:
    """The cycle (pair, member) of one failing check on one execution."""
    sk = cand.skeleton
    table = EventTable(test, sk)
    n = failure.n
    expr_text = _show(failure.expr)
    g = Group(check=check, executions=count, test=failure.test, expr=expr_text, cycle=[],
              meaning=meaning_of(check, failure), static=failure.static, execution=cand, failure=failure)
    v = failure.value
    if failure.negated:
        g.note = f"{expr_text} is empty here, and the model requires it not to be"
        return g
    unf = Unfolder(n)
    mem = table.memory_set()
    try:
        if failure.test == "acyclic":
            r = as_rel(v)
            cyc = shortest_cycle(n, r, prefer=mem)
            if not cyc:
                g.note = "no cycle found"
                return g
            g.nodes = list(cyc)
            steps: list[Step] = []
            for x, y in zip(cyc, cyc[1:] + cyc[:1]):
                steps.extend(unf.path(failure.expr, failure.scope, x, y))
            g.cycle = chain(table, steps, closed=True)
        elif failure.test == "irreflexive":
            r = as_rel(v)
            e = reflexive_point(n, r, prefer=mem)
            if e is None:
                g.note = "no reflexive pair found"
                return g
            g.nodes = [e]
            g.cycle = chain(table, unf.path(failure.expr, failure.scope, e, e), closed=True)
        else:   # empty
            if type(v) is ESet or (type(v) is not int and _is_set(v, n)):
                s = as_set(v)
                e = next(iter(R.members(s)), None)
                if e is not None:
                    g.member = table[e]
            else:
                r = as_rel(v)
                p = some_pair(n, r, prefer=mem)
                if p is None:
                    g.note = "the relation is empty"
                    return g
                a, b = p
                g.nodes = [a, b]
                g.cycle = chain(table, unf.path(failure.expr, failure.scope, a, b), closed=False)
    except CatError as ex:          # a model construct we cannot look into
        g.note = f"cannot unfold the check ({ex})"
    return g


def _is_set(v, n) -> bool:
    try:
        as_set(v)
        return True
    except CatError:
        return False


def _show(e) -> str:
    from .unfold import _text
    return _text(e) if e is not None else "?"


def chain(table: EventTable, steps: list[Step], closed: bool) -> list[CycleEdge]:
    """Group model-level steps into edges between shown events: hidden events
    (fences, branches, registers) are folded into the edge's name, e.g. two
    po steps around an `F mb` event give "po;mb;po"."""
    if not steps:
        return []
    shown = [table[s.src].memory for s in steps]
    if not any(shown):
        shown = [True] * len(steps)
    # start at a shown event (for a cycle: the first in thread/po order)
    k = len(steps)
    starts = [i for i in range(k) if shown[i]]
    if closed:
        first = min(starts, key=lambda i: (table[steps[i].src].thread is None,
                                           table[steps[i].src].thread or 0, steps[i].src))
        steps = steps[first:] + steps[:first]
        shown = shown[first:] + shown[:first]
    out: list[CycleEdge] = []
    cur: list[Step] = []
    for i, s in enumerate(steps):
        if shown[i] and cur:
            out.append(_edge(table, cur))
            cur = []
        cur.append(s)
    if cur:
        out.append(_edge(table, cur))
    return out


def _edge(table: EventTable, steps: list[Step]) -> CycleEdge:
    parts = []
    for i, s in enumerate(steps):
        if i:
            mid = _hidden_name(table[s.src])
            if mid:
                parts.append(mid)
        parts.append(s.name)
    via = _common_prefix([s.via for s in steps])
    return CycleEdge(table[steps[0].src], table[steps[-1].dst], ";".join(parts), list(steps), via)


def _hidden_name(info: EventInfo) -> str:
    """A fence inside an edge's name: its annotation in C (mb, wmb...), its
    instruction in assembly (MFENCE, DMB SY); other hidden events (register
    events, branches) are left out."""
    a = info.access
    if not a.startswith("F"):
        return ""
    return a[2:] if a.startswith("F ") else a


def _common_prefix(vs: list[tuple[str, ...]]) -> tuple[str, ...]:
    if not vs:
        return ()
    out = []
    for parts in zip(*vs):
        if all(p == parts[0] for p in parts):
            out.append(parts[0])
        else:
            break
    return tuple(out)


# ---------------------------------------------------------------------------
# allowed outcomes
# ---------------------------------------------------------------------------


def build_witness(test, cand, out, all_events: bool = False, lm=None) -> Witness:
    sk = cand.skeleton
    n = sk.n
    table = EventTable(test, sk)
    events = [table[e.eid] for e in sorted(sk.events, key=lambda e: (e.tid < 0, e.tid, e.eid))
              if all_events or table[e.eid].memory or table[e.eid].access.startswith("F")]
    rf = [(table[w], table[r]) for w, r in R.pairs(n, cand.rf)]
    co_rel = cand.env.get("co") if cand.env else None
    co: list[tuple[EventInfo, EventInfo]] = []
    if isinstance(co_rel, int) and co_rel:
        imm = co_rel & ~R.compose(n, co_rel, co_rel)
        co = [(table[a], table[b]) for a, b in R.pairs(n, imm)]
    unordered = unordered_pairs(table, sk, cand, out) if out is not None else []
    would: list[str] = []
    if unordered and lm is not None:
        from .hypo import would_forbid
        would = would_forbid(test, lm, cand, sorted({u.first.eid for u in unordered}))
        if would:
            for u in unordered:
                u.reason += f"; {would[0]} after each first access would forbid the outcome"
    return Witness(events, rf, co, unordered, cand, would)


_KIND_WORD = {"R": "load", "W": "store", "RMW": "read-modify-write"}


def unordered_pairs(table: EventTable, sk, cand, out) -> list[Unordered]:
    """Same-thread pairs of accesses to different locations, in program
    order, that the model leaves unordered and that this outcome relies on.

    The model's ordering relations are the relations of its acyclic checks
    other than coherence-shaped ones (built from po-loc and rf/co/fr only);
    a pair is ordered when one of them contains it.  The pairs this outcome
    relies on are the unordered ones on a shortest cycle of program order
    plus rf, co and fr: the cycle that makes the outcome impossible under
    sequential consistency (none when the outcome is SC)."""
    ev = getattr(out, "evaluation", None)
    if ev is None:
        return []
    n = sk.n
    po = sk.rels.get("po", 0)
    mem = table.memory_set()
    pairs = [(a, b) for a, b in R.pairs(n, po)
             if (mem >> a) & 1 and (mem >> b) & 1 and sk.events[a].loc != sk.events[b].loc]
    if not pairs:
        return []
    po_mem = 0
    for a, b in R.pairs(n, po):
        if (mem >> a) & 1 and (mem >> b) & 1:
            po_mem |= 1 << (a * n + b)
    names: list[str] = []
    ordered = 0
    for st, scope in ev.checks():
        if st.test != "acyclic" or st.neg or _coherence_shaped(st, scope):
            continue
        try:
            r = as_rel(scope.eval(st.spec.e))
        except CatError:
            continue
        if po_mem & ~r == 0:
            continue        # keeps all of program order (no thin air): says nothing about ordering
        ordered |= r
        names.append(st.name)
    if not names:
        return []
    rf = cand.rf
    co = cand.env.get("co", 0) if cand.env else 0
    co = co if isinstance(co, int) else 0
    fr = R.compose(n, R.inverse(n, rf), co)
    # (single-event RMWs read and write: their rf;fr self-loops are no order)
    cyc = shortest_cycle(n, (po_mem | rf | co | fr) & ~R.identity(n), prefer=mem)
    found: list[Unordered] = []
    rel = "/".join(names)
    for x, y in zip(cyc, cyc[1:] + cyc[:1]):
        if (x, y) in pairs and not (ordered >> (x * n + y)) & 1:
            found.append(_unordered(table[x], table[y], rel))
    return found


def _coherence_shaped(st, scope) -> bool:
    from .meaning import is_coherence
    return is_coherence(st.test, st.neg, st.spec.e, scope)


def _unordered(a: EventInfo, b: EventInfo, rel: str) -> Unordered:
    ka, kb = a.access.split(" ")[0].split("[")[0], b.access.split(" ")[0].split("[")[0]
    wa, wb = _KIND_WORD.get(ka, ka), _KIND_WORD.get(kb, kb)
    la = a.access.split(" ", 1)[1].split("=")[0] if " " in a.access else "?"
    lb = b.access.split(" ", 1)[1].split("=")[0] if " " in b.access else "?"
    head = f"{ka} {la} then {kb} {lb} on {a.thread_name}"
    reason = (f"{head}: unordered -- no barrier, dependency or annotation the model counts orders "
              f"this {wa} before the later {wb} (the pair is in none of {rel})")
    return Unordered(a, b, rel, reason)


__all__ = ["Explanation", "Group", "CycleEdge", "EventInfo", "Witness", "Unordered",
           "EventTable", "build_group", "build_witness", "chain", "unordered_pairs"]
