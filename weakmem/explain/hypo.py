"""What would forbid a witness: the same execution with a fence added after
the first access of each unordered pair, run through the model again.

The fences tried are the ones the test's own language offers:

* C: every parameterless statement macro of the test's macro table
  (`smp_mb()`, `smp_wmb()`, `smp_mb__before_rmw()`, ...), turned into the
  events the C front-end makes of it by running a one-line probe test
  (cached per model);
* assembly: the fence instructions the test itself uses.

A fence *would* forbid the outcome when the model rejects every branch of
the modified execution.  Nothing is keyed on a model or a fence name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from weakmem.cat import rel as R
from weakmem.cat.eval import EvalCache, ExecInput, evaluate
from weakmem.errors import WeakmemError

_PROBES: dict = {}          # (model id, macro table id) -> list[Fence]
MAX_FENCES = 24


@dataclass(frozen=True)
class Fence:
    name: str                      # how the user writes it: "smp_mb()", "MFENCE"
    kinds: frozenset[str]          # the event's base sets ('F', 'MFENCE', ...)
    tags: frozenset[str]           # its annotations ('mb', 'sc', ...)
    sets: frozenset[str] = frozenset()   # every engine set the event is in ('F', 'SC', ...)


def fence_candidates(test, lm, sk) -> list[Fence]:
    out: list[Fence] = []
    seen: set = set()
    if test.arch == "C" and lm.macros is not None:
        for f in _c_fences(test, lm):
            if (f.kinds, f.tags) not in seen:
                seen.add((f.kinds, f.tags))
                out.append(f)
    for e in sk.events:
        if "F" in e.kinds and e.tid >= 0 and e.loc is None and (e.kinds, e.tags) not in seen:
            seen.add((e.kinds, e.tags))
            name = e.instr if e.instr and not e.instr.startswith("line ") else f"F[{','.join(sorted(e.tags))}]"
            out.append(Fence(name, e.kinds, e.tags, _sets_of(sk, e.eid)))
    return out[:MAX_FENCES]


def _c_fences(test, lm) -> list[Fence]:
    key = (id(lm.model), id(lm.macros))
    hit = _PROBES.get(key)
    if hit is not None:
        return hit
    names = [m.name for m in lm.macros if not m.params and m.stmts is not None]   # table order
    fences = _probe(lm, names)                   # all at once: one line each
    if fences is None:                           # some macro cannot stand alone
        fences = [f for nm in names for f in (_probe(lm, [nm]) or [])]
    _PROBES[key] = fences
    return fences


def _probe(lm, names: list[str]) -> Optional[list[Fence]]:
    """The fence each macro makes: a probe test calling them one per line
    (line 5 onwards), run through the C front-end; None on an error."""
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import Options, check_test
    body = "".join(f"\t{nm}();\n" for nm in names)
    text = f"C probe\n{{}}\nP0(int *x)\n{{\n{body}}}\nexists (x=0)\n"
    events: list = []
    skel: list = []

    def see(ex, out):
        if not events:
            skel.append(ex.skeleton)
            events.extend(e for e in ex.skeleton.events if e.tid == 0)
    try:
        check_test(parse_litmus("<probe>", text), lm, Options(), observe=see)
    except (WeakmemError, RecursionError):
        return None
    by_line: dict[int, list] = {}
    for e in events:
        if e.instr.startswith("line "):
            by_line.setdefault(int(e.instr[5:]), []).append(e)
    out = []
    for i, nm in enumerate(names):
        evs = by_line.get(5 + i, [])
        if len(evs) == 1 and "F" in evs[0].kinds and evs[0].loc is None:
            out.append(Fence(f"{nm}()", evs[0].kinds, evs[0].tags, _sets_of(skel[0], evs[0].eid)))
    return out


def _sets_of(sk, eid: int) -> frozenset[str]:
    return frozenset(name for name, bits in sk.sets.items() if name != "FW" and (bits >> eid) & 1)


def with_fences(cand, after: list[int], fence: Fence) -> ExecInput:
    """The model input of `cand` (a weakmem.verdict.Judged execution) with one
    `fence` event placed right after each event of `after`, in its thread's
    program order.  The fences are events n, n+1, ...; they belong to their
    thread (int/ext like the event they follow) and to the identity-like
    relations that event is in, and to nothing else."""
    base = cand.execution.model_input()
    n = base.n
    k = len(after)
    m = n + k

    def bit(a, b):
        return 1 << (a * m + b)

    rels = {}
    for name, r in base.rels.items():
        rr = 0
        for a, b in R.pairs(n, r):
            rr |= bit(a, b)
        for i, a in enumerate(after):
            f = n + i
            if name in ("int", "ext"):          # the fence is on a's thread
                for x in range(n):
                    if (r >> (a * n + x)) & 1:
                        rr |= bit(f, x)
                    if (r >> (x * n + a)) & 1:
                        rr |= bit(x, f)
                for j, b in enumerate(after):
                    if (r >> (a * n + b)) & 1:
                        rr |= bit(f, n + j)
            elif name == "po":                  # right after a
                for x in range(n):
                    if x == a or (r >> (x * n + a)) & 1:
                        rr |= bit(x, f)
                    if (r >> (a * n + x)) & 1:
                        rr |= bit(f, x)
                for j, b in enumerate(after):
                    if j != i and (r >> (a * n + b)) & 1:
                        rr |= bit(f, n + j)
            elif name != "rf" and (r >> (a * n + a)) & 1:   # identity-like relations (id, sm, ...)
                rr |= bit(f, f)
        rels[name] = rr
    fbits = sum(1 << (n + i) for i in range(k))
    sets = dict(base.sets)
    sets["_"] = sets.get("_", (1 << n) - 1) | fbits
    for kind in fence.kinds | fence.sets:
        sets[kind] = sets.get(kind, 0) | fbits
    return ExecInput(n=m, sets=sets, rels=rels, tags=list(base.tags) + [fence.tags] * k,
                     locs=list(base.locs) + [None] * k, values=list(base.values) + [None] * k,
                     tids=list(base.tids) + [base.tids[a] for a in after],
                     dynamic=base.dynamic, static_key=None)


def would_forbid(test, lm, cand, after: list[int], limit: int = 1) -> list[str]:
    """Names of the first `limit` fences (in the macro table's order, then
    the test's own) that, placed after each event of `after`, make the model
    reject the witness execution."""
    out: list[str] = []
    if not after:
        return out
    for fence in fence_candidates(test, lm, cand.skeleton):
        if len(out) >= limit:
            break
        try:
            inp = with_fences(cand, after, fence)
            outs = list(evaluate(lm.model, inp, EvalCache()))
        except WeakmemError:
            continue
        if outs and not any(o.allowed for o in outs):
            out.append(fence.name)
    return out


__all__ = ["Fence", "fence_candidates", "with_fences", "would_forbid"]
