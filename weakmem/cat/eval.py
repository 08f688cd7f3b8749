"""The cat interpreter: evaluate a loaded model on one candidate execution.

    for out in evaluate(model, inp, cache):
        out.allowed, out.flags, out.failed, out.env["co"]

One `Outcome` is produced per path through the model's `with x from S`
instructions.  The model is compiled once per input signature (the names
of the engine's sets and relations, and which of them are dynamic), see
weakmem.cat.compile.  Top-level steps that do not depend on a dynamic input
are *static*: they are evaluated once per `static_key` and cached in the
`EvalCache`; what remains for each call is a short "dynamic program".

Static steps are organised in *segments* separated by static `with`
instructions (whose set does not depend on dynamic inputs): the static
values after such a `with` depend on the chosen element, so each segment's
static state is cached per (static_key, branch path).
"""
from __future__ import annotations

import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from weakmem.errors import CatError
from weakmem.limits import check

from . import compile as C
from .failure import CheckFailure, Evaluation, make_failure
from .model import Model
from .prims import Ctx, cross_factors
from .values import ESet, Proc, elements, kind, to_int


# herd7 reports a failed `undefined_unless` check as this flag, whatever
# its name.
UNDEF_FLAG = "*undef*"

# Recursive cat functions (map, cross, ...) nest several Python frames per
# cat-level call; the default limit of 1000 is too small for big sets.
if sys.getrecursionlimit() < 20000:
    sys.setrecursionlimit(20000)


@dataclass
class ExecInput:
    n: int                                   # events are 0..n-1
    sets: dict[str, int]                     # engine sets as bitsets
    rels: dict[str, int]                     # engine relations (n*n bits)
    tags: list[frozenset[str]]               # per-event annotations
    locs: list[object | None]                # per-event location key
    values: list[object | None]              # per-event value
    tids: list[int]                          # per-event thread (-1 = init)
    dynamic: frozenset[str] = frozenset({"rf", "FW"})
    static_key: object = None                # equal keys => equal static inputs


@dataclass
class Outcome:
    allowed: bool
    flags: tuple[str, ...]
    failed: Optional[str]
    env: dict[str, object] = field(default_factory=dict)
    # with evaluate(..., explain=True) only: the failing check, its value
    # and scope (weakmem.cat.failure.CheckFailure); None otherwise
    failure: Optional[CheckFailure] = None
    # with explain=True only, for allowed outcomes: the slot values, to
    # evaluate the model's checks and names on this execution
    evaluation: Optional[Evaluation] = None


class _SegState:
    """Static state of one segment for one (static_key, branch path)."""
    __slots__ = ("env", "program", "failed", "with_elems", "seg", "ctx_path",
                 "children", "dyn_slots", "fail_rec")

    def __init__(self) -> None:
        self.env: list = []
        self.program: list[C.Step] = []
        self.failed: Optional[str] = None
        # what the failure hook needs about a static failure:
        # (check step, value, slot values, locals); recorded only on failure
        self.fail_rec: Optional[tuple] = None
        self.with_elems: Optional[list] = None
        self.seg = 0
        self.ctx_path: tuple[int, ...] = ()
        self.children: dict[int, "_SegState"] = {}
        self.dyn_slots: list[int] = []


class EvalCache:
    """Per-caller cache of static evaluation results.

    Keys are (model, static_key, dynamic names); at most `max_keys` static
    keys are remembered (least recently used are dropped)."""

    def __init__(self, max_keys: int = 256):
        self.max_keys = max_keys
        self._roots: OrderedDict[Any, tuple[C.Program, _SegState]] = OrderedDict()
        self._shapes: OrderedDict[Any, tuple[C.Program, _SegState]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self._roots.clear()
        self._shapes.clear()

    def __len__(self) -> int:
        return len(self._roots)

    def root(self, model: Model, inp: ExecInput, share: bool = True) -> tuple[C.Program, _SegState]:
        """The program and static state for `inp`.  With `share`, event
        structures that differ only in their event values share one static
        state as long as nothing in it read the values (the values are
        rebound on the shared context before it is returned): skeletons
        that differ only in the values their reads return are common."""
        key = (model, inp.static_key, inp.dynamic)
        hit = self._roots.get(key) if inp.static_key is not None else None
        if hit is not None and _same_static(hit[0], hit[1], inp):
            self._roots.move_to_end(key)
            self.hits += 1
            return hit
        prog = model.program(frozenset(inp.sets), frozenset(inp.rels),
                             frozenset(inp.dynamic))
        skey = None
        if share and inp.static_key is not None:
            skey = _shape_key(model, prog, inp)
            sh = self._shapes.get(skey)
            if sh is not None:
                ctx = sh[1].env[0]
                if not ctx.values_read and _same_static(sh[0], sh[1], inp, values=False):
                    ctx.rebind_values(inp.values)
                    self._roots[key] = sh
                    self.hits += 1
                    return sh
        self.misses += 1
        state = _build_root(prog, inp)
        if inp.static_key is not None:
            self._roots[key] = (prog, state)
            while len(self._roots) > self.max_keys:
                self._roots.popitem(last=False)
            if skey is not None:
                self._shapes[skey] = (prog, state)
                while len(self._shapes) > self.max_keys:
                    self._shapes.popitem(last=False)
        return prog, state


def _same_static(prog: C.Program, state: "_SegState", inp: ExecInput, values: bool = True) -> bool:
    """Guard against static_key collisions (e.g. a reused id()): the cached
    static inputs must equal the new ones (event values too, unless
    `values` is False)."""
    ctx = state.env[0]
    if ctx.n != inp.n or ctx.tags != inp.tags or ctx.locs != inp.locs or ctx.tids != inp.tids \
            or (values and ctx.values != inp.values):
        return False
    env = state.env
    sets, rels = inp.sets, inp.rels
    for s, name, k, static in prog.inputs:
        if static:
            v = sets.get(name) if k == "set" else rels.get(name)
            if v is None or v != env[s]:
                return False
    return True


def _shape_key(model: Model, prog: C.Program, inp: ExecInput) -> tuple:
    """What the static state depends on, event values aside."""
    static = tuple((name, inp.sets[name] if k == "set" else inp.rels[name])
                   for _, name, k, st in prog.inputs if st and name in (inp.sets if k == "set" else inp.rels))
    return (id(model), inp.dynamic, inp.n, tuple(inp.tags), tuple(inp.locs), tuple(inp.tids), static)


# ---------------------------------------------------------------------------
# step execution
# ---------------------------------------------------------------------------


def _with_pos(e: CatError | RecursionError, st: C.Step) -> CatError:
    if isinstance(e, RecursionError):      # a recursive cat function that does not stop
        e = CatError("recursion too deep (a recursive function of the model that does not terminate?)")
    if e.pos is None:
        e.pos = st.pos
    return e


# The failure hook.  Every function below that runs checks takes `rec`: None
# (the default: nothing is recorded, nothing costs), or a list to which a
# failing check appends (step, value, slot values, locals) just before its
# name is returned; weakmem.cat.failure turns that into a CheckFailure.

def _exec_check(st: C.SCheck, vals: list, loc, flags: list,
                rec: Optional[list] = None) -> Optional[str]:
    if st.ckind == "skipped":
        return None
    v = st.code(vals, loc)
    ok = C.run_test(vals[0], st.test, v)
    if st.neg:
        ok = not ok
    k = st.ckind
    if k == "flag":
        if ok:
            flags.append(st.name)
        return None
    if k == "undefined":
        if not ok:
            flags.append(UNDEF_FLAG)
        return None
    if ok:
        return None
    if rec is not None:
        rec.append((st, v, vals, loc))
    return st.name


def _exec_local(steps: list[C.Step], vals: list, loc: dict, flags: list,
                rec: Optional[list] = None) -> Optional[str]:
    """Run a procedure / forall body; returns the failing check's name."""
    for st in steps:
        try:
            if isinstance(st, C.SLocalLet):
                loc = dict(loc)
                for names, is_tuple, code in st.binds:
                    C.bind_pattern(loc, names, is_tuple, code(vals, loc))
            elif isinstance(st, C.SCheck):
                f = _exec_check(st, vals, loc, flags, rec)
                if f is not None:
                    return f
            elif isinstance(st, C.SRec):
                loc = dict(loc)
                C.local_rec(vals, loc, st.funs, st.fixs, st.pos)
                if st.when is not None:
                    f = _exec_check(st.when, vals, loc, flags, rec)
                    if f is not None:
                        return f
            elif isinstance(st, C.SCall):
                f = _exec_call(st, vals, loc, flags, rec)
                if f is not None:
                    return f
            elif isinstance(st, C.SForall):
                f = _exec_forall(st, vals, loc, flags, rec)
                if f is not None:
                    return f
            elif isinstance(st, C.SBranch):
                i = st.select(vals, loc)
                if 0 <= i < len(st.branches):
                    f = _exec_local(st.branches[i], vals, loc, flags, rec)
                    if f is not None:
                        return f
        except (CatError, RecursionError) as e:
            raise _with_pos(e, st)
    return None


def _exec_call(st: C.SCall, vals: list, loc, flags: list,
               rec: Optional[list] = None) -> Optional[str]:
    p = st.proc(vals, loc)
    if type(p) is not Proc:
        raise CatError(f"call: a procedure is expected, found a {kind(p)}", st.pos)
    arg = st.arg(vals, loc)
    ploc = dict(p.loc) if p.loc else {}
    C.bind_pattern(ploc, p.names, p.is_tuple, arg)
    inner: list[str] = []
    f = _exec_local(p.body, p.vals, ploc, inner, rec)
    flags.extend(inner)
    if f is not None:
        return st.as_name or f
    return None


def _exec_forall(st: C.SForall, vals: list, loc, flags: list,
                 rec: Optional[list] = None) -> Optional[str]:
    s = st.code(vals, loc)
    base = dict(loc) if loc else {}
    for x in elements(vals[0].n, s):
        check()
        l2 = dict(base)
        l2[st.var] = x
        f = _exec_local(st.body, vals, l2, flags, rec)
        if f is not None:
            return f
    return None


def _exec_top(st: C.Step, vals: list, flags: list,
              rec: Optional[list] = None) -> Optional[str]:
    """Execute one non-`with` top-level step in place."""
    if isinstance(st, C.SLet):
        v = st.code(vals, None)
        slots = st.slots
        if not st.is_tuple:
            if slots[0] is not None:
                vals[slots[0]] = v
        else:
            if type(v) is not tuple or len(v) != len(slots):
                raise CatError(f"cannot match a {kind(v)} against a "
                               f"{len(slots)}-tuple pattern", st.pos)
            for s, x in zip(slots, v):
                if s is not None:
                    vals[s] = x
        return None
    if isinstance(st, C.SCheck):
        return _exec_check(st, vals, None, flags, rec)
    if isinstance(st, C.SRec):
        C.top_rec(vals, st)
        if st.when is not None:
            return _exec_check(st.when, vals, None, flags, rec)
        return None
    if isinstance(st, C.SCall):
        return _exec_call(st, vals, None, flags, rec)
    if isinstance(st, C.SForall):
        return _exec_forall(st, vals, None, flags, rec)
    if isinstance(st, C.SBranch):
        i = st.select(vals, None)
        if 0 <= i < len(st.branches):
            for sub in st.branches[i]:
                f = _exec_top(sub, vals, flags, rec)
                if f is not None:
                    return f
        return None
    if isinstance(st, C.SMark):
        if st.kind == C.MARK_FLAG:
            flags.extend(st.names)
            return None
        if st.kind == C.MARK_FAIL:
            return st.names[0]
    raise CatError("internal error: unexpected step", st.pos)


# ---------------------------------------------------------------------------
# static phase
# ---------------------------------------------------------------------------


def _build_root(prog: C.Program, inp: ExecInput) -> _SegState:
    ctx = Ctx(inp.n, inp.tags, inp.locs, inp.values, inp.tids)
    env: list = [None] * prog.nslots
    env[0] = ctx
    for s, name, k, static in prog.inputs:
        if static:
            env[s] = _input_value(inp, name, k)
    for s, tag in prog.tagsets:
        env[s] = ctx.tagset(tag)
    return _build_segment(prog, 0, env, ())


def _input_value(inp: ExecInput, name: str, k: str) -> Any:
    if k == "set":
        return ESet(inp.sets[name])
    return inp.rels[name]


def _build_segment(prog: C.Program, seg: int, env: list,
                   path: tuple[int, ...]) -> _SegState:
    start, stop, with_idx, dyn_before = prog.segments[seg]
    state = _SegState()
    state.env = env
    state.seg = seg
    state.ctx_path = path
    state.dyn_slots = dyn_before
    steps = prog.steps
    program: list[C.Step] = []
    for i in range(start, stop):
        st = steps[i]
        if not st.static:
            if st.live:
                program.append(st)
            continue
        fl: list[str] = []
        rec: list = []       # static phase: always recorded (once per key, on failure only)
        try:
            f = _exec_top(st, env, fl, rec)
        except (CatError, RecursionError) as e:
            raise _with_pos(e, st)
        if fl:
            program.append(C.SMark(C.MARK_FLAG, fl, st.pos))
        if f is not None:
            state.failed = f
            state.fail_rec = rec[-1] if rec else None
            state.program = [C.SMark(C.MARK_FAIL, [f], st.pos)]
            return state
    if with_idx is not None:
        wst = steps[with_idx]
        assert isinstance(wst, C.SWith)
        try:
            s = wst.code(env, None)
            state.with_elems = list(elements(env[0].n, s))
        except (CatError, RecursionError) as e:
            raise _with_pos(e, wst)
        program.append(C.SMark(C.SWITCH, [], wst.pos))
    state.program = program
    return state


def _child(prog: C.Program, state: _SegState, b: int) -> _SegState:
    ch = state.children.get(b)
    if ch is None:
        _, _, with_idx, _ = prog.segments[state.seg]
        assert with_idx is not None and state.with_elems is not None
        env = list(state.env)
        wst = prog.steps[with_idx]
        assert isinstance(wst, C.SWith)
        env[wst.slot] = state.with_elems[b]
        ch = _build_segment(prog, state.seg + 1, env, state.ctx_path + (b,))
        state.children[b] = ch
    return ch


# ---------------------------------------------------------------------------
# dynamic phase
# ---------------------------------------------------------------------------


def _env_of(prog: C.Program, vals: list) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, s in prog.env_slots.items():
        v = vals[s]
        iv = to_int(v) if v is not None else None
        if iv is not None:
            out[name] = iv
    return out


def _static_failure(prog: C.Program, state: _SegState, vals: list,
                    rec: Optional[list]) -> tuple[dict, Optional[CheckFailure]]:
    """env and failure of an Outcome for a segment that failed statically:
    nothing without the hook (as before), else the environment with the
    dynamic inputs in place, and the failure seen on the static values."""
    if rec is None:
        return {}, None
    v2 = list(state.env)
    for s in state.dyn_slots:
        v2[s] = vals[s]
    fail = None
    if state.fail_rec is not None:
        st, value, _, loc = state.fail_rec
        fail = make_failure(prog, state.failed or st.name, (st, value, v2, loc), True)
    return _env_of(prog, v2), fail


def _run(prog: C.Program, state: _SegState, program: list[C.Step], i: int,
         vals: list, flags: list, rec: Optional[list] = None, pr: Optional[tuple] = None) -> Iterator[Outcome]:
    n = len(program)
    while i < n:
        st = program[i]
        try:
            if isinstance(st, C.SLet):
                slots = st.slots
                if not st.is_tuple and slots[0] is not None:
                    vals[slots[0]] = st.code(vals, None)
                else:
                    _exec_top(st, vals, flags, rec)
            elif isinstance(st, C.SWith):
                s = st.code(vals, None)
                slot = st.slot
                elems = None
                if pr is not None:
                    # chosen factor by factor, refuted parts dropped (weakmem.cat.partial)
                    facs = cross_factors(s)
                    if facs is not None and len(facs) > 1:
                        elems = pr[0].with_elements(prog, pr[1], state, program, i, vals, facs)
                if elems is None:
                    elems = list(elements(vals[0].n, s))
                for x in elems:
                    check()
                    v2 = list(vals)
                    v2[slot] = x
                    yield from _run(prog, state, program, i + 1, v2, list(flags), rec, pr)
                return
            elif isinstance(st, C.SMark) and st.kind == C.SWITCH:
                elems = state.with_elems or []
                for b in range(len(elems)):
                    ch = _child(prog, state, b)
                    if ch.failed is not None:
                        if rec is None:
                            yield Outcome(False, tuple(flags), ch.failed, _env_of(prog, vals))
                        else:
                            env, fail = _static_failure(prog, ch, vals, rec)
                            yield Outcome(False, tuple(flags), ch.failed, env, fail)
                        continue
                    v2 = list(ch.env)
                    for s in ch.dyn_slots:
                        v2[s] = vals[s]
                    yield from _run(prog, ch, ch.program, 0, v2, list(flags), rec, pr)
                return
            else:
                f = _exec_top(st, vals, flags, rec)
                if f is not None:
                    fail = None
                    if rec:
                        fail = make_failure(prog, f, rec[-1], False)
                        rec.clear()
                    yield Outcome(False, tuple(flags), f, _env_of(prog, vals), fail)
                    return
        except (CatError, RecursionError) as e:
            raise _with_pos(e, st)
        i += 1
    yield Outcome(True, tuple(flags), None, _env_of(prog, vals),
                  evaluation=Evaluation(prog, vals) if rec is not None else None)


def evaluate(model: Model, inp: ExecInput, cache: Optional[EvalCache] = None,
             explain: bool = False, refuter=None) -> Iterator[Outcome]:
    """Evaluate `model` on `inp`; one Outcome per `with` branch.

    With a `refuter` (weakmem.cat.partial.Refuter), a `with x from
    cross(...)` is enumerated factor by factor and the branches the model
    is sure to reject are skipped: only rejecting Outcomes are lost.

    With `explain=True`, every rejecting Outcome carries `failure`, a
    weakmem.cat.failure.CheckFailure (the failing check's AST, value and
    scope), and a check that failed in the static phase also gets its
    `env`; without it nothing of that is computed.

    Raises CatError (with a file:line:col position) for model errors such as
    unbound names or ill-typed operations."""
    if cache is None:
        cache = EvalCache()
    prog, root = cache.root(model, inp, share=not explain)
    rec: Optional[list] = [] if explain else None
    if root.failed is not None and not explain:
        yield Outcome(False, (), root.failed, {})
        return
    vals = list(root.env)
    for s, name, k, static in prog.inputs:
        if not static:
            try:
                vals[s] = _input_value(inp, name, k)
            except KeyError:
                raise CatError(f"unbound var: {name}") from None
    if root.failed is not None:
        env, fail = _static_failure(prog, root, vals, rec)
        yield Outcome(False, (), root.failed, env, fail)
        return
    yield from _run(prog, root, root.program, 0, vals, [], rec,
                    (refuter, root) if refuter is not None and not explain else None)


def check_model(model: Model, inp: ExecInput, cache: Optional[EvalCache] = None) -> bool:
    """True if some branch of the model allows the execution."""
    return any(o.allowed for o in evaluate(model, inp, cache))


__all__ = ["ExecInput", "Outcome", "EvalCache", "evaluate", "check_model",
           "UNDEF_FLAG", "CheckFailure"]
