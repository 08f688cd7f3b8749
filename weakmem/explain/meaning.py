"""One sentence on what a failing check means, for the well-known ones.

Keyed first on the *shape* of the check, recognised from its cat AST and its
value on the execution:

* coherence / SC per location -- an acyclic check whose relation is built
  only from po-loc (or po & loc) and the communication relations rf, co,
  fr (and their internal/external parts);
* atomicity -- an `empty` check whose expression involves rmw, intersected
  with something built from fr/co (the read and write of an RMW with
  another write in between);

and then on the *role* the model's author gave the check by its name
(names are how cat files state roles: `happens-before`/`hb`,
`propagation`/`pb`, `observation`/`obs`, `ghb`/`tso`, `sc`, `rcu`,
`no-thin-air`/`thin-air`, `external`/`ob`, `causality`); one sentence for each
role, the same whatever the model.  Other checks get no sentence.
"""
from __future__ import annotations

import re

from weakmem.cat import ast as A

_COM = {"rf", "rfe", "rfi", "co", "coe", "coi", "fr", "fre", "fri", "com", "com-loc",
        "po-loc", "po", "loc", "ws", "ws-loc", "id"}

_ROLES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(coherence|sc-per-location|sc_per_location|uniproc|scpv|coww|corr|cowr|corw)$"),
     "coherence (SC per location): the accesses to one location cannot be put in a single order that "
     "respects program order and the values read"),
    (re.compile(r"^(atomic|atomicity|rmw-isolation|rmw_isolation)$"),
     "atomicity: another write to the location comes between the read and the write of an atomic "
     "read-modify-write"),
    (re.compile(r"^(happens-before|hb|causality|happens_before)$"),
     "happens-before: each event would have to happen before itself (program-order constraints the "
     "model keeps, plus values passed between threads, form a loop in time)"),
    (re.compile(r"^(propagation|pb|prop)$"),
     "propagation: a store would have to reach a CPU before a strong fence that, in turn, must "
     "happen before that store propagated -- the fences' ordering forms a loop"),
    (re.compile(r"^(observation|obs|observe)$"),
     "observation: a read sees an old value although the new one was propagated to its CPU before "
     "the read executed"),
    (re.compile(r"^(ghb|tso|global-order|x86-tso)$"),
     "global order: there is no single order of all memory accesses that respects the program order "
     "the CPU keeps (TSO: all but store-then-load) and the values read"),
    (re.compile(r"^(sc|sequential-consistency|total)$"),
     "sequential consistency: no interleaving of the threads' accesses in program order gives these "
     "values"),
    (re.compile(r"^(rcu|rcu-order|rb)$"),
     "RCU: a grace period would not wait for a read-side critical section that started before it"),
    (re.compile(r"^(no-thin-air|thin-air|nta|no_thin_air)$"),
     "no thin air: values would be justified only by themselves through dependencies"),
    (re.compile(r"^(external|ob|order|ordered-before)$"),
     "ordered-before: the orders the architecture guarantees between and across CPUs form a loop"),
]


def meaning_of(check: str, failure) -> str:
    """The sentence for a failing check (weakmem.cat.failure.CheckFailure),
    or "" when it is not a well-known one."""
    shape = _shape(failure)
    if shape:
        return shape
    name = check.strip().lower()
    for pat, text in _ROLES:
        if pat.match(name):
            return text[0].upper() + text[1:] + "."
    return ""


def is_coherence(test: str, negated: bool, expr, scope) -> bool:
    """An acyclic check over po-loc (or po & loc) and rf/co/fr only."""
    if test != "acyclic" or negated:
        return False
    try:
        leaves = _leaves(expr, scope, set(), 0)
    except Exception:   # noqa: BLE001 -- a shape is optional, never an error
        return False
    return bool(leaves) and leaves <= _COM and (
        "po-loc" in leaves or ("po" in leaves and "loc" in leaves)) and bool(leaves & {"rf", "fr", "co", "com"})


def _shape(failure) -> str:
    if is_coherence(failure.test, failure.negated, failure.expr, failure.scope):
        return _ROLES[0][1][0].upper() + _ROLES[0][1][1:] + "."
    try:
        leaves = _leaves(failure.expr, failure.scope, set(), 0)
    except Exception:   # noqa: BLE001 -- a sentence is optional, never an error
        return ""
    if failure.test == "empty" and not failure.negated and "rmw" in leaves and leaves & {
            "fr", "fre", "co", "coe"}:
        return _ROLES[1][1][0].upper() + _ROLES[1][1][1:] + "."
    return ""


_LEAF_STOP = _COM | {"rmw", "amo", "lxsx", "ext", "int"}


def _leaves(e, sc, seen: set, depth: int) -> set[str]:
    """The relation names an expression is built from, unfolding
    let-definitions down to well-known names."""
    out: set[str] = set()
    if depth > 30 or e is None:
        return out
    if isinstance(e, A.Var):
        if e.name in _LEAF_STOP or sc.is_input(e.name):
            out.add(e.name)
            return out
        d = sc.definition(e.name)
        key = (e.name, id(sc.top))
        if d is None or key in seen:
            out.add(e.name)
            return out
        seen.add(key)
        return _leaves(d[0], d[1], seen, depth + 1)
    if isinstance(e, A.ToId):
        return out
    for f in ("e", "f", "arg"):
        x = getattr(e, f, None)
        if isinstance(x, A.Expr) and not isinstance(e, A.ToId):
            out |= _leaves(x, sc, seen, depth + 1)
    for x in getattr(e, "args", None) or []:
        if isinstance(e, A.Binop) and e.op == "cart":
            continue
        out |= _leaves(x, sc, seen, depth + 1)
    return out


__all__ = ["meaning_of", "is_coherence"]
