"""Run `weakmem matrix` over corpora of C litmus tests: timing and consistency.

    python3 benchmarks/matrix.py                     # LKMM tests in ../shared/corpus
    python3 benchmarks/matrix.py -j 2 FILE_OR_DIR... # any C tests
    python3 benchmarks/matrix.py --limit 50 --timeout 10

Each test runs in its own `weakmem matrix --format json` process (with a
wall-clock limit and an address-space limit), so one explosive test cannot
take the run down.  Printed:

* per-row wall time (median, 95th percentile, max) and per-test time;
* how many hardware rows have a verdict, are `Not compiled` (with the
  reasons), `Undetermined`, `Error`;
* consistency: the language model of the test's dialect (lkmm for Linux,
  c11 for QEMU/C11) is meant to be sound for every architecture, so a
  hardware row `Sometimes`/`Always` where it says `Never` is listed as
  SUSPECT (a wrong mapping, or a CPU model bug, or a model that is too
  strong -- e.g. RC11's load-buffering ban).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpus"
DEFAULT = [SHARED / "lkmm" / "litmus-tests", SHARED / "pmk-manual"]


# herd's performance stress tests (5-thread lock chains): minutes each even
# for the language rows; name the directory explicitly to include them
SKIP_DIRS = {"absperf"}


def files_of(paths) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(f for f in sorted(p.rglob("*.litmus")) if not SKIP_DIRS & set(f.relative_to(p).parts[:-1]))
        elif p.exists():
            out.append(p)
    return [f for f in out if f.read_text(errors="replace").lstrip().startswith("C ")]


def limit_memory(mb: int):
    def f():
        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    return f


def run_one(f: Path, timeout: float, wall: float, mem: int) -> dict:
    t = time.monotonic()
    cmd = [sys.executable, "-m", "weakmem.cli", "matrix", "--format", "json", "--timeout", str(timeout), str(f)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=wall, preexec_fn=limit_memory(mem))
    except subprocess.TimeoutExpired:
        return {"file": str(f), "status": "wall-timeout", "seconds": time.monotonic() - t}
    dt = time.monotonic() - t
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"file": str(f), "status": "input-error" if "error:" in err else "crash", "error": err, "seconds": dt}
    return {"file": str(f), "status": "ok", "rows": json.loads(p.stdout), "seconds": dt}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=[str(p) for p in DEFAULT])
    ap.add_argument("-j", type=int, default=2, help="parallel tests (default 2)")
    ap.add_argument("--timeout", type=float, default=20, help="per-row limit passed to weakmem (s)")
    ap.add_argument("--wall", type=float, default=300, help="per-test wall-clock limit (s)")
    ap.add_argument("--mem", type=int, default=2500, help="per-test address-space limit (MiB)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tests")
    ap.add_argument("--quiet", action="store_true", help="no per-test lines")
    a = ap.parse_args(argv)
    files = files_of(a.paths)
    if a.limit:
        files = files[:a.limit]
    t0 = time.monotonic()
    results = []
    with ThreadPoolExecutor(a.j) as ex:
        for r in ex.map(lambda f: run_one(f, a.timeout, a.wall, a.mem), files):
            results.append(r)
            if not a.quiet:
                print(f"{r['seconds']:7.2f}s {r['status']:12} {os.path.relpath(r['file'])}", flush=True)
    total = time.monotonic() - t0
    statuses = collections.Counter(r["status"] for r in results)
    hw = collections.Counter()
    reasons = collections.Counter()
    row_times = []
    suspects = []
    for r in results:
        if r["status"] != "ok":
            continue
        rows = r["rows"]
        ref = next((x["verdict"] for x in rows if x["target"] in ("lkmm", "c11")), None)
        for x in rows:
            row_times.append(x.get("seconds", 0))
            if x["target"] in ("SC", "c11", "qemu", "lkmm"):
                continue
            hw[x["verdict"]] += 1
            if x["verdict"] not in ("Always", "Sometimes", "Never"):
                reasons[x.get("reason", "")[:100]] += 1
            elif ref == "Never" and x["verdict"] != "Never":
                suspects.append((r["file"], x["target"], x["verdict"],
                                 x["instructions"] + (" | NOTE: " + x["note"][-30:] if x.get("note") else "")))
    print()
    print(f"{len(files)} tests in {total:.1f} s ({a.j} at a time); " +
          ", ".join(f"{k}: {v}" for k, v in statuses.most_common()))
    per_test = sorted(r["seconds"] for r in results)
    if per_test:
        print(f"per test: median {statistics.median(per_test):.2f} s, max {per_test[-1]:.2f} s")
    if row_times:
        row_times.sort()
        print(f"per row:  median {statistics.median(row_times):.3f} s, "
              f"95% {row_times[int(len(row_times) * .95)]:.3f} s, max {row_times[-1]:.2f} s")
    print("hardware rows: " + ", ".join(f"{k}: {v}" for k, v in hw.most_common()))
    for k, v in reasons.most_common(15):
        print(f"  {v:5d}  {k}")
    for r in results:
        if r["status"] not in ("ok",):
            print(f"{r['status']}: {os.path.relpath(r['file'])} {r.get('error', '')}")
    print(f"SUSPECT (hardware allows what the language model forbids): {len(suspects)}")
    for f, t, v, ins in suspects:
        print(f"  {os.path.relpath(f)}  {t}: {v}  [{ins}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
