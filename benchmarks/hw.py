#!/usr/bin/env python3
"""Long `weakmem hw` runs: iterations per second and relaxed-outcome frequencies.

usage: python3 benchmarks/hw.py [-n 1000000] [--catalogue-n 200000] [--no-catalogue] [--json FILE]

Runs on this machine (gcc, x86-64):
  * the classic shapes: SB (examples, and the x86 catalogue's), SB with
    smp_mb()/MFENCE, MP, LB, 2+2W -- each with -n iterations;
  * the gallery's QEMU bottom-half (2015, before and after the fix) and Xen
    shutdown handshake (without and with barriers), from their own API;
  * every test of ../shared/corpus/catalogue/{x86,x86_64} with
    --catalogue-n iterations: the number of "observed but forbidden" under
    x86-TSO (must be 0).
Prints one row per test: iterations, seconds, iterations/s, how often the
condition's outcome was seen, and each model's status.  With litmus7 on the
PATH (herd7's companion) it also times litmus7 on the x86 SB for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from weakmem.hw import HwOptions, run_hw  # noqa: E402

SHARED = Path(os.environ.get("WEAKMEM_SHARED", ROOT.parent / "shared"))
CAT = SHARED / "corpus" / "catalogue"
EX = ROOT / "examples"
GAL = EX / "gallery"


def classic() -> list[Path]:
    out = [EX / "SB.litmus", EX / "SB+mb.litmus"]
    for name in ("SB", "SB+mfences", "MP", "LB", "2+2W"):
        p = CAT / "x86" / "tests" / f"{name}.litmus"
        if p.exists():
            out.append(p)
    out += [GAL / "QEMU-bh-schedule-2015-before.litmus", GAL / "QEMU-bh-schedule-2015-after.litmus",
            GAL / "Xen-shutdown-deferral+nobarrier.litmus", GAL / "Xen-shutdown-deferral.litmus"]
    return out


def row(r) -> dict:
    return {"test": r.test, "file": r.path, "iterations": r.iterations, "seconds": round(r.seconds, 3),
            "per_second": round(r.rate), "condition_count": r.condition_count,
            "frequency": (r.condition_count / r.iterations) if r.iterations else 0.0,
            "forbidden_seen": r.forbidden_seen, "threads": r.threads, "pinned": r.pinned,
            "models": {v.model: v.status for v in r.verdicts},
            "histogram": [{"state": s, "count": c} for s, c in r.histogram]}


def show(d: dict) -> None:
    models = "; ".join(f"{m}: {s}" for m, s in d["models"].items())
    print(f"{d['test']:<40} {d['iterations']:>9} {d['seconds']:>7.2f}s {d['per_second']:>9}/s "
          f"{d['condition_count']:>7} ({100 * d['frequency']:.3f}%)  {models}"
          + ("" if d["pinned"] else "  [time-shared]"))
    sys.stdout.flush()


def litmus7_sb(n: int) -> str | None:
    exe = shutil.which("litmus7") or (str(Path.home() / ".cache/herd7/bin/litmus7")
                                     if (Path.home() / ".cache/herd7/bin/litmus7").exists() else None)
    sb = CAT / "x86" / "tests" / "SB.litmus"
    if exe is None or not sb.exists():
        return None
    with tempfile.TemporaryDirectory() as d:
        size = 1000
        subprocess.run([exe, "-o", d, "-s", str(size), "-r", str(max(1, n // size)), str(sb)],
                       check=True, capture_output=True)
        subprocess.run(["make", "-C", d], check=True, capture_output=True)
        t0 = time.monotonic()
        p = subprocess.run(["sh", "run.sh"], cwd=d, capture_output=True, text=True)
        return f"litmus7 SB: {n} iterations in {time.monotonic() - t0:.2f} s\n{p.stdout[-600:]}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--catalogue-n", type=int, default=200_000)
    ap.add_argument("--no-catalogue", action="store_true")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--json", metavar="FILE")
    a = ap.parse_args()
    rows = []
    print(f"{'test':<40} {'iterations':>9} {'time':>8} {'rate':>11} {'condition seen':>16}  models")
    for p in classic():
        r = run_hw(str(p), HwOptions(iterations=a.n, timeout=a.timeout))
        rows.append(row(r))
        show(rows[-1])
    forbidden = 0
    n_cat = 0
    if not a.no_catalogue and CAT.is_dir():
        print(f"\ncatalogue x86 + x86_64, {a.catalogue_n} iterations each")
        for p in sorted((CAT / "x86" / "tests").glob("*.litmus")) + sorted((CAT / "x86_64" / "tests").glob("*.litmus")):
            r = run_hw(str(p), HwOptions(iterations=a.catalogue_n, timeout=a.timeout))
            d = row(r)
            d["test"] = f"{p.parent.parent.name}/{r.test}"
            rows.append(d)
            show(d)
            n_cat += 1
            forbidden += bool(r.forbidden_seen)
        print(f"catalogue: {n_cat} tests, {forbidden} with an observed-but-forbidden state")
    total_it = sum(d["iterations"] for d in rows)
    total_s = sum(d["seconds"] for d in rows)
    print(f"\ntotal: {total_it} iterations in {total_s:.1f} s of runs ({total_it / total_s:,.0f}/s); "
          f"load {os.getloadavg()[0]:.1f}")
    l7 = litmus7_sb(a.n)
    if l7:
        print(l7)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
