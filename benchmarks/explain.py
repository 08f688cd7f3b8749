#!/usr/bin/env python3
"""Cost of explaining a test next to checking it (target: explain <= 2x check).

usage: python3 benchmarks/explain.py [-n 5] [FILE ...]
For each test (by default the 4-thread tests of ../shared's LKMM and x86
catalogues, plus examples/SB+mb.litmus), times `check_test` (the verdict)
and `weakmem.explain.explain` (verdict with the cat failure hook on, plus
the groups, shortest cycles and edge names, or the witness, its unordered
pairs and the fences that would forbid it; rendering included), in CPU seconds, best of n after a
warm-up, and prints the ratio per test and overall.  The models are loaded
once, outside the timings, as in `weakmem run` over many files."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SHARED = Path(os.environ.get("WEAKMEM_SHARED", HERE.parent.parent / "shared"))

LKMM = SHARED / "corpus/lkmm/model"
LIB = SHARED / "corpus/herd-libdir"
OFFICIAL = {"conf": str(LKMM / "linux-kernel.cfg"), "includes": [str(LKMM)]}

# 4-thread assembly tests (the catalogues hold none): IRIW with full fences
IRIW_X86 = """X86 IRIW+mfences
{ }
 P0         | P1          | P2         | P3          ;
 MOV [x],$1 | MOV EAX,[x] | MOV [y],$1 | MOV EAX,[y] ;
            | MFENCE      |            | MFENCE      ;
            | MOV EBX,[y] |            | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0 /\\ 3:EAX=1 /\\ 3:EBX=0)
"""
IRIW_X86_PO = IRIW_X86.replace("IRIW+mfences", "IRIW").replace(" MFENCE      ", " MOV ECX,$0  ")
IRIW_ARM = """AArch64 IRIW+dmb.sys
{ 0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 3:X1=y; 3:X3=x; }
 P0          | P1          | P2          | P3          ;
 MOV W0,#1   | LDR W0,[X1] | MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | DMB SY      | STR W0,[X1] | DMB SY      ;
             | LDR W2,[X3] |             | LDR W2,[X3] ;
exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)
"""

DEFAULT_TESTS = [
    # (file or inline text, options, label)
    (HERE.parent / "examples" / "SB+mb.litmus", {}, "lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/IRIW+mbonceonces+OnceOnce.litmus", {}, "lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/IRIW+mbonceonces+OnceOnce.litmus", OFFICIAL, "herd lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/IRIW+fencembonceonces+OnceOnce.litmus", OFFICIAL, "herd lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/Z6.0+pooncelock+poonceLock+pombonce.litmus", OFFICIAL, "herd lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/IRIW+poonceonces+OnceOnce.litmus", {}, "lkmm"),
    (SHARED / "corpus/lkmm/litmus-tests/IRIW+poonceonces+OnceOnce.litmus", OFFICIAL, "herd lkmm"),
    (HERE.parent / "examples" / "SB.litmus", {}, "lkmm"),
    (IRIW_X86, {}, "x86-tso"),
    (IRIW_X86, {"model": str(LIB / "x86tso.cat"), "includes": [str(LIB)]}, "x86tso.cat"),
    (IRIW_X86_PO, {}, "x86-tso"),
    (IRIW_ARM, {}, "aarch64"),
    (IRIW_ARM, {"model": str(LIB / "aarch64.cat"), "includes": [str(LIB)]}, "aarch64.cat"),
]


def cpu() -> float:
    return time.process_time()


def best(fn, n: int) -> float:
    fn()                                   # warm-up: compiled model programs, caches
    out = []
    for _ in range(n):
        t0 = cpu()
        fn()
        out.append(cpu() - t0)
    return min(out)


def main() -> None:
    from weakmem.explain import explain
    from weakmem.explain.render import render_text
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test

    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="weakmem-bench-"))
    tests = []
    for f, o, label in ([(Path(f), {}, "default") for f in a.files] or DEFAULT_TESTS):
        if isinstance(f, str):
            p = tmp / (f.split()[1] + ".litmus")
            p.write_text(f)
            f = p
        elif not f.exists():
            continue
        if any(str(v).startswith(str(SHARED)) for v in o.values()) and not SHARED.is_dir():
            continue
        tests.append((f, o, label))
    models = ModelCache()
    tot_c = tot_e = 0.0
    print(f"{'test':45} {'model':11} {'threads':>7} {'check s':>9} {'explain s':>10} {'ratio':>6}")
    for path, o, label in tests:
        opts = Options(**o)
        test = parse_litmus(str(path))
        lm = models.get(opts, test.arch, test)
        tc = best(lambda: check_test(test, lm, opts), a.n)
        te = best(lambda: render_text(explain(test, lm, opts)), a.n)
        tot_c += tc
        tot_e += te
        print(f"{path.name:45} {label:11} {len(test.threads):>7} {tc:9.4f} {te:10.4f} {te / tc:6.2f}")
    if tot_c:
        print(f"{'total':45} {'':11} {'':>7} {tot_c:9.4f} {tot_e:10.4f} {tot_e / tot_c:6.2f}  "
              f"(target <= 2.00; load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
