"""One walk of a litmus test's trees (weakmem.litmus.ast's nodes: C code,
init items, terms, propositions): a node's children are read from its
declared fields, so every consumer (the dialect detector, the hardware
harness, the parser's own checks...) sees the same tree, in source order.
Conditions have their visitor too (weakmem.litmus.cond.PropVisitor)."""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import lru_cache
from typing import Iterator


@lru_cache(maxsize=None)
def _child_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name != "pos")


def _is_node(x) -> bool:
    return is_dataclass(x) and not isinstance(x, type)


def children(node) -> Iterator:
    """The nodes right below `node` (a node, or a tuple/list of nodes), in
    field order; nothing below anything else (None, a string...)."""
    if isinstance(node, (tuple, list)):
        yield from (x for x in node if _is_node(x))
    elif _is_node(node):
        for name in _child_fields(type(node)):
            v = getattr(node, name)
            if isinstance(v, (tuple, list)):
                yield from (x for x in v if _is_node(x))
            elif _is_node(v):
                yield v


def walk(node) -> Iterator:
    """Every node in `node` (a node, a tuple/list of nodes, or None), parents
    before children, in source order."""
    if _is_node(node):
        yield node
    for c in children(node):
        yield from walk(c)
