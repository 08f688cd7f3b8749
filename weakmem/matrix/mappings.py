"""Instruction mappings: abstract operation (api.py keys) -> instruction sequence, per target.

Data only.  Each row says what a compiler (for the C11 keys) or the code
base's own headers (Linux/QEMU/Xen keys) emit on that target, with the
source of the row in a comment.  weakmem.matrix.isa expands the templates.

Sources
  [CAM]   P. Sewell et al., "C/C++11 mappings to processors",
          https://www.cl.cam.ac.uk/~pes20/cpp/cpp0xmappings.html
          (x86, POWER, ARMv7, and the AArch64 rows contributed by Arm).
  [ARM64] Arm, "C/C++ Atomics Application Binary Interface Standard for the
          Arm 64-bit Architecture" (ARM-software/abi-aa, atomicsabi64):
          LDAR/STLR, DMB ISHLD for acquire fences, DMB ISH otherwise;
          LL/SC LDAXR/STLXR loops on Armv8.0, SWP/LDADD/CAS{A,L,AL} with LSE.
  [RV]    The RISC-V Instruction Set Manual, Vol. I, Appendix A (RVWMO
          explanatory material), Table A.6 "Mappings from C/C++ primitives
          to RISC-V primitives".
  [GCC]   GCC's own output where the tables leave a choice (ARMv7 and POWER
          RMW fence placement; x86 fetch_and/or/xor with a used result
          compiled as a LOCK CMPXCHG loop; consume compiled as acquire).
  [QEMU]  qemu/qemu include/qemu/atomic.h.
  [LX86]  torvalds/linux arch/x86/include/asm/{barrier,cmpxchg,atomic}.h.
  [LA64]  torvalds/linux arch/arm64/include/asm/{barrier,cmpxchg,atomic_ll_sc,atomic_lse}.h.
  [LARM]  torvalds/linux arch/arm/include/asm/{barrier,atomic,cmpxchg}.h and
          include/linux/atomic/atomic-arch-fallback.h (the _acquire/_release/
          fully-ordered forms are the relaxed loop wrapped in smp_mb()).
  [LPPC]  torvalds/linux arch/powerpc/include/asm/{barrier,synch,cmpxchg,atomic}.h
          (PPC_ATOMIC_ENTRY_BARRIER = PPC_ATOMIC_EXIT_BARRIER = sync,
          PPC_ACQUIRE_BARRIER = isync, PPC_RELEASE_BARRIER = lwsync).
  [LRV]   torvalds/linux arch/riscv/include/asm/{barrier,fence,cmpxchg,atomic}.h.
  [XEN]   xen-project/xen xen/arch/arm/include/asm/arm64/{atomic,cmpxchg}.h and
          arm32/{atomic,cmpxchg}.h: Linux's LL/SC code, and __cmpxchg_mb =
          smp_mb(); __cmpxchg(); smp_mb().

Templates: `{r}` loaded register, `{v}` value (x86: may be an immediate),
`{vr}` value in a register, `{a}` address register, `{m}` x86 memory
operand, `{L}` a fresh local label; width-dependent mnemonics `{ld}` `{st}`
(POWER lwz/ld, stw/std; RISC-V lw/ld, sw/sd), `{s}` (x86 l/q), `{cmp}`
(POWER cmpw/cmpd).  A label line ends with ':'.
"""
from __future__ import annotations

from dataclasses import dataclass

from weakmem.arch import arch_isa


@dataclass(frozen=True)
class Target:
    id: str          # file names, --target
    name: str        # the table's target column
    arch: str        # herd architecture (weakmem.arch.ARCHS)

    @property
    def isa(self) -> str:
        """The code generator: the architecture's ISA family."""
        return arch_isa(self.arch) or ""


TARGETS = [
    Target("x86-64", "x86-64", "X86_64"),
    Target("aarch64-llsc", "AArch64 LL/SC", "AArch64"),
    Target("aarch64-lse", "AArch64 LSE", "AArch64"),
    Target("armv7", "Armv7", "ARM"),
    Target("power", "POWER", "PPC"),
    Target("riscv", "RISC-V", "RISCV"),
]
TARGET_BY_ID = {t.id: t for t in TARGETS}


@dataclass(frozen=True)
class RmwRow:
    """One read-modify-write shape.
    kind: llsc (a = load-exclusive, b = store-exclusive), lse / amo (a = the
    ordering suffix), lock (x86).  pre/post: fences around it.
    post_on_fail: for compare-and-swap, whether `post` also follows the
    comparison-failed exit (GCC's C11 code: yes; Linux cmpxchg: only the
    success path is ordered).  noret_store: LSE ST<op> for results unused."""
    kind: str
    a: str = ""
    b: str = ""
    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()
    post_on_fail: bool = True
    noret_store: bool = False


def _ll(a, b, pre=(), post=(), post_on_fail=True):
    return RmwRow("llsc", a, b, tuple(pre), tuple(post), post_on_fail)


# Keys that compile like another one everywhere.
ALIASES = {
    "ld:con": "ld:acq",       # [GCC] GCC and LLVM compile consume as acquire
    "ld:q_rcu": "ld:rlx",     # [QEMU] __atomic_load(RELAXED) + smp_read_barrier_depends() = barrier()
    "ld:plain": "ld:rlx",     # a plain access is a single load/store (but racy in C11: see notes)
    "st:plain": "st:rlx",
    "ld:once": "ld:rlx",      # [LINUX] READ_ONCE/WRITE_ONCE: one volatile access
    "st:once": "st:rlx",
    "rmw:con": "rmw:acq",     # [GCC]
    "rmw:xen_mb": "rmw:lk_mb",      # [XEN] Xen's RMWs are Linux's, per architecture ...
    "rmw:xen_noret": "rmw:lk_noret",  # ... except the rows overridden below
}

# --------------------------------------------------------------------------
# Loads
# --------------------------------------------------------------------------
LOADS: dict[str, dict[str, tuple[str, ...]]] = {
    "x86": {
        "ld:rlx": ("mov{s} {m},{r}",),          # [CAM] x86: all loads are MOV
        "ld:acq": ("mov{s} {m},{r}",),          # [CAM]
        "ld:sc": ("mov{s} {m},{r}",),           # [CAM] (seq_cst stores carry the fence)
        "ld:lk_acq": ("mov{s} {m},{r}",),       # [LX86] smp_load_acquire: READ_ONCE + barrier()
    },
    "aarch64": {
        "ld:rlx": ("LDR {r},[{a}]",),           # [ARM64] [CAM]
        "ld:acq": ("LDAR {r},[{a}]",),          # [ARM64] (LDAPR with RCpc; GCC's default is LDAR)
        "ld:sc": ("LDAR {r},[{a}]",),           # [ARM64]
        "ld:lk_acq": ("LDAR {r},[{a}]",),       # [LA64] __smp_load_acquire: ldar
    },
    "armv7": {
        "ld:rlx": ("LDR {r},[{a}]",),                     # [CAM] ldr
        "ld:acq": ("LDR {r},[{a}]", "DMB ISH"),           # [CAM] ldr; dmb
        "ld:sc": ("LDR {r},[{a}]", "DMB ISH"),            # [CAM] ldr; dmb
        "ld:lk_acq": ("LDR {r},[{a}]", "DMB ISH"),        # [LARM] asm-generic: READ_ONCE; smp_mb()
    },
    "power": {
        "ld:rlx": ("{ld} {r},0({a})",),                                          # [CAM] ld
        "ld:acq": ("{ld} {r},0({a})", "{cmp} {r},{r}", "beq {L}", "{L}:", "isync"),  # [CAM] ld; cmp; bc; isync
        "ld:sc": ("sync", "{ld} {r},0({a})", "{cmp} {r},{r}", "beq {L}", "{L}:", "isync"),  # [CAM] hwsync; ld; cmp; bc; isync
        "ld:lk_acq": ("{ld} {r},0({a})", "lwsync"),                               # [LPPC] smp_load_acquire: READ_ONCE; lwsync
    },
    "riscv": {
        "ld:rlx": ("{ld} {r},0({a})",),                                # [RV] A.6 l{w|d}
        "ld:acq": ("{ld} {r},0({a})", "fence r,rw"),                   # [RV] A.6 l; fence r,rw
        "ld:sc": ("fence rw,rw", "{ld} {r},0({a})", "fence r,rw"),     # [RV] A.6 fence rw,rw; l; fence r,rw
        "ld:lk_acq": ("{ld} {r},0({a})", "fence r,rw"),                # [LRV] READ_ONCE; RISCV_FENCE(r, rw)
    },
}

# --------------------------------------------------------------------------
# Stores
# --------------------------------------------------------------------------
STORES: dict[str, dict[str, tuple[str, ...]]] = {
    "x86": {
        "st:rlx": ("mov{s} {v},{m}",),          # [CAM] MOV
        "st:rel": ("mov{s} {v},{m}",),          # [CAM] MOV
        "st:sc": ("xchg{s} {vr},{m}",),         # [CAM] (LOCK) XCHG (alternative MOV; MFENCE)
        "st:lk_rel": ("mov{s} {v},{m}",),       # [LX86] smp_store_release: barrier(); WRITE_ONCE
    },
    "aarch64": {
        "st:rlx": ("STR {v},[{a}]",),           # [ARM64] [CAM]
        "st:rel": ("STLR {v},[{a}]",),          # [ARM64]
        "st:sc": ("STLR {v},[{a}]",),           # [ARM64]
        "st:lk_rel": ("STLR {v},[{a}]",),       # [LA64] __smp_store_release: stlr
    },
    "armv7": {
        "st:rlx": ("STR {v},[{a}]",),                          # [CAM] str
        "st:rel": ("DMB ISH", "STR {v},[{a}]"),                # [CAM] dmb; str
        "st:sc": ("DMB ISH", "STR {v},[{a}]", "DMB ISH"),      # [CAM] dmb; str; dmb
        "st:lk_rel": ("DMB ISH", "STR {v},[{a}]"),             # [LARM] asm-generic: smp_mb(); WRITE_ONCE
    },
    "power": {
        "st:rlx": ("{st} {v},0({a})",),                 # [CAM] st
        "st:rel": ("lwsync", "{st} {v},0({a})"),        # [CAM] lwsync; st
        "st:sc": ("sync", "{st} {v},0({a})"),           # [CAM] hwsync; st
        "st:lk_rel": ("lwsync", "{st} {v},0({a})"),     # [LPPC] smp_store_release: lwsync; WRITE_ONCE
    },
    "riscv": {
        "st:rlx": ("{st} {v},0({a})",),                 # [RV] A.6 s{w|d}
        "st:rel": ("fence rw,w", "{st} {v},0({a})"),    # [RV] A.6 fence rw,w; s
        "st:sc": ("fence rw,w", "{st} {v},0({a})"),     # [RV] A.6 fence rw,w; s
        "st:lk_rel": ("fence rw,w", "{st} {v},0({a})"),  # [LRV] RISCV_FENCE(rw, w); WRITE_ONCE
    },
}

# --------------------------------------------------------------------------
# Fences (an empty sequence: a compiler barrier only)
# --------------------------------------------------------------------------
_NONE: tuple[str, ...] = ()
FENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "x86": {
        "f:compiler": _NONE,
        "f:acq": _NONE, "f:rel": _NONE, "f:acq_rel": _NONE,   # [CAM] x86: ignore
        "f:sc": ("mfence",),                                    # [CAM] MFENCE
        "f:q_rmw_mb": _NONE,       # [QEMU] smp_mb__before/after_rmw: signal_barrier() on x86_64
        "f:lk_mb": ("mfence",),    # [LX86] smp_mb: `lock; addl $0,-4(%rsp)`, a full fence like MFENCE
        "f:lk_rmb": _NONE,         # [LX86] smp_rmb: barrier()
        "f:lk_wmb": _NONE,         # [LX86] smp_wmb: barrier()
        "f:lk_ba": _NONE,          # [LX86] smp_mb__before_atomic: barrier() (atomics are LOCKed)
        "f:lk_aa": _NONE,          # [LX86] smp_mb__after_atomic: barrier()
        "f:lk_rcu": _NONE,         # rcu_read_lock/unlock: preempt_disable() = barrier() (!PREEMPT)
    },
    "aarch64": {
        "f:compiler": _NONE,
        "f:acq": ("DMB ISHLD",),   # [ARM64] acquire fence
        "f:rel": ("DMB ISH",),     # [ARM64]
        "f:acq_rel": ("DMB ISH",),  # [ARM64]
        "f:sc": ("DMB ISH",),      # [ARM64] [CAM]
        "f:q_rmw_mb": ("DMB ISH",),  # [QEMU] smp_mb() on non-x86 hosts
        "f:lk_mb": ("DMB ISH",),   # [LA64] __smp_mb: dmb(ish)
        "f:lk_rmb": ("DMB ISHLD",),  # [LA64] __smp_rmb: dmb(ishld)
        "f:lk_wmb": ("DMB ISHST",),  # [LA64] __smp_wmb: dmb(ishst)
        "f:lk_ba": ("DMB ISH",),   # [LA64] asm-generic smp_mb__before_atomic = smp_mb
        "f:lk_aa": ("DMB ISH",),   # [LA64] asm-generic smp_mb__after_atomic = smp_mb
        "f:lk_rcu": _NONE,
    },
    "armv7": {
        "f:compiler": _NONE,
        "f:acq": ("DMB ISH",), "f:rel": ("DMB ISH",), "f:acq_rel": ("DMB ISH",),  # [CAM] dmb
        "f:sc": ("DMB ISH",),      # [CAM] dmb
        "f:q_rmw_mb": ("DMB ISH",),  # [QEMU] smp_mb() on non-x86 hosts
        "f:lk_mb": ("DMB ISH",),   # [LARM] __smp_mb: dmb(ish)
        "f:lk_rmb": ("DMB ISH",),  # [LARM] __smp_rmb = __smp_mb
        # [LARM] __smp_wmb is dmb(ishst); written DMB ST, the same store-store barrier for
        # every model here (none tells shareability domains apart), because herd7's arm.cat
        # does not read DMB ISHST as a barrier at all
        "f:lk_wmb": ("DMB ST",),
        "f:lk_ba": ("DMB ISH",),   # [LARM] smp_mb__before_atomic = smp_mb
        "f:lk_aa": ("DMB ISH",),   # [LARM] smp_mb__after_atomic = smp_mb
        "f:lk_rcu": _NONE,
    },
    "power": {
        "f:compiler": _NONE,
        "f:acq": ("lwsync",), "f:rel": ("lwsync",), "f:acq_rel": ("lwsync",),  # [CAM] lwsync
        "f:sc": ("sync",),         # [CAM] hwsync
        "f:q_rmw_mb": ("sync",),   # [QEMU] smp_mb() on non-x86 hosts
        "f:lk_mb": ("sync",),      # [LPPC] smp_mb: mb() = sync
        "f:lk_rmb": ("lwsync",),   # [LPPC] __smp_rmb: __lwsync()
        "f:lk_wmb": ("lwsync",),   # [LPPC] __smp_wmb: SMPWMB = lwsync on 64-bit
        "f:lk_ba": ("sync",),      # [LPPC] smp_mb__before_atomic = smp_mb
        "f:lk_aa": ("sync",),      # [LPPC] smp_mb__after_atomic = smp_mb
        "f:lk_rcu": _NONE,
    },
    "riscv": {
        "f:compiler": _NONE,
        "f:acq": ("fence r,rw",),  # [RV] A.6
        "f:rel": ("fence rw,w",),  # [RV] A.6
        "f:acq_rel": ("fence.tso",),  # [RV] A.6
        "f:sc": ("fence rw,rw",),  # [RV] A.6
        "f:q_rmw_mb": ("fence rw,rw",),  # [QEMU] smp_mb() on non-x86 hosts
        "f:lk_mb": ("fence rw,rw",),  # [LRV] RISCV_FENCE(rw, rw)
        "f:lk_rmb": ("fence r,r",),   # [LRV] RISCV_FENCE(r, r)
        "f:lk_wmb": ("fence w,w",),   # [LRV] RISCV_FENCE(w, w)
        "f:lk_ba": ("fence rw,rw",),  # [LRV] asm-generic = smp_mb
        "f:lk_aa": ("fence rw,rw",),  # [LRV] asm-generic = smp_mb
        "f:lk_rcu": _NONE,
    },
}

# --------------------------------------------------------------------------
# Read-modify-writes.  A key "rmw:K/op" overrides "rmw:K" for that op.
# --------------------------------------------------------------------------
_LOCK = RmwRow("lock")
RMWS: dict[str, dict[str, RmwRow]] = {
    "x86": {
        # [CAM] x86: LOCK-prefixed (XCHG is implicitly locked) for every order;
        # [LX86] xchg, LOCK XADD, LOCK CMPXCHG, LOCK ADD/SUB/AND/OR/XOR (void forms)
        k: _LOCK for k in ("rmw:rlx", "rmw:acq", "rmw:rel", "rmw:acq_rel", "rmw:sc", "rmw:lk_mb",
                           "rmw:lk_relaxed", "rmw:lk_acquire", "rmw:lk_release", "rmw:lk_noret")
    },
    "aarch64-llsc": {
        "rmw:rlx": _ll("LDXR", "STXR"),         # [ARM64] ldxr/stxr loop
        "rmw:acq": _ll("LDAXR", "STXR"),        # [ARM64]
        "rmw:rel": _ll("LDXR", "STLXR"),        # [ARM64]
        "rmw:acq_rel": _ll("LDAXR", "STLXR"),   # [ARM64]
        "rmw:sc": _ll("LDAXR", "STLXR"),        # [ARM64] [CAM] (no trailing DMB: see the 2023 QEMU thread)
        "rmw:lk_mb": _ll("LDXR", "STLXR", post=("DMB ISH",), post_on_fail=False),  # [LA64] ldxr; stlxr; cbnz; dmb ish
        "rmw:lk_relaxed": _ll("LDXR", "STXR"),   # [LA64]
        "rmw:lk_acquire": _ll("LDAXR", "STXR"),  # [LA64]
        "rmw:lk_release": _ll("LDXR", "STLXR"),  # [LA64]
        "rmw:lk_noret": _ll("LDXR", "STXR"),     # [LA64] atomic_add &co: unordered loop
        "rmw:xen_mb/cas": _ll("LDXR", "STXR", ("DMB ISH",), ("DMB ISH",)),  # [XEN] __cmpxchg_mb
    },
    "aarch64-lse": {
        "rmw:rlx": RmwRow("lse", ""),      # [ARM64] SWP / LDADD / CAS
        "rmw:acq": RmwRow("lse", "A"),     # [ARM64] SWPA / LDADDA / CASA
        "rmw:rel": RmwRow("lse", "L"),     # [ARM64]
        "rmw:acq_rel": RmwRow("lse", "AL"),  # [ARM64]
        "rmw:sc": RmwRow("lse", "AL"),     # [ARM64] SWPAL / LDADDAL / CASAL
        "rmw:lk_mb": RmwRow("lse", "AL"),  # [LA64] __lse_*: swpal, ldaddal, casal
        "rmw:lk_relaxed": RmwRow("lse", ""),   # [LA64]
        "rmw:lk_acquire": RmwRow("lse", "A"),  # [LA64]
        "rmw:lk_release": RmwRow("lse", "L"),  # [LA64]
        "rmw:lk_noret": RmwRow("lse", "", noret_store=True),  # [LA64] __lse_atomic_add: stadd
        # [XEN] Xen's arm64 atomics are the LL/SC loops whatever the CPU
        "rmw:xen_mb": _ll("LDXR", "STLXR", post=("DMB ISH",), post_on_fail=False),
        "rmw:xen_mb/cas": _ll("LDXR", "STXR", ("DMB ISH",), ("DMB ISH",)),
        "rmw:xen_noret": _ll("LDXR", "STXR"),
    },
    "armv7": {
        "rmw:rlx": _ll("LDREX", "STREX"),                                  # [CAM] ldrex/strex loop
        "rmw:acq": _ll("LDREX", "STREX", post=("DMB ISH",)),               # [GCC] loop; dmb ish
        "rmw:rel": _ll("LDREX", "STREX", pre=("DMB ISH",)),                # [CAM] dmb; loop
        "rmw:acq_rel": _ll("LDREX", "STREX", ("DMB ISH",), ("DMB ISH",)),  # [GCC] dmb; loop; dmb
        "rmw:sc": _ll("LDREX", "STREX", ("DMB ISH",), ("DMB ISH",)),       # [GCC] dmb ish; loop; dmb ish
        "rmw:lk_mb": _ll("LDREX", "STREX", ("DMB ISH",), ("DMB ISH",)),    # [LARM] smp_mb(); relaxed; smp_mb()
        "rmw:lk_relaxed": _ll("LDREX", "STREX"),                           # [LARM]
        "rmw:lk_acquire": _ll("LDREX", "STREX", post=("DMB ISH",)),        # [LARM] relaxed; smp_mb()
        "rmw:lk_release": _ll("LDREX", "STREX", pre=("DMB ISH",)),         # [LARM] smp_mb(); relaxed
        "rmw:lk_noret": _ll("LDREX", "STREX"),                             # [LARM] atomic_add: loop only
        "rmw:xen_mb/cas": _ll("LDREX", "STREX", ("DMB ISH",), ("DMB ISH",)),  # [XEN] arm32 __cmpxchg_mb
    },
    "power": {
        "rmw:rlx": _ll("lwarx", "stwcx."),                                 # [CAM] loop
        "rmw:acq": _ll("lwarx", "stwcx.", post=("isync",)),                # [CAM] loop; isync
        "rmw:rel": _ll("lwarx", "stwcx.", pre=("lwsync",)),                # [CAM] lwsync; loop
        "rmw:acq_rel": _ll("lwarx", "stwcx.", ("lwsync",), ("isync",)),    # [CAM] lwsync; loop; isync
        "rmw:sc": _ll("lwarx", "stwcx.", ("sync",), ("isync",)),           # [CAM] hwsync; loop; isync
        "rmw:lk_mb": _ll("lwarx", "stwcx.", ("sync",), ("sync",), post_on_fail=False),   # [LPPC] ENTRY; loop; EXIT
        "rmw:lk_relaxed": _ll("lwarx", "stwcx."),                                          # [LPPC]
        "rmw:lk_acquire": _ll("lwarx", "stwcx.", post=("isync",), post_on_fail=False),     # [LPPC] loop; PPC_ACQUIRE_BARRIER
        "rmw:lk_release": _ll("lwarx", "stwcx.", pre=("lwsync",)),                         # [LPPC] PPC_RELEASE_BARRIER; loop
        "rmw:lk_noret": _ll("lwarx", "stwcx."),                                            # [LPPC] atomic_add: loop only
    },
    "riscv": {
        "rmw:rlx": RmwRow("amo", ""),          # [RV] A.6 amo<op>.{w|d}
        "rmw:acq": RmwRow("amo", ".aq"),       # [RV] A.6 amo<op>.aq
        "rmw:rel": RmwRow("amo", ".rl"),       # [RV] A.6 amo<op>.rl
        "rmw:acq_rel": RmwRow("amo", ".aqrl"),  # [RV] A.6 amo<op>.aqrl
        "rmw:sc": RmwRow("amo", ".aqrl"),      # [RV] A.6 amo<op>.aqrl
        "rmw:rlx/cas": _ll("lr", "sc"),                 # [RV] A.6 loop: lr; bne; sc; bnez loop
        "rmw:acq/cas": _ll("lr.aq", "sc"),              # [RV] A.6 lr.aq; sc
        "rmw:rel/cas": _ll("lr", "sc.rl"),              # [RV] A.6 lr; sc.rl
        "rmw:acq_rel/cas": _ll("lr.aq", "sc.rl"),       # [RV] A.6 lr.aq; sc.rl
        "rmw:sc/cas": _ll("lr.aqrl", "sc.rl"),          # [RV] A.6 lr.aqrl; sc.rl
        "rmw:lk_mb": RmwRow("amo", ".aqrl"),                          # [LRV] amoswap.w.aqrl / amoadd.w.aqrl
        "rmw:lk_relaxed": RmwRow("amo", ""),                          # [LRV]
        "rmw:lk_acquire": RmwRow("amo", "", post=("fence r,rw",)),    # [LRV] amo; RISCV_ACQUIRE_BARRIER
        "rmw:lk_release": RmwRow("amo", "", pre=("fence rw,w",)),     # [LRV] RISCV_RELEASE_BARRIER; amo
        "rmw:lk_noret": RmwRow("amo", ""),                            # [LRV] atomic_add: amoadd.w zero,...
        "rmw:lk_mb/cas": _ll("lr", "sc.rl", post=("fence rw,rw",), post_on_fail=False),  # [LRV] lr; bne; sc.rl; bnez; fence rw,rw
        "rmw:lk_relaxed/cas": _ll("lr", "sc"),                                            # [LRV]
        "rmw:lk_acquire/cas": _ll("lr", "sc", post=("fence r,rw",), post_on_fail=False),  # [LRV]
        "rmw:lk_release/cas": _ll("lr", "sc", pre=("fence rw,w",)),                       # [LRV]
    },
}

# --------------------------------------------------------------------------
# Compound operations: per-target shapes, as (kind, key[, op]) steps.
# --------------------------------------------------------------------------
COMPOUNDS: dict[str, dict[str, tuple]] = {
    # [QEMU] qatomic_set_mb: `(void)qatomic_xchg(ptr, i); smp_mb__after_rmw();` on
    # i386/x86_64/s390x, `qatomic_store_release(ptr, i); smp_mb();` elsewhere.
    "q_set_mb": {
        "x86": (("rmw", "rmw:sc", "xchg"), ("fence", "f:q_rmw_mb")),
        "*": (("store", "st:rel"), ("fence", "f:sc")),
    },
    # [LINUX] smp_store_mb: x86 `(void)xchg(&var, value)`; asm-generic
    # `WRITE_ONCE(var, value); smp_mb();` elsewhere.
    "lk_store_mb": {
        "x86": (("rmw", "rmw:lk_mb", "xchg"),),
        "*": (("store", "st:once"), ("fence", "f:lk_mb")),
    },
}


def resolve(key: str) -> str:
    return ALIASES.get(key, key)


def rmw_row(target_id: str, isa: str, key: str, op: str) -> RmwRow | None:
    table = RMWS.get(target_id) or RMWS.get(isa) or {}
    for k in (key, resolve(key)):
        row = table.get(f"{k}/{op}") or table.get(k)
        if row is not None:
            return row
    return None
