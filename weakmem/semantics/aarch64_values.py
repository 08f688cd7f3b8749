"""AArch64 runtime values: 64-bit integers (kept, like herd7, as signed
Int64), symbolic data addresses (SymVal, offset in bytes) and code
addresses (CodeLoc); plus the C types of the init block, used to print and
compare final values the way herd7 does."""
from __future__ import annotations

from weakmem.litmus.ast import SymVal
from weakmem.semantics.runner import C_TYPES, DEFAULT_C_TYPE

M64 = (1 << 64) - 1


class ValError(Exception):
    """An operation herd7 refuses on these values (e.g. masking an address)."""


class CodeLoc:
    """The address of an instruction: thread `tid`'s code, index `idx`.
    `names` are the labels at that position (printed as herd7 does,
    `label:"P0:L0"`)."""
    __slots__ = ("tid", "idx", "names")

    def __init__(self, tid: int, idx: int, names: tuple[str, ...] = ()):
        self.tid = tid
        self.idx = idx
        self.names = names

    def __eq__(self, other):
        return isinstance(other, CodeLoc) and other.tid == self.tid and other.idx == self.idx

    def __hash__(self):
        return hash(("code", self.tid, self.idx))

    def __repr__(self):
        return f"CodeLoc({self.tid},{self.idx})"

    def __str__(self):
        if self.names:
            return f'label:"P{self.tid}:{sorted(self.names)[0]}"'
        return f'label:"P{self.tid}:##{self.idx}"'


def s64(x: int) -> int:
    x &= M64
    return x - (1 << 64) if x >> 63 else x


def u64(x: int) -> int:
    return x & M64


def show(v) -> str:
    if isinstance(v, SymVal):
        return v.name if not v.offset else f"{v.name}+{v.offset}"
    return str(v)


def need_int(v, what: str) -> int:
    if isinstance(v, int):
        return v
    raise ValError(f"Illegal operation {what} on {show(v)}")


def mask(v, nbytes: int):
    """herd7's Mask: keep the low `nbytes` bytes (no-op for 8)."""
    if nbytes >= 8:
        return v
    return need_int(v, f"mask{8 * nbytes}") & ((1 << (8 * nbytes)) - 1)


def sxt(v, nbytes: int):
    """Sign-extend from `nbytes` bytes."""
    x = need_int(v, f"sxt{8 * nbytes}")
    bits = 8 * nbytes
    x &= (1 << bits) - 1
    if x >> (bits - 1):
        x -= 1 << bits
    return s64(x)


def add(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return s64(a + b)
    if isinstance(a, SymVal) and isinstance(b, int):
        return SymVal(a.name, a.offset + b) if b else a
    if isinstance(b, SymVal) and isinstance(a, int):
        return SymVal(b.name, b.offset + a) if a else b
    if isinstance(a, CodeLoc) and isinstance(b, int) and b % 4 == 0:
        return CodeLoc(a.tid, a.idx + b // 4)
    raise ValError(f"Illegal operation add on {show(a)} and {show(b)}")


def sub(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return s64(a - b)
    if isinstance(a, SymVal) and isinstance(b, int):
        return SymVal(a.name, a.offset - b) if b else a
    if isinstance(a, SymVal) and isinstance(b, SymVal) and a.name == b.name:
        return a.offset - b.offset
    if a == b:
        return 0
    raise ValError(f"Illegal operation sub on {show(a)} and {show(b)}")


def logic(op: str, a, b):
    """and / or / xor / bic (a & ~b) / orn (a | ~b) / eon (a ^ ~b)."""
    if isinstance(a, int) and isinstance(b, int):
        if op == "and":
            return s64(a & b)
        if op == "or":
            return s64(a | b)
        if op == "xor":
            return s64(a ^ b)
        if op == "bic":
            return s64(a & ~b)
        if op == "orn":
            return s64(a | ~b)
        if op == "eon":
            return s64(a ^ ~b)
    if a == b:
        if op == "xor":
            return 0
        if op in ("and", "or"):
            return a
        if op == "bic":
            return 0
    if op in ("or", "xor") and (a == 0 or b == 0):
        return b if a == 0 else a
    if op == "and" and (a == 0 or b == 0):
        return 0
    raise ValError(f"Illegal operation {op} on {show(a)} and {show(b)}")


def shift(kind: str, v, n: int, width: int = 64):
    """LSL / LSR / ASR / ROR of a 64-bit value (herd7 computes on Int64)."""
    x = need_int(v, kind.lower())
    if kind == "LSL":
        return s64(x << n) if n < 64 else 0
    if kind == "LSR":
        return s64(u64(x) >> n) if n < 64 else 0
    if kind == "ASR":
        if width < 64:
            x &= (1 << width) - 1
            if x >> (width - 1):
                x -= 1 << width
        return s64(x >> n) if n < 64 else (-1 if x < 0 else 0)
    if kind == "ROR":
        n %= width
        m = (1 << width) - 1
        y = x & m
        return s64(((y >> n) | (y << (width - n))) & m)
    if kind == "MSL":
        return s64((x << n) | ((1 << n) - 1))
    raise ValError(f"unknown shift {kind}")


# --------------------------------------------------------------------------
# C types of the init block (weakmem.semantics.runner.C_TYPES)
# --------------------------------------------------------------------------

def type_bits(ctype: str | None) -> tuple[int, bool]:
    """(bits, signed) of a declared type; pointers are 64-bit."""
    if ctype is None:
        return C_TYPES[DEFAULT_C_TYPE]
    c = " ".join(ctype.replace("*", " * ").split())
    if "*" in c:
        return 64, False
    if c.startswith("atomic_"):
        c = c[len("atomic_"):]
    return C_TYPES.get(c, C_TYPES[DEFAULT_C_TYPE])


def type_size(ctype: str | None) -> int:
    """Size in bytes of one element of a location of this type."""
    bits, _ = type_bits(ctype)
    return max(1, bits // 8)


def normalize(v, ctype: str | None):
    """A value as herd7 prints/compares it for a location or register of
    type `ctype`: integers truncated to the type's width, signed or not."""
    if not isinstance(v, int):
        return v
    bits, signed = type_bits(ctype)
    if bits >= 128:
        return v
    x = v & ((1 << bits) - 1)
    if signed and x >> (bits - 1):
        x -= 1 << bits
    return x
