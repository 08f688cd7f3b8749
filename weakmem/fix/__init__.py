"""`weakmem fix`: the cheapest changes, in the test's own API, that make its outcome impossible.

    from weakmem.fix import fix_test
    rep = fix_test("SB.litmus")                  # -> FixReport
    rep.fixes[0].changes, rep.fixes[0].cost, rep.fixes[0].litmus

Modules: menu (what may be inserted or strengthened, per API), sites (where,
in a C test), asm (where, in an assembly test), patch (text and diff),
costs (instruction weights per CPU), verify (running every target), search
(minimal sets), prune (dropping changes that cannot help), core
(fix_test), command (the CLI).  docs/fix.md describes it all.
"""
from weakmem.fix.core import Fix, FixReport, LoadBearing, fix_test

__all__ = ["fix_test", "Fix", "FixReport", "LoadBearing"]
