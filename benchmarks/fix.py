"""`weakmem fix` over the gallery (and the kernel's litmus tests): time, runs, costs.

    python3 benchmarks/fix.py                  # every gallery test
    python3 benchmarks/fix.py --kernel         # + ../shared/corpus/lkmm/litmus-tests
    python3 benchmarks/fix.py --markdown       # the docs/fix.md table: best fix vs the historical one
    python3 benchmarks/fix.py FILE...

Targets: a 2-thread test answered in < 2 s, a 4-thread test in < 10 s
(wall and CPU seconds are both printed; the machine may be shared).
Each proposal is also re-checked with `weakmem matrix` (build_matrix on the
patched text) and `weakmem run`'s engine: VERIFIED or a FAILED line.
herd7 has no counterpart to `fix` (it only gives verdicts), so there is no
side-by-side column.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from weakmem.fix import fix_test  # noqa: E402
from weakmem.fix.verify import Verifier  # noqa: E402
from weakmem.matrix.core import build_matrix  # noqa: E402
from weakmem.matrix import mappings as M  # noqa: E402

GALLERY = ROOT / "examples" / "gallery"
KERNEL = Path(os.environ.get("WEAKMEM_SHARED", ROOT.parent / "shared")) / "corpus" / "lkmm" / "litmus-tests"
CPUS = [t.id for t in M.TARGETS]

# (before, after, what the project did) -- docs/gallery.md, the seed threads
HISTORY = [
    ("QEMU-event-xchg+read", "QEMU-event-xchg+mb__after_rmw+read",
     "2023 series: `smp_mb__after_rmw()` after `qatomic_xchg()`"),
    ("QEMU-event-reset-2022", "QEMU-event-reset-2023",
     "2023: unconditional `qatomic_or()` + `smp_mb__after_rmw()`"),
    ("QEMU-doc-fetch_add+read", "QEMU-doc-fetch_add+mb__after_rmw+read",
     "atomics.rst: `smp_mb__after_rmw()` after the RMW"),
    ("QEMU-bh-schedule-2015-before", "QEMU-bh-schedule-2015-after",
     "2015: `atomic_xchg()` on both sides (its implicit full barrier)"),
    ("QEMU-dma-mp-2012-before", "QEMU-dma-mp-2012-after",
     "2012: `smp_mb()` at the start of every DMA access"),
    ("QEMU-dma-notify-wmb", "QEMU-dma-notify-mb",
     "2012: `smp_mb()`, not the per-direction `smp_wmb()`"),
    ("Xen-shutdown-deferral+nobarrier", "Xen-shutdown-deferral", "`smp_mb()` on both sides (the code as it is)"),
    ("Xen-shutdown-deferral+wmb", "Xen-shutdown-deferral", "`smp_mb()` on both sides (the code as it is)"),
]


def reverify(rep) -> list[str]:
    bad = []
    cpus = [t.id for t in rep.targets if t.kind == "cpu"]
    models = [t.id for t in rep.targets if t.kind == "model"]
    v = Verifier(rep.path, "C", rep.dialect) if rep.dialect else None
    for k, f in enumerate(rep.fixes):
        if v is not None:
            for m in models:
                from weakmem.fix.verify import model_target
                out = v.outcome(f.litmus, model_target(m))
                if out.verdict != "Never" and not out.ok:
                    bad.append(f"fix {k + 1}: {m} {out.verdict}")
        if cpus:
            with tempfile.NamedTemporaryFile("w", suffix=".litmus", delete=False) as tf:
                tf.write(f.litmus)
            try:
                m = build_matrix(tf.name, targets=cpus, languages=False)
                bad += [f"fix {k + 1}: {r.target} {r.verdict}" for r in m.rows if r.verdict != "Never"]
            finally:
                os.unlink(tf.name)
    return bad


def bench(files, max_fixes: int) -> int:
    failures = 0
    print(f"{'test':55s} {'thr':>3s} {'wall':>6s} {'cpu':>6s} {'runs':>5s}  result")
    for f in files:
        w0, c0 = time.monotonic(), time.process_time()
        rep = fix_test(str(f), max_fixes=max_fixes)
        wall, cpu = time.monotonic() - w0, time.process_time() - c0
        from weakmem.litmus.parse import parse_litmus
        nthreads = len(parse_litmus(str(f)).threads)
        if rep.already_forbidden:
            res = "already forbidden; load-bearing: " + "; ".join(
                f"P{b.thread}:{b.what}" for b in rep.load_bearing)[:80]
        elif rep.no_fix:
            res = f"no fix: {rep.no_fix[:80]}"
        else:
            best = rep.fixes[0]
            res = f"{len(rep.fixes)} fixes; best: " + "; ".join(
                f"P{c.thread} {c.text if c.kind == 'insert' else c.text}" for c in best.changes) + \
                f"  cost {best.total}"
        bad = reverify(rep)
        limit = 2.0 if nthreads <= 2 else 10.0
        slow = "  SLOW" if cpu > limit else ""
        print(f"{Path(f).stem:55s} {nthreads:3d} {wall:6.2f} {cpu:6.2f} {rep.runs:5d}  {res}"
              f"{'  VERIFIED' if rep.fixes and not bad else ''}{slow}")
        for b in bad:
            failures += 1
            print(f"    FAILED: {b}")
    return failures


def markdown() -> None:
    print("| before | weakmem fix: best | its cost | the historical fix | its cost |")
    print("|---|---|---|---|---|")
    for before, after, what in HISTORY:
        rep = fix_test(str(GALLERY / f"{before}.litmus"), max_fixes=3)
        v = Verifier("h.litmus", "C", rep.dialect)
        a = (GALLERY / f"{before}.litmus").read_text()
        b = (GALLERY / f"{after}.litmus").read_text()
        hist = [v.cost(b, t) - v.cost(a, t) for t in CPUS]
        best = rep.fixes[0]
        changes = "; ".join(f"P{c.thread}: " + (f"`{c.text}`" if c.kind == "insert" else f"`{c.old}` → `{c.text}`")
                            for c in best.changes)
        print(f"| `{before}` | {changes} | {' · '.join(str(best.cost[t]) for t in CPUS)} (Σ {best.total}) "
              f"| {what} (`{after}`) | {' · '.join(str(h) for h in hist)} (Σ {sum(hist)}) |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--kernel", action="store_true", help="also the kernel's litmus tests whose outcome is allowed")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--max-fixes", type=int, default=10)
    a = ap.parse_args()
    if a.markdown:
        markdown()
        return
    files = [Path(f) for f in a.files] or sorted(GALLERY.glob("*.litmus"))
    if a.kernel and KERNEL.is_dir():
        files += [p for p in sorted(KERNEL.glob("*.litmus")) if "Result: Sometimes" in p.read_text()]
    t0 = time.monotonic()
    failures = bench(files, a.max_fixes)
    print(f"{len(files)} tests in {time.monotonic() - t0:.1f} s; {failures} failed re-verifications")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
