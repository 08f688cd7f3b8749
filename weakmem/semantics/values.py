"""Runtime values and operators shared by every front-end.

A value is a Python int or a `SymVal` (symbolic address `x`, `x+1`).
"""
from __future__ import annotations

from weakmem.litmus.ast import SymVal
from weakmem.semantics.events import Val


class ValueError_(Exception):
    """An operation that makes no sense on these values (e.g. x * y on
    addresses); the front-end turns it into a LitmusError with a position."""


def truth(v: Val) -> bool:
    if isinstance(v, SymVal):
        return True        # a valid address is never null
    return v != 0


def _cmp_key(v: Val):
    if isinstance(v, SymVal):
        return (1, v.name, v.offset)
    return (0, "", v)


def wrap32(v: int) -> int:
    """C `int` arithmetic (herd7 uses 32-bit signed values)."""
    return ((v + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def binop(op: str, a: Val, b: Val) -> Val:
    r = _binop(op, a, b)
    return wrap32(r) if isinstance(r, int) else r


def _binop(op: str, a: Val, b: Val) -> Val:
    sa, sb = isinstance(a, SymVal), isinstance(b, SymVal)
    if op == "==":
        return int(a == b)
    if op == "!=":
        return int(a != b)
    if op == "&&":
        return int(truth(a) and truth(b))
    if op == "||":
        return int(truth(a) or truth(b))
    if sa or sb:
        if op == "+" and sa and not sb:
            return SymVal(a.name, a.offset + b)
        if op == "+" and sb and not sa:
            return SymVal(b.name, b.offset + a)
        if op == "-" and sa and not sb:
            return SymVal(a.name, a.offset - b)
        if op == "-" and sa and sb and a.name == b.name:
            return a.offset - b.offset
        if op in ("<", "<=", ">", ">="):
            ka, kb = _cmp_key(a), _cmp_key(b)
            return int({"<": ka < kb, "<=": ka <= kb, ">": ka > kb, ">=": ka >= kb}[op])
        if op in ("^", "&", "|") and sa and sb and a == b:
            # x ^ x is 0, x & x / x | x is x: herd's symbolic values allow these
            return 0 if op == "^" else a
        raise ValueError_(f"operator '{op}' is not defined on address {a if sa else b}")
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise ValueError_("division by zero")
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    if op == "%":
        if b == 0:
            raise ValueError_("division by zero")
        return a - b * binop("/", a, b)
    if op == "&":
        return a & b
    if op == "|":
        return a | b
    if op == "^":
        return a ^ b
    if op in ("<<", ">>"):
        if b < 0:
            raise ValueError_(f"negative shift count {b}")
        if op == "<<":
            return a << b if b < 64 else 0          # (the result is wrapped to 32 bits)
        return a >> b if b < 64 else (-1 if a < 0 else 0)
    if op == "<":
        return int(a < b)
    if op == "<=":
        return int(a <= b)
    if op == ">":
        return int(a > b)
    if op == ">=":
        return int(a >= b)
    raise ValueError_(f"unknown operator '{op}'")


def unop(op: str, a: Val) -> Val:
    if op == "!":
        return int(not truth(a))
    if isinstance(a, SymVal):
        raise ValueError_(f"operator '{op}' is not defined on address {a.name}")
    if op == "-":
        return wrap32(-a)
    if op == "~":
        return ~a
    if op == "+":
        return a
    raise ValueError_(f"unknown operator '{op}'")
