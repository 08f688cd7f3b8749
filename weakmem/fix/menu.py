"""What `weakmem fix` may change, per API: the barriers it may insert in a
gap between two accesses, and the stronger forms of an access or RMW.

Each entry carries a *strength*: the set of orderings it provides, as
tokens (`rr rw wr ww` = orders earlier reads/writes before later
reads/writes at a barrier; `sc` = a full/SC fence; `acq`, `rel` = acquire
and release on an access; `mb` = a full barrier attached to an access).  At
one position, an entry whose strength contains another's is at least as
strong: the search uses this (and nothing else) to skip sets that are
weaker than one already seen to fail.  The final word on every proposal is
the engine's, on every requested model and CPU.

Menus by API (docs/fix.md):

* QEMU (include/qemu/atomic.h): smp_mb, smp_wmb, smp_rmb between accesses;
  smp_mb__before_rmw / smp_mb__after_rmw next to an RMW; qatomic_read ->
  qatomic_load_acquire; qatomic_set -> qatomic_store_release,
  qatomic_set_mb.  smp_mb_release / smp_mb_acquire are QEMU's other names
  of smp_wmb / smp_rmb (atomic.h defines the latter as the former); the
  menu offers one name per barrier.
* Linux: smp_mb, smp_wmb, smp_rmb; smp_mb__before_atomic / after_atomic
  next to an RMW; READ_ONCE -> smp_load_acquire, WRITE_ONCE ->
  smp_store_release, atomic_read/atomic_set -> _acquire/_release forms;
  RMWs: _relaxed -> _acquire, _release, fully ordered.
* Xen: smp_mb, smp_wmb, smp_rmb, smp_mb__before_atomic / after_atomic.
* C11: atomic_thread_fence(seq_cst / acq_rel / acquire / release) and
  stronger memory_order arguments.
"""
from __future__ import annotations

from dataclasses import dataclass

FULL = frozenset({"rr", "rw", "wr", "ww", "sc"})


@dataclass(frozen=True)
class Barrier:
    name: str                 # the API name, e.g. smp_mb
    stmt: str                 # the statement inserted, e.g. "smp_mb();"
    strength: frozenset
    needs: str | None = None  # "after_rmw": previous access an RMW; "before_rmw": next access an RMW


def _b(name, strength, needs=None, stmt=None):
    return Barrier(name, stmt or f"{name}();", frozenset(strength), needs)


BARRIERS: dict[str, list[Barrier]] = {
    "qemu": [
        _b("smp_wmb", {"rw", "ww"}),          # release fence
        _b("smp_rmb", {"rr", "rw"}),          # acquire fence
        _b("smp_mb__after_rmw", FULL, "after_rmw"),
        _b("smp_mb__before_rmw", FULL, "before_rmw"),
        _b("smp_mb", FULL),
    ],
    "linux": [
        _b("smp_wmb", {"ww"}),
        _b("smp_rmb", {"rr"}),
        _b("smp_mb__after_atomic", FULL, "after_rmw"),
        _b("smp_mb__before_atomic", FULL, "before_rmw"),
        _b("smp_mb", FULL),
    ],
    "c11": [
        _b("atomic_thread_fence(memory_order_release)", {"rw", "ww"},
           stmt="atomic_thread_fence(memory_order_release);"),
        _b("atomic_thread_fence(memory_order_acquire)", {"rr", "rw"},
           stmt="atomic_thread_fence(memory_order_acquire);"),
        _b("atomic_thread_fence(memory_order_acq_rel)", {"rr", "rw", "ww"},
           stmt="atomic_thread_fence(memory_order_acq_rel);"),
        _b("atomic_thread_fence(memory_order_seq_cst)", FULL,
           stmt="atomic_thread_fence(memory_order_seq_cst);"),
    ],
}
BARRIERS["xen"] = BARRIERS["linux"]

# Existing barriers, by name, with their strength (to offer stronger replacements).
# Names not listed (barrier(), smp_read_barrier_depends(), rcu_read_lock()...) order
# nothing at run time: a gap holding only those is treated as empty.
EXISTING: dict[str, dict[str, frozenset]] = {
    d: {b.name: b.strength for b in bs if "(" not in b.name} for d, bs in BARRIERS.items()
}
EXISTING["qemu"].update({"smp_mb_release": frozenset({"rw", "ww"}),
                         "smp_mb_acquire": frozenset({"rr", "rw"})})
C11_FENCE_ORDERS = {"rlx": frozenset(), "con": frozenset({"rr"}), "acq": frozenset({"rr", "rw"}),
                    "rel": frozenset({"rw", "ww"}), "acq_rel": frozenset({"rr", "rw", "ww"}),
                    "sc": FULL}


@dataclass(frozen=True)
class Stronger:
    """A stronger form of an access: `name` replaces the call's name (and,
    with `arg` = "ptr", a `*e` / `e` lvalue argument becomes `e` / `&e`)."""
    name: str
    strength: frozenset
    arg: str = ""


def _s(name, strength, arg=""):
    return Stronger(name, frozenset(strength), arg)


# call name -> its stronger forms (same arguments unless `arg` says otherwise)
ACCESS: dict[str, dict[str, list[Stronger]]] = {
    "qemu": {
        "qatomic_read": [_s("qatomic_load_acquire", {"acq"})],
        "qatomic_rcu_read": [_s("qatomic_load_acquire", {"acq"})],
        "qatomic_set": [_s("qatomic_store_release", {"rel"}), _s("qatomic_set_mb", {"rel", "mb"})],
        "qatomic_store_release": [_s("qatomic_set_mb", {"rel", "mb"})],
        "qatomic_rcu_set": [_s("qatomic_set_mb", {"rel", "mb"})],
    },
    "linux": {
        "READ_ONCE": [_s("smp_load_acquire", {"acq"}, "ptr")],
        "WRITE_ONCE": [_s("smp_store_release", {"rel"}, "ptr")],
        "atomic_read": [_s("atomic_read_acquire", {"acq"})],
        "atomic_set": [_s("atomic_set_release", {"rel"})],
    },
    "xen": {},
    "c11": {},
}
_LK_RMW = ["xchg", "cmpxchg", "atomic_xchg", "atomic_cmpxchg", "atomic_add_return", "atomic_sub_return",
           "atomic_inc_return", "atomic_dec_return", "atomic_fetch_add", "atomic_fetch_sub",
           "atomic_fetch_inc", "atomic_fetch_dec"]
for _n in _LK_RMW:
    ACCESS["linux"][f"{_n}_relaxed"] = [_s(f"{_n}_acquire", {"acq"}), _s(f"{_n}_release", {"rel"}),
                                        _s(_n, {"acq", "rel", "mb"})]
    ACCESS["linux"][f"{_n}_acquire"] = [_s(_n, {"acq", "rel", "mb"})]
    ACCESS["linux"][f"{_n}_release"] = [_s(_n, {"acq", "rel", "mb"})]

# Plain C accesses `*p = v` / `*p` -> marked ones (templates: {p} pointer, {v} value),
# with the stronger forms that carry ordering too.  "once": the access is marked.
PLAIN_LOAD: dict[str, list[tuple[str, frozenset]]] = {
    "linux": [("READ_ONCE(*{p})", frozenset({"once"})), ("smp_load_acquire({p})", frozenset({"once", "acq"}))],
    "xen": [("read_atomic({p})", frozenset({"once"}))],
    "qemu": [("qatomic_read({p})", frozenset({"once"})), ("qatomic_load_acquire({p})", frozenset({"once", "acq"}))],
}
PLAIN_STORE: dict[str, list[tuple[str, frozenset]]] = {
    "linux": [("WRITE_ONCE(*{p}, {v})", frozenset({"once"})),
              ("smp_store_release({p}, {v})", frozenset({"once", "rel"}))],
    "xen": [("write_atomic({p}, {v})", frozenset({"once"}))],
    "qemu": [("qatomic_set({p}, {v})", frozenset({"once"})),
             ("qatomic_store_release({p}, {v})", frozenset({"once", "rel"})),
             ("qatomic_set_mb({p}, {v})", frozenset({"once", "rel", "mb"}))],
}

# C11: memory-order argument strengthening, per kind of access
C11_ORDERS = {
    "load": {"rlx": ["acq", "sc"], "con": ["acq", "sc"], "acq": ["sc"]},
    "store": {"rlx": ["rel", "sc"], "rel": ["sc"]},
    "rmw": {"rlx": ["acq", "rel", "acq_rel", "sc"], "con": ["acq", "acq_rel", "sc"],
            "acq": ["acq_rel", "sc"], "rel": ["acq_rel", "sc"], "acq_rel": ["sc"]},
}
C11_ORDER_STRENGTH = {"rlx": frozenset(), "con": frozenset({"acq"}), "acq": frozenset({"acq"}),
                      "rel": frozenset({"rel"}), "acq_rel": frozenset({"acq", "rel"}),
                      "sc": frozenset({"acq", "rel", "sc"})}
C11_ORDER_NAME = {"rlx": "memory_order_relaxed", "con": "memory_order_consume", "acq": "memory_order_acquire",
                  "rel": "memory_order_release", "acq_rel": "memory_order_acq_rel",
                  "sc": "memory_order_seq_cst"}
GCC_ORDER_NAME = {"rlx": "__ATOMIC_RELAXED", "con": "__ATOMIC_CONSUME", "acq": "__ATOMIC_ACQUIRE",
                  "rel": "__ATOMIC_RELEASE", "acq_rel": "__ATOMIC_ACQ_REL", "sc": "__ATOMIC_SEQ_CST"}

# Weakening (for "which existing ordering is load-bearing"): the inverse of the above.
WEAKER: dict[str, dict[str, tuple[str, str]]] = {
    "qemu": {"qatomic_load_acquire": ("qatomic_read", ""), "qatomic_store_release": ("qatomic_set", ""),
             "qatomic_set_mb": ("qatomic_set", ""), "qatomic_rcu_set": ("qatomic_set", ""),
             "qatomic_mb_read": ("qatomic_read", ""), "qatomic_mb_set": ("qatomic_set", "")},
    "linux": {"smp_load_acquire": ("READ_ONCE", "lval"), "smp_store_release": ("WRITE_ONCE", "lval"),
              "atomic_read_acquire": ("atomic_read", ""), "atomic_set_release": ("atomic_set", "")},
    "xen": {},
    "c11": {},
}
for _n in _LK_RMW:
    for _sfx in ("", "_acquire", "_release"):
        WEAKER["linux"][f"{_n}{_sfx}"] = (f"{_n}_relaxed", "")
