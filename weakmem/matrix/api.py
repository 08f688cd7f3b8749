"""Source-level APIs the matrix understands: each name -> an abstract operation.

The matrix compiles the program as its authors wrote it, from the API names
in the C source, not from a macro expansion that would already have chosen
one host: QEMU's `smp_mb__after_rmw()` is a compiler barrier on x86 and a
full fence elsewhere, Linux's `smp_rmb()` is `dmb ishld` on arm64 and
`lwsync` on POWER.  This module says, per dialect, what each name *is*
(load/store/rmw/fence, its ordering key and argument roles); the per-target
instruction sequences are in weakmem.matrix.mappings.

Argument roles (`Api.args`, one letter per argument):
  p  pointer to the location        (`qatomic_read(x)`, `xchg(x, 1)`)
  l  the location itself, an lvalue (`READ_ONCE(*x)`, `rcu_dereference(*p)`)
  v  value; o  expected old value; n  new value (cmpxchg)
  m  a C11 memory order (memory_order_* / __ATOMIC_*); f  failure order (ignored:
     the mappings use the success order, as GCC does for strong CAS)
  e  pointer to the C11 `expected` variable (compare_exchange)
  O  an operator argument (herd's `__atomic_op(X,+,V)`)

Keys (see mappings.py for what each compiles to):
  ld:plain st:plain                  plain C accesses
  ld:rlx ld:con ld:acq ld:sc         C11 loads (and the QEMU/GCC names built on them)
  st:rlx st:rel st:sc                C11 stores
  rmw:rlx rmw:acq rmw:rel rmw:acq_rel rmw:sc     C11 read-modify-writes
  f:acq f:rel f:acq_rel f:sc f:compiler          C11 fences; compiler-only barrier
  ld:q_rcu                           QEMU qatomic_rcu_read (relaxed + smp_read_barrier_depends)
  f:q_rmw_mb                         QEMU smp_mb__before_rmw/after_rmw (per host)
  ld:once st:once ld:lk_acq st:lk_rel            Linux marked accesses
  rmw:lk_mb rmw:lk_relaxed rmw:lk_acquire rmw:lk_release rmw:lk_noret
  f:lk_mb f:lk_rmb f:lk_wmb f:lk_ba f:lk_aa f:lk_rcu   Linux barriers (ba/aa: smp_mb__before/after_atomic)
  compound keys q_set_mb, lk_store_mb (per-target shapes)

Sources of the definitions (the row comments below name the header):
  [QEMU]  qemu/qemu include/qemu/atomic.h (2023 and later: qatomic_* names,
          smp_mb__before_rmw/after_rmw added by commit "qatomic: add
          smp_mb__before/after_rmw()", March 2023) and docs/devel/atomics.rst.
  [LINUX] torvalds/linux include/linux/compiler.h (READ_ONCE/WRITE_ONCE),
          include/asm-generic/barrier.h, include/linux/atomic/*.h, and
          tools/memory-model/linux-kernel.def (the names LKMM accepts).
  [C11]   ISO C11 7.17 <stdatomic.h>; GCC __atomic builtins.
  [XEN]   xen-project/xen xen/arch/*/include/asm/{system.h,atomic.h} and
          xen/include/xen/compiler.h (read_atomic, write_atomic, ACCESS_ONCE).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    kind: str            # load | store | rmw | fence | compound | unsupported
    key: str             # mapping key ("{mo}" filled from an `m` argument)
    args: str = ""       # argument roles, see the module docstring
    op: str | None = None   # rmw: xchg add sub and or xor cas
    ret: str = "old"     # rmw: old | new | none
    imm: int | None = None  # rmw operand implied by the name (inc/dec: 1)
    test: str | None = None  # *_and_test / add_negative: "==0" / "<0" on the new value
    why: str = ""        # unsupported: the reason shown in the table


def _ld(key, args="p"):
    return Api("load", key, args)


def _st(key, args="pv"):
    return Api("store", key, args)


def _f(key):
    return Api("fence", key)


def _rmw(key, op, args, ret="old", imm=None, test=None):
    return Api("rmw", key, args, op, ret, imm, test)


def _no(why, args=""):
    return Api("unsupported", "", args, why=why)


# --------------------------------------------------------------------------
# QEMU: include/qemu/atomic.h.  Every qatomic_* RMW is __ATOMIC_SEQ_CST;
# qatomic_read/set are __ATOMIC_RELAXED; load_acquire/store_release and
# rcu_set are ACQUIRE/RELEASE; qatomic_rcu_read is a RELAXED load followed
# by smp_read_barrier_depends() (a compiler barrier except on Alpha).
# smp_mb/smp_mb_release/smp_mb_acquire are __atomic_thread_fence(SEQ_CST /
# RELEASE / ACQUIRE); smp_wmb = smp_mb_release, smp_rmb = smp_mb_acquire.
# smp_mb__before_rmw/after_rmw: signal_barrier() on i386/x86_64/s390x,
# smp_mb() elsewhere.  qatomic_set_mb: xchg + smp_mb__after_rmw on x86,
# store_release + smp_mb elsewhere.
# --------------------------------------------------------------------------
QEMU: dict[str, Api] = {
    "qatomic_read": _ld("ld:rlx"),
    "qatomic_set": _st("st:rlx"),
    "qatomic_load_acquire": _ld("ld:acq"),
    "qatomic_store_release": _st("st:rel"),
    "qatomic_rcu_read": _ld("ld:q_rcu"),
    "qatomic_rcu_set": _st("st:rel"),
    "qatomic_mb_read": _ld("ld:acq"),            # 2023: defined as qatomic_load_acquire
    "qatomic_mb_set": Api("compound", "q_set_mb", "pv"),
    "qatomic_set_mb": Api("compound", "q_set_mb", "pv"),
    "qatomic_xchg": _rmw("rmw:sc", "xchg", "pv"),
    "qatomic_cmpxchg": _rmw("rmw:sc", "cas", "pon"),
    "qatomic_fetch_inc": _rmw("rmw:sc", "add", "p", imm=1),
    "qatomic_fetch_dec": _rmw("rmw:sc", "sub", "p", imm=1),
    "qatomic_inc_fetch": _rmw("rmw:sc", "add", "p", "new", imm=1),
    "qatomic_dec_fetch": _rmw("rmw:sc", "sub", "p", "new", imm=1),
    "qatomic_inc": _rmw("rmw:sc", "add", "p", "none", imm=1),
    "qatomic_dec": _rmw("rmw:sc", "sub", "p", "none", imm=1),
    "qatomic_fetch_inc_nonzero": _no("qatomic_fetch_inc_nonzero is a read + cmpxchg retry loop; "
                                     "write the loop out in the test"),
    "smp_mb": _f("f:sc"),
    "smp_mb_release": _f("f:rel"),
    "smp_mb_acquire": _f("f:acq"),
    "smp_wmb": _f("f:rel"),
    "smp_rmb": _f("f:acq"),
    "smp_read_barrier_depends": _f("f:compiler"),
    "barrier": _f("f:compiler"),
    "signal_barrier": _f("f:compiler"),
    "smp_mb__before_rmw": _f("f:q_rmw_mb"),
    "smp_mb__after_rmw": _f("f:q_rmw_mb"),
}
for _o in ("add", "sub", "and", "or", "xor"):
    QEMU[f"qatomic_fetch_{_o}"] = _rmw("rmw:sc", _o, "pv")
    QEMU[f"qatomic_{_o}_fetch"] = _rmw("rmw:sc", _o, "pv", "new")
    QEMU[f"qatomic_{_o}"] = _rmw("rmw:sc", _o, "pv", "none")
# QEMU before the 2020 rename (commit d73415a3, "qemu/atomic.h: rename atomic_ to
# qatomic_"): the same macros without the q.  Used only when the dialect is qemu.
QEMU_OLD = {k[1:]: v for k, v in QEMU.items() if k.startswith("qatomic_")}
QEMU_OLD["atomic_mb_read"] = QEMU["qatomic_mb_read"]
QEMU_OLD["atomic_mb_set"] = QEMU["qatomic_mb_set"]

# --------------------------------------------------------------------------
# Linux: READ_ONCE/WRITE_ONCE (include/asm-generic/rwonce.h), barriers
# (include/asm-generic/barrier.h + arch/*/include/asm/barrier.h), RMWs
# (include/linux/atomic/atomic-arch-fallback.h naming: no suffix = fully
# ordered, _relaxed, _acquire, _release; void atomic_add & co. unordered).
# Argument order as in the kernel: atomic_add(i, v).
# --------------------------------------------------------------------------
_LK_ORD = {"": "lk_mb", "_relaxed": "lk_relaxed", "_acquire": "lk_acquire", "_release": "lk_release"}

LINUX: dict[str, Api] = {
    "READ_ONCE": _ld("ld:once", "l"),
    "WRITE_ONCE": _st("st:once", "lv"),
    "smp_load_acquire": _ld("ld:lk_acq", "p"),
    "smp_store_release": _st("st:lk_rel", "pv"),
    "smp_store_mb": Api("compound", "lk_store_mb", "lv"),
    "rcu_dereference": _ld("ld:once", "l"),
    "rcu_dereference_raw": _ld("ld:once", "l"),
    "rcu_access_pointer": _ld("ld:once", "l"),
    "rcu_assign_pointer": _st("st:lk_rel", "lv"),
    "smp_mb": _f("f:lk_mb"),
    "smp_rmb": _f("f:lk_rmb"),
    "smp_wmb": _f("f:lk_wmb"),
    # a guest's barriers against a device or hypervisor: virt_* are the smp_* barriers
    # even in a kernel built without SMP (asm-generic/barrier.h); dma_rmb/dma_wmb order
    # accesses to coherent DMA memory and are at least as strong as smp_rmb/smp_wmb
    # here; the mandatory rmb/wmb/mb also order device (MMIO) accesses, which no model
    # of this matrix has: for memory they are taken as smp_rmb/smp_wmb/smp_mb
    "virt_mb": _f("f:lk_mb"),
    "virt_rmb": _f("f:lk_rmb"),
    "virt_wmb": _f("f:lk_wmb"),
    "dma_rmb": _f("f:lk_rmb"),
    "dma_wmb": _f("f:lk_wmb"),
    "mb": _f("f:lk_mb"),
    "rmb": _f("f:lk_rmb"),
    "wmb": _f("f:lk_wmb"),
    "barrier": _f("f:compiler"),
    "smp_mb__before_atomic": _f("f:lk_ba"),
    "smp_mb__after_atomic": _f("f:lk_aa"),
    "rcu_read_lock": _f("f:lk_rcu"),
    "rcu_read_unlock": _f("f:lk_rcu"),
    "atomic_read": _ld("ld:once", "p"),
    "atomic_set": _st("st:once", "pv"),
    "atomic_read_acquire": _ld("ld:lk_acq", "p"),
    "atomic_set_release": _st("st:lk_rel", "pv"),
    "atomic_inc": _rmw("rmw:lk_noret", "add", "p", "none", imm=1),
    "atomic_dec": _rmw("rmw:lk_noret", "sub", "p", "none", imm=1),
    "atomic_sub_and_test": _rmw("rmw:lk_mb", "sub", "vp", "new", test="==0"),
    "atomic_dec_and_test": _rmw("rmw:lk_mb", "sub", "p", "new", imm=1, test="==0"),
    "atomic_inc_and_test": _rmw("rmw:lk_mb", "add", "p", "new", imm=1, test="==0"),
    "atomic_add_negative": _rmw("rmw:lk_mb", "add", "vp", "new", test="<0"),
}
for _sfx, _k in _LK_ORD.items():
    LINUX[f"xchg{_sfx}"] = _rmw(f"rmw:{_k}", "xchg", "pv")
    LINUX[f"cmpxchg{_sfx}"] = _rmw(f"rmw:{_k}", "cas", "pon")
    LINUX[f"atomic_xchg{_sfx}"] = _rmw(f"rmw:{_k}", "xchg", "pv")
    LINUX[f"atomic_cmpxchg{_sfx}"] = _rmw(f"rmw:{_k}", "cas", "pon")
    for _o in ("add", "sub"):
        LINUX[f"atomic_{_o}_return{_sfx}"] = _rmw(f"rmw:{_k}", _o, "vp", "new")
    LINUX[f"atomic_inc_return{_sfx}"] = _rmw(f"rmw:{_k}", "add", "p", "new", imm=1)
    LINUX[f"atomic_dec_return{_sfx}"] = _rmw(f"rmw:{_k}", "sub", "p", "new", imm=1)
    for _o in ("add", "sub", "and", "or", "xor"):
        LINUX[f"atomic_fetch_{_o}{_sfx}"] = _rmw(f"rmw:{_k}", _o, "vp")
    LINUX[f"atomic_fetch_inc{_sfx}"] = _rmw(f"rmw:{_k}", "add", "p", imm=1)
    LINUX[f"atomic_fetch_dec{_sfx}"] = _rmw(f"rmw:{_k}", "sub", "p", imm=1)
for _o in ("add", "sub", "and", "or", "xor"):
    LINUX[f"atomic_{_o}"] = _rmw("rmw:lk_noret", _o, "vp", "none")
_LK_NOT_COMPILED = ("is a kernel primitive with no fixed instruction sequence "
                    "(lock/RCU implementation); only the lkmm and SC rows check it")
for _n in ("spin_lock", "spin_unlock", "spin_trylock", "spin_is_locked", "synchronize_rcu",
           "synchronize_rcu_expedited", "srcu_read_lock", "srcu_read_unlock", "synchronize_srcu",
           "synchronize_srcu_expedited", "smp_mb__after_spinlock", "smp_mb__after_unlock_lock",
           "atomic_add_unless", "atomic_inc_not_zero"):
    LINUX[_n] = _no(f"{_n} {_LK_NOT_COMPILED}")

# herd7's own primitives (what linux-kernel.def expands to): tags -> Linux keys
HERD_TAGS_LD = {"once": "ld:once", "acquire": "ld:lk_acq", "relaxed": "ld:once"}
HERD_TAGS_ST = {"once": "st:once", "release": "st:lk_rel", "relaxed": "st:once"}
HERD_TAGS_RMW = {"mb": "rmw:lk_mb", "once": "rmw:lk_relaxed", "relaxed": "rmw:lk_relaxed",
                 "acquire": "rmw:lk_acquire", "release": "rmw:lk_release"}
HERD_TAGS_F = {"mb": "f:lk_mb", "rmb": "f:lk_rmb", "wmb": "f:lk_wmb", "barrier": "f:compiler",
               "before-atomic": "f:lk_ba", "after-atomic": "f:lk_aa", "rcu-lock": "f:lk_rcu",
               "rcu-unlock": "f:lk_rcu"}

# --------------------------------------------------------------------------
# C11 <stdatomic.h> and the GCC __atomic builtins.  The default order of the
# functions without _explicit is seq_cst.
# --------------------------------------------------------------------------
C11: dict[str, Api] = {
    "atomic_load_explicit": _ld("ld:{mo}", "pm"),
    "atomic_load": _ld("ld:sc", "p"),
    "atomic_store_explicit": _st("st:{mo}", "pvm"),
    "atomic_store": _st("st:sc", "pv"),
    "atomic_exchange_explicit": _rmw("rmw:{mo}", "xchg", "pvm"),
    "atomic_exchange": _rmw("rmw:sc", "xchg", "pv"),
    "atomic_thread_fence": Api("fence", "f:{mo}", "m"),
    "atomic_signal_fence": Api("fence", "f:compiler", "m"),
    "atomic_compare_exchange_strong_explicit": _rmw("rmw:{mo}", "cas", "penmf"),
    "atomic_compare_exchange_strong": _rmw("rmw:sc", "cas", "pen"),
    "atomic_compare_exchange_weak_explicit": _no(
        "a weak compare-exchange may fail spuriously: the result is a loop in real code; "
        "use the strong form"),
    "atomic_compare_exchange_weak": _no(
        "a weak compare-exchange may fail spuriously: the result is a loop in real code; "
        "use the strong form"),
    "__atomic_load_n": _ld("ld:{mo}", "pm"),
    "__atomic_store_n": _st("st:{mo}", "pvm"),
    "__atomic_exchange_n": _rmw("rmw:{mo}", "xchg", "pvm"),
    "__atomic_thread_fence": Api("fence", "f:{mo}", "m"),
    "__atomic_signal_fence": Api("fence", "f:compiler", "m"),
    "__sync_synchronize": _f("f:sc"),
}
for _o in ("add", "sub", "and", "or", "xor"):
    C11[f"atomic_fetch_{_o}_explicit"] = _rmw("rmw:{mo}", _o, "pvm")
    C11[f"atomic_fetch_{_o}"] = _rmw("rmw:sc", _o, "pv")
    C11[f"__atomic_fetch_{_o}"] = _rmw("rmw:{mo}", _o, "pvm")
    C11[f"__atomic_{_o}_fetch"] = _rmw("rmw:{mo}", _o, "pvm", "new")

MEMORY_ORDERS = {
    "memory_order_relaxed": "rlx", "__ATOMIC_RELAXED": "rlx",
    "memory_order_consume": "con", "__ATOMIC_CONSUME": "con",
    "memory_order_acquire": "acq", "__ATOMIC_ACQUIRE": "acq",
    "memory_order_release": "rel", "__ATOMIC_RELEASE": "rel",
    "memory_order_acq_rel": "acq_rel", "__ATOMIC_ACQ_REL": "acq_rel",
    "memory_order_seq_cst": "sc", "__ATOMIC_SEQ_CST": "sc",
}
# orders C11 allows for each kind of operation (7.17.7.1-7.17.7.2)
VALID_ORDERS = {"load": {"rlx", "con", "acq", "sc"}, "store": {"rlx", "rel", "sc"},
                "rmw": {"rlx", "con", "acq", "rel", "acq_rel", "sc"},
                "fence": {"rlx", "con", "acq", "rel", "acq_rel", "sc"}}

# --------------------------------------------------------------------------
# Xen: read_atomic/write_atomic are single plain accesses (x86 `mov`, Arm
# `ldr`/`str`); ACCESS_ONCE is a volatile access; smp_mb/rmb/wmb and
# xchg/cmpxchg follow the Linux per-architecture definitions Xen imported
# (x86: mfence / compiler barrier; Arm: dmb ish / ishld / ishst; RMWs fully
# ordered), except that Xen's cmpxchg is smp_mb(); relaxed loop; smp_mb()
# on Arm (ordered even when the comparison fails) -- keys rmw:xen_*.
# --------------------------------------------------------------------------
XEN: dict[str, Api] = {
    "read_atomic": _ld("ld:once", "p"),
    "write_atomic": _st("st:once", "pv"),
    "ACCESS_ONCE": _ld("ld:once", "l"),
    "READ_ONCE": _ld("ld:once", "l"),
    "WRITE_ONCE": _st("st:once", "lv"),
    "smp_mb": _f("f:lk_mb"),
    "smp_rmb": _f("f:lk_rmb"),
    "smp_wmb": _f("f:lk_wmb"),
    "smp_mb__before_atomic": _f("f:lk_ba"),
    "smp_mb__after_atomic": _f("f:lk_aa"),
    "barrier": _f("f:compiler"),
    "xchg": _rmw("rmw:xen_mb", "xchg", "pv"),
    "cmpxchg": _rmw("rmw:xen_mb", "cas", "pon"),
    "atomic_read": _ld("ld:once", "p"),
    "atomic_set": _st("st:once", "pv"),
    "atomic_inc": _rmw("rmw:xen_noret", "add", "p", "none", imm=1),
    "atomic_dec": _rmw("rmw:xen_noret", "sub", "p", "none", imm=1),
    "atomic_add": _rmw("rmw:xen_noret", "add", "vp", "none"),
    "atomic_sub": _rmw("rmw:xen_noret", "sub", "vp", "none"),
    "atomic_add_return": _rmw("rmw:xen_mb", "add", "vp", "new"),
    "atomic_sub_return": _rmw("rmw:xen_mb", "sub", "vp", "new"),
    "atomic_inc_return": _rmw("rmw:xen_mb", "add", "p", "new", imm=1),
    "atomic_dec_return": _rmw("rmw:xen_mb", "sub", "p", "new", imm=1),
    "atomic_cmpxchg": _rmw("rmw:xen_mb", "cas", "pon"),
    "atomic_xchg": _rmw("rmw:xen_mb", "xchg", "pv"),
    "atomic_dec_and_test": _rmw("rmw:xen_mb", "sub", "p", "new", imm=1, test="==0"),
    "atomic_inc_and_test": _rmw("rmw:xen_mb", "add", "p", "new", imm=1, test="==0"),
}

TABLES = {"qemu": QEMU, "linux": LINUX, "c11": C11, "xen": XEN}
