"""Check one litmus test: parse -> semantics -> explore -> model -> verdict."""
from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from weakmem.cat import rel as R
from weakmem.errors import LitmusError, Pos, Timeout, WeakmemError
from weakmem.explore.domain import compute_domains
from weakmem.explore.engine import (Candidate, Deadline, build_skeleton, combos, read_candidates,
                                    thin_air_solvable, undetermined)
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.verdict import (TestResult, condition_str, holds, holds3, observed_terms, prop_terms, term_loc, term_str,
                             term_value)
from weakmem.semantics.events import Unknown, show_val

MODELS_DIR = Path(__file__).parent / "models"
_SKELETON_IDS = itertools.count()
DYNAMIC = frozenset({"rf", "FW"})    # what changes between model runs on one skeleton

# herd7's default model per architecture (looked up in -I directories only)
HERD_DEFAULT_CATS = {"X86": "x86tso.cat", "X86_64": "x86tso-mixed.cat", "AArch64": "aarch64.cat",
                     "ARM": "arm.cat", "AArch32": "arm.cat", "PPC": "ppc.cat", "RISCV": "riscv.cat"}   # stable keys for the cat evaluator's static cache

# the model used when none is named, per architecture
DEFAULT_MODELS = {"C": "lkmm", "X86": "x86-tso", "X86_64": "x86-tso", "AArch64": "aarch64",
                  "ARM": "armv7", "AArch32": "armv7", "PPC": "power", "RISCV": "riscv", "LISA": "lkmm"}


@dataclass
class Options:
    model: str | None = None
    conf: str | None = None
    includes: list[str] = field(default_factory=list)
    unroll: int = 2
    timeout: float | None = None
    variants: set[str] = field(default_factory=set)
    optace: bool = True
    hexa: bool = False


@dataclass
class LoadedModel:
    name: str
    model: object
    macros: object | None
    hexa: bool = False


class ModelCache:
    """Models and macro tables are loaded once per run."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, opts: Options, arch: str, test: A.Litmus | None = None) -> LoadedModel:
        """The model for `arch`; given the test, a C test's dialect (the API
        it calls: weakmem.dialects) picks the macro table and, when no model
        is named, the model."""
        dialect = None
        if arch == "C" and test is not None:
            from weakmem.dialects import detect
            dialect = detect(test)
        key = (opts.model, opts.conf, tuple(opts.includes), tuple(sorted(opts.variants)), arch,
               dialect.name if dialect is not None else None)
        lm = self._cache.get(key)
        if lm is None:
            lm = load_model_for(opts, arch, dialect)
            self._cache[key] = lm
        return lm


def _find(name: str, dirs: list[str]) -> str | None:
    if os.path.isabs(name) or os.path.exists(name):
        return name if os.path.exists(name) else None
    for d in dirs:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def builtin_models() -> list[str]:
    """Names `--model` accepts without a path (pieces of models excluded)."""
    from weakmem.models_info import builtin_model_infos
    return [i.name for i in builtin_model_infos()]


def load_model_for(opts: Options, arch: str, dialect=None) -> LoadedModel:
    """Load the model (and, for C, the macro table) for `arch`.

    `dialect` (weakmem.dialects.Dialect, from the test) applies to C tests:
    with no --model/--conf it names the model (QEMU code: qemu, C11: rc11,
    Linux and Xen: lkmm), and unless a user configuration names a `macros`
    file it picks the table that turns the test's API into the events of
    the model's family (docs/dialects.md).  Without it, C tests get the
    LKMM's table, as before."""
    from weakmem.cat.model import load_cfg, load_model
    from weakmem.litmus.macros import load_defs

    search = list(opts.includes)
    variants = set(opts.variants)
    model_file = bell = macros = None
    hexa = opts.hexa
    name = opts.model
    conf = opts.conf
    builtin_cfg = False          # the configuration is a built-in model's, not the user's
    if arch != "C":
        dialect = None
    default_name = DEFAULT_MODELS.get(arch)
    if dialect is not None and dialect.model is not None:
        default_name = dialect.model
    if conf is None and name is None and arch in HERD_DEFAULT_CATS:
        # herd7's library on the include path and no model named: herd7's own
        # default model for the architecture, as herd7 would pick it
        found = _find(HERD_DEFAULT_CATS[arch], search)
        if found is not None:
            name = found
            default_name = os.path.basename(found)
    if conf is None and name is None:
        name = default_name
        if name is None:
            raise WeakmemError(f"no default model for architecture {arch}; name one with --model")
    if conf is None and name is not None and not name.endswith(".cat") and not name.endswith(".cfg"):
        # a built-in model: its .cfg if it has one, else its .cat
        cfg = MODELS_DIR / f"{name}.cfg"
        cat = MODELS_DIR / f"{name}.cat"
        if cfg.exists():
            conf = str(cfg)
            name = None
            builtin_cfg = True
        elif cat.exists():
            name = str(cat)
        else:
            raise WeakmemError(f"unknown model '{name}' (built-in models: {', '.join(builtin_models())})")
    if name is not None and name.endswith(".cfg"):
        conf, name = name, None
    if conf is not None:
        cpath = _find(conf, search)
        if cpath is None:
            raise WeakmemError(f"cannot find configuration file {conf}")
        cfg = load_cfg(cpath)
        cdir = os.path.dirname(os.path.abspath(cpath))
        search = search + [cdir]
        model_file = cfg.model
        bell = cfg.bell
        macros = cfg.macros
        variants |= set(cfg.variants)
        if getattr(cfg, "options", {}).get("hexa") == "true":
            hexa = True
    if name is not None:
        model_file = name
    if model_file is None:
        raise WeakmemError("no model given (the configuration names none)")
    mpath = _find(model_file, search + [str(MODELS_DIR)])
    if mpath is None:
        mpath = model_file  # let load_model search its library
    bpath = _find(bell, search + [str(MODELS_DIR)]) if bell else None
    model = load_model(mpath, search_path=search, variants=variants, bell=bpath or bell)
    table = None
    if arch == "C":
        if dialect is not None and (macros is None or builtin_cfg):
            from weakmem.dialects import model_family, table_path
            if dialect.error:
                raise LitmusError(dialect.error, None)
            fam = model_family(opts.model) or model_family(model_file) or model_family(opts.conf)
            tpath = table_path(dialect.name, fam)
            macros = str(tpath) if tpath is not None else None
        elif macros is None:
            macros = str(MODELS_DIR / "lkmm.def") if (MODELS_DIR / "lkmm.def").exists() else None
        if macros is not None:
            dpath = _find(macros, search + [str(MODELS_DIR)])
            if dpath is None:
                raise WeakmemError(f"cannot find macro file {macros}")
            table = load_defs(dpath)
    label = opts.model or opts.conf or default_name or "?"
    return LoadedModel(os.path.basename(str(label)), model, table, hexa)


def init_values(test: A.Litmus) -> dict[SymVal, object]:
    init: dict[SymVal, object] = {}
    for it in test.init:
        if isinstance(it.target, A.LocTerm):
            v = it.value
            val = 0 if v is None else (v.value if isinstance(v, A.IntVal) else v)
            base = SymVal(it.target.name, it.target.index or 0)
            if it.size:
                for k in range(it.size):
                    init.setdefault(SymVal(it.target.name, k), 0)
            if isinstance(v, A.ArrayVal):
                # `int64_t t[2] = {1,-1}`: one initial value per cell
                for k, item in enumerate(v.values):
                    init[SymVal(it.target.name, base.offset + k)] = \
                        item.value if isinstance(item, A.IntVal) else item
            else:
                init[base] = val
    return init


def check_test(test: A.Litmus, lm: LoadedModel, opts: Options) -> TestResult:
    from weakmem.cat.eval import EvalCache, ExecInput, evaluate
    from weakmem.semantics.frontends import frontend_for

    t0 = time.monotonic()
    name = test.name[:-len(".litmus")] if test.name.endswith(".litmus") else test.name   # as herd7 prints it
    res = TestResult(name, test.path, lm.name)
    if test.condition is None:
        raise LitmusError("the test has no final condition", Pos(test.path))
    res.quantifier = test.condition.quantifier
    res.condition_text = condition_str(test.condition, lm.hexa)
    res.results_comment = list(test.results)
    deadline = Deadline(opts.timeout)
    try:
        fe = frontend_for(test, lm.macros, opts.unroll)
        fe_check = getattr(fe, "check_annotations", None)   # per-instruction bell check (LISA)
        if fe_check is not None:
            fe_check(lm.model)
        # assembly front-ends spell the condition as herd7 does (canonical registers, typed constants)
        arrays = {it.target.name: it.size for it in test.init
                  if isinstance(it.target, A.LocTerm) and it.size and it.size > 1}
        res.condition_text = condition_str(test.condition, lm.hexa, arrays)
        init = init_values(test)
        for name in sorted(fe.shared):
            init.setdefault(SymVal(name), 0)
        terms = observed_terms(test)
        def cells(ts):
            out = []
            for t in ts:
                if not isinstance(t, A.LocTerm):
                    continue
                if t.index is None and t.name in arrays:
                    out.extend(SymVal(t.name, k) for k in range(arrays[t.name]))
                else:
                    out.append(term_loc(t))
            return out

        cond_terms = prop_terms(test.condition.prop)
        obs_locs = cells(terms)
        filt_locs = cells(prop_terms(test.filter)) + cells(cond_terms)
        for l in obs_locs + filt_locs:
            init.setdefault(l, 0)
        fw_locs = sorted(set(obs_locs) | set(filt_locs), key=lambda s: (s.name, s.offset))

        _, traces = compute_domains(len(test.threads), lambda t, dom, allb: fe.traces(t, dom, allb), init, test.path,
                                    deadline.check_now)
        model = lm.model
        norm_mem = getattr(fe, "normalize_mem", None)
        cache = EvalCache()
        check_ann = None if fe_check is not None else getattr(model, "check_annotation", None)
        checked_traces: set[int] = set()
        for combo in combos(traces, init, deadline, filter_pruner(test.filter)):
            if check_ann is not None:
                for tr in combo:
                    if id(tr) in checked_traces:
                        continue
                    checked_traces.add(id(tr))
                    for pe in tr.events:
                        if not pe.tags:
                            continue
                        for kind in ("R", "W", "F"):
                            if kind in pe.kinds:
                                msg = check_ann(kind, pe.tags)
                                if msg:
                                    raise LitmusError(
                                        f"annotation error, event {kind.lower()}[{','.join(sorted(pe.tags))}] "
                                        f"{msg}", Pos(test.path))
            sk = build_skeleton(combo, init, set(fw_locs))
            cands = read_candidates(sk, combo, opts.optace)
            if cands is None:
                continue
            n = sk.n
            dep_rows = [0] * n
            for (i, j) in R.pairs(n, sk.rels["addr"] | sk.rels["data"]):
                dep_rows[i] |= 1 << j
            # final-write choices for observed locations
            fw_choices = []
            for l in fw_locs:
                ws = [e.eid for e in sk.events if e.loc == l and e.tid >= 0 and "W" in e.kinds]
                if opts.optace:
                    # a write po-before another write to l cannot be last in a coherent co
                    ws = [w for w in ws if not any(
                        e2.tid == sk.events[w].tid and e2.eid > w and e2.loc == l and "W" in e2.kinds
                        for e2 in sk.events)]
                if not ws:
                    ws = [e.eid for e in sk.events if e.loc == l and e.tid < 0]
                fw_choices.append(ws)
            static_key = next(_SKELETON_IDS)
            # per-event facts handed to the model: the same for every rf of this skeleton
            ev_tags = [e.tags for e in sk.events]
            ev_locs = [e.loc for e in sk.events]
            ev_values = [e.value for e in sk.events]
            ev_tids = [e.tid for e in sk.events]
            seen_thin_air: set = set()
            reads = [r for r, _ in cands]
            exclusive = rmw_reads(sk) if opts.optace else set()
            for choice in rf_choices(cands, exclusive):
                deadline.check()
                rf_pairs = list(zip(choice, reads))
                regs, mem_override = sk.final_regs, None
                und = undetermined(n, rf_pairs, dep_rows)
                if und and not thin_air_solvable(sk, rf_pairs, dep_rows):
                    continue
                if und:
                    # thin-air candidate: one execution per rf and control path,
                    # whatever concrete value the cycle was given
                    key = (thin_air_key(sk, und), tuple(rf_pairs))
                    if key in seen_thin_air:
                        continue
                    seen_thin_air.add(key)
                    regs, mem_override = unknown_values(sk, combo, und, n, rf_pairs, dep_rows)
                rf = 0
                for w, r in rf_pairs:
                    rf |= 1 << (w * n + r)
                for fws in itertools.product(*fw_choices):
                    fw = 0
                    for w in fws:
                        fw |= 1 << w
                    res.candidates += 1
                    mem = {l: (mem_override.get(w, sk.events[w].value) if mem_override else sk.events[w].value)
                           for l, w in zip(fw_locs, fws)}
                    if norm_mem is not None:      # typed locations (assembly tests)
                        mem = {l: norm_mem(l, v) for l, v in mem.items()}
                    if test.filter is not None and not holds(test.filter, regs, mem, arrays):
                        continue   # herd7 applies the filter before the model
                    sets = dict(sk.sets)
                    sets["FW"] = fw
                    rels = dict(sk.rels)
                    rels["rf"] = rf
                    inp = ExecInput(n=n, sets=sets, rels=rels, tags=ev_tags, locs=ev_locs, values=ev_values,
                                    tids=ev_tids, dynamic=DYNAMIC, static_key=static_key)
                    sat = holds(test.condition.prop, regs, mem, arrays)
                    for out in evaluate(model, inp, cache):
                        deadline.check()          # one outcome per co (with-)branch
                        if not out.allowed:
                            if sat:        # why the wanted outcome is impossible
                                why = out.failed or "?"
                                res.forbidden_by[why] = res.forbidden_by.get(why, 0) + 1
                                if res.blocked is None:
                                    res.blocked = Candidate(sk, rf, fw, regs, mem, out.env, why)
                            continue
                        state = tuple((term_str(t, arrays), show_val(term_value(t, regs, mem, arrays), lm.hexa))
                                      for t in terms)
                        res.states[state] = res.states.get(state, 0) + 1
                        if sat:
                            res.pos += 1
                            if res.witness is None:
                                res.witness = Candidate(sk, rf, fw, regs, mem, out.env)
                        else:
                            res.neg += 1
                            if res.counterexample is None:
                                res.counterexample = Candidate(sk, rf, fw, regs, mem, out.env)
                        res.flags.update(out.flags)
    except Timeout:
        res.undetermined = f"timeout after {opts.timeout:g} s"
    res.seconds = time.monotonic() - t0
    return res


def filter_pruner(filt):
    """A test's `filter` as a pruner of partial trace choices: reject a prefix
    as soon as the registers of the threads chosen so far make it false."""
    if filt is None:
        return None

    def prune(partial) -> bool:
        regs0 = {(tr.tid, k): v for tr in partial for k, v in tr.regs.items()}
        return holds3(filt, regs0, {tr.tid for tr in partial}) is not False
    return prune


def thin_air_key(sk, und: int) -> tuple:
    """The candidate with the values of undetermined events blotted out."""
    return tuple((e.tid, e.poi, e.kinds, e.loc, e.tags, None if (und >> e.eid) & 1 else (e.value, e.rval))
                 for e in sk.events)


def unknown_values(sk, combo, und: int, n: int, rf_pairs, dep_rows):
    """Final register values and written values that depend on a cycle
    become Unknown symbols, one per strongly connected cycle."""
    rows = list(dep_rows)
    for w, r in rf_pairs:
        rows[w] |= 1 << r
    closure = R.rows(n, R.tclosure(n, R.from_rows(n, rows)))
    cyc = [v for v in range(n) if (closure[v] >> v) & 1]
    rep = {v: min(u for u in cyc if (closure[v] >> u) & 1 and (closure[u] >> v) & 1) for v in cyc}

    def sym_for(e: int):
        reps = [rep[c] for c in cyc if c == e or (closure[c] >> e) & 1]
        return Unknown(f"S{min(reps)}") if reps else None

    regs = dict(sk.final_regs)
    base = sk.base
    for tr, b in zip(combo, base):
        for reg, deps in tr.regdeps.items():
            syms = [sym_for(b + i) for i in deps if (und >> (b + i)) & 1]
            syms = [x for x in syms if x is not None]
            if syms:
                regs[(tr.tid, reg)] = min(syms, key=lambda u: u.name)
    mem = {}
    for e in R.members(und):
        x = sym_for(e)
        if x is not None:
            mem[e] = x
    return regs, mem


def rmw_reads(sk) -> set[int]:
    """Reads of successful atomic read-modify-writes (the read half of an
    rmw pair, or a single-event RMW)."""
    n = sk.n
    out = {r for r, _ in R.pairs(n, sk.rels["rmw"])}
    out |= {e.eid for e in sk.events if "R" in e.kinds and "W" in e.kinds}
    return out


def rf_choices(cands, exclusive: set[int]):
    """Every rf map (one source per read).  Two successful RMWs never read
    from the same write: atomicity (`empty rmw & (fre; coe)`) would forbid
    it in any model that has it, so with optace such maps are skipped."""
    if not exclusive:
        yield from itertools.product(*[c for _, c in cands])
        return
    k = len(cands)
    choice = [0] * k
    taken: dict[int, int] = {}

    def rec(i):
        if i == k:
            yield tuple(choice)
            return
        r, ws = cands[i]
        ex = r in exclusive
        for w in ws:
            if ex:
                if taken.get(w):
                    continue
                taken[w] = 1
            choice[i] = w
            yield from rec(i + 1)
            if ex:
                taken[w] = 0

    yield from rec(0)
