"""Which API a C litmus test is written in, from the names it calls.

The vocabulary of each dialect is the set of macro names of its table
(models/lkmm.def, models/qemu.def, models/xen.def) -- so adding a macro to
a table teaches detection about it -- plus the C front-end's built-ins:
the C11 functions (atomic_load_explicit...) and herd7's tagged primitives
(__load{once}, __fence{mb}...).  A name in exactly one of the Linux, QEMU
and Xen tables is *distinctive*; a name in several (smp_mb, smp_wmb,
barrier, xchg, atomic_read...) is *ambiguous* and takes its meaning from
the others around it.

Rules, in order (docs/dialects.md):

 1. distinctive names of two or more of Linux, QEMU, Xen: a mixed test,
    rejected when a macro table has to be chosen;
 2. distinctive names of one of them: that dialect (C11 functions may
    appear too: they are built in everywhere);
 3. C11 functions and no ambiguous name: C11;
    C11 functions and ambiguous names all defined by QEMU (smp_mb, smp_rmb,
    smp_wmb, barrier): QEMU, the API whose barriers are C11 fences;
    C11 functions and other ambiguous names (xchg, atomic_read...): Linux;
 4. otherwise (ambiguous names only, plain accesses, herd7 primitives with
    LKMM tags): Linux, herd7's default for C.

atomic_fetch_add and atomic_fetch_sub are both C11 functions and Linux
macros (arguments swapped): they are C11 in a test that calls other C11
functions, Linux otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from weakmem.litmus import ast as A
from weakmem.litmus.cwalk import walk
from weakmem.paths import MODELS_DIR


# the default model of each dialect (Xen code is read with the LKMM: its
# primitives are the kernel's, instruction for instruction -- docs/dialects.md)
DIALECT_MODELS = {"linux": "lkmm", "qemu": "qemu", "xen": "lkmm", "c11": "rc11"}

API_DIALECTS = ("linux", "qemu", "xen")
LABELS = {"linux": "Linux", "qemu": "QEMU", "xen": "Xen", "c11": "C11"}

C11_ORDER_TAGS = frozenset({"rlx", "acq", "rel", "acq_rel", "sc", "con"})
QEMU_TAGS = frozenset({"qemu-rbd", "qemu-rcu-read", "qemu-before-rmw", "qemu-after-rmw"})
C11_INTERNAL = frozenset({"__c11_cmpxchg", "__c11_add_unless"})


@dataclass
class Dialect:
    """The outcome of detection.  `name` is 'linux', 'qemu', 'xen', 'c11' or
    'mixed' (then `error` says why and `model` is None)."""
    name: str
    model: str | None
    evidence: dict[str, set[str]] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    error: str | None = None

    def describe(self) -> str:
        if self.error:
            return self.error
        names = sorted(self.evidence.get(self.name, set()))
        why = f" ({', '.join(names[:4])}{', ...' if len(names) > 4 else ''})" if names else ""
        return f"{LABELS[self.name]} API{why}, model {self.model}"


def _table_names(stem: str) -> frozenset[str]:
    from weakmem.litmus.macros import load_defs
    return frozenset(m.name for m in load_defs(str(MODELS_DIR / f"{stem}.def")))


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, frozenset[str]]:
    """Names per dialect: 'linux', 'qemu', 'xen' (their tables), 'c11'
    (the C11 built-ins)."""
    from weakmem.semantics.c import C11_PRIMS
    linux = _table_names("lkmm") | {"atomic_add_unless"}      # herd7's built-in
    c11 = (frozenset(C11_PRIMS) - {"atomic_add_unless"}) | C11_INTERNAL
    return {"linux": linux, "qemu": _table_names("qemu"), "xen": _table_names("xen"), "c11": c11}


@lru_cache(maxsize=1)
def _distinctive() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    voc = vocabulary()
    dist = {}
    for d in API_DIALECTS:
        others = frozenset().union(*(voc[o] for o in API_DIALECTS if o != d))
        # atomic_fetch_add/sub are C11 functions and Linux macros (with the
        # arguments the other way round): C11 next to C11-only names, Linux
        # otherwise -- never evidence on their own
        dist[d] = voc[d] - others - voc["c11"]
    amb = frozenset(n for n in frozenset().union(*(voc[d] for d in API_DIALECTS))
                    if sum(n in voc[d] for d in API_DIALECTS) > 1)
    return dist, amb


def called_names(test: A.Litmus) -> list[A.ECall]:
    """Every call in the test's C threads (macro expansion not applied)."""
    return [n for th in test.threads if isinstance(th, A.CThread) for n in walk(th.body) if isinstance(n, A.ECall)]


def _primitive_dialect(call: A.ECall) -> str:
    """herd7's tagged primitives: C11 when their tags are memory orders."""
    if call.name in C11_INTERNAL:
        return "c11"
    tags = set(call.tags)
    if tags and tags <= (C11_ORDER_TAGS | QEMU_TAGS | {"barrier"}) and not tags <= {"barrier"}:
        return "qemu" if tags & QEMU_TAGS else "c11"
    return "linux"


def detect(test: A.Litmus) -> Dialect:
    """The dialect of a C test (see the module docstring for the rules)."""
    voc = vocabulary()
    dist, amb = _distinctive()
    evidence: dict[str, set[str]] = {d: set() for d in (*API_DIALECTS, "c11")}
    ambiguous: set[str] = set()
    for call in called_names(test):
        n = call.name
        if n.startswith("__") and n not in voc["qemu"] and n not in voc["xen"] and n not in voc["linux"]:
            evidence[_primitive_dialect(call)].add(f"{n}{{{','.join(call.tags)}}}" if call.tags else n)
            continue
        for d in API_DIALECTS:
            if n in dist[d]:
                evidence[d].add(n)
        if n in amb:
            ambiguous.add(n)
        if n in voc["c11"] and n not in voc["linux"]:
            evidence["c11"].add(n)
    present = [d for d in API_DIALECTS if evidence[d]]
    evidence = {d: s for d, s in evidence.items() if s}
    if len(present) > 1:
        parts = "; ".join(f"{LABELS[d]}: {', '.join(sorted(evidence[d])[:3])}" for d in present)
        return Dialect("mixed", None, evidence, ambiguous,
                       error=f"the test mixes the {' and '.join(LABELS[d] for d in present)} APIs ({parts}); "
                             f"write it in one of them, or name a macro file with --conf")
    if present:
        name = present[0]
    elif "c11" in evidence:
        if not ambiguous:
            name = "c11"
        elif ambiguous <= voc["qemu"]:
            name = "qemu"
        else:
            name = "linux"
    else:
        name = "linux"
    return Dialect(name, DIALECT_MODELS[name], evidence, ambiguous)
