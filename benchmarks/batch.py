#!/usr/bin/env python3
"""`weakmem check -j 2` against `-j 1` on a corpus (target: -j 2 takes at most
0.6x the wall time of -j 1 on pmk-manual), optionally also `--dask local`.

usage: python3 benchmarks/batch.py [--timeout 20] [--jobs 1,2] [--dask] [--herd7] [CORPUS]

CORPUS defaults to ../shared/corpus/pmk-manual, checked under the LKMM
model shipped beside it (--conf linux-kernel.cfg -I ../shared/corpus/lkmm/model),
as herd7's reference results were.  Each configuration runs the whole
`weakmem check` process (worker start-up included) on the same files,
without a results store; the script prints wall time, CPU time (all
processes), the judgement counts and the ratio to the first configuration,
and checks that every configuration judged every test the same way.
For -j 1 it also prints the per-test overhead (wall time beyond the tests'
own seconds: process and worker start-up, handing tests out, judging) and
the wall time the same test times would take on two free cores in the
batch's order (what -j 2 can reach on a quiet machine).  Rows are appended
to benchmarks/results/batch.jsonl.
With --herd7 (and herd7 on PATH or in ~/.cache/herd7/bin) herd7 runs the same
files one after another with the same per-test time limit, for scale.
"""
from __future__ import annotations

import argparse
import heapq
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _common import append_rows  # noqa: E402

SHARED = Path(os.environ.get("WEAKMEM_SHARED", ROOT.parent / "shared"))


def run_check(corpus: Path, extra: list[str], how: list[str]) -> tuple[float, float, dict[str, str], dict[str, float]]:
    """Wall time of the whole command, the CPU seconds its workers spent on
    tests (from the JSON report: worker processes are not our children),
    the judgement per file and the seconds each test took in its worker."""
    cmd = [sys.executable, "-m", "weakmem", "check", "-q", "--format", "json", *extra, *how, str(corpus)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    out = {}
    secs = {}
    cpu = 0.0
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            o = json.loads(line)
            out[o["file"]] = o["judgement"]
            secs[o["file"]] = o.get("seconds") or 0.0
            cpu += o.get("cpu") or 0.0
    return wall, cpu, out, secs


def makespan(seconds: list[float], workers: int) -> float:
    """The wall time of handing tests, in this order, to the first free of
    `workers` workers, if each took the given seconds (no overhead)."""
    free = [0.0] * workers
    for s in seconds:
        heapq.heappush(free, heapq.heappop(free) + s)
    return max(free)


def herd7_time(corpus: Path, timeout: float) -> float | None:
    exe = shutil.which("herd7") or str(Path.home() / ".cache" / "herd7" / "bin" / "herd7")
    if not os.path.exists(exe):
        return None
    model = SHARED / "corpus" / "lkmm" / "model"
    t0 = time.perf_counter()
    for f in sorted(corpus.rglob("*.litmus")):
        try:
            subprocess.run([exe, "-I", str(model), "-conf", "linux-kernel.cfg", str(f)], cwd=model,
                           capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(SHARED / "corpus" / "pmk-manual"))
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--jobs", default="1,2", help="comma-separated -j values")
    ap.add_argument("--dask", action="store_true", help="also --dask local with 2 workers")
    ap.add_argument("--herd7", action="store_true", help="also time herd7 on the same files")
    a = ap.parse_args()
    corpus = Path(a.corpus)
    if not corpus.is_dir():
        sys.exit(f"{corpus}: no such corpus (needs ../shared)")
    extra = ["--timeout", str(a.timeout)]
    model = SHARED / "corpus" / "lkmm" / "model"
    if model.is_dir():
        extra += ["--conf", "linux-kernel.cfg", "-I", str(model)]
    configs = [["-j", j] for j in a.jobs.split(",")]
    if a.dask:
        configs.append(["--dask", "local", "--dask-workers", "2"])
    print(f"corpus {corpus} ({sum(1 for _ in corpus.rglob('*.litmus'))} tests), timeout {a.timeout:g} s, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}  (a loaded machine cannot show the speed-up)")
    base = None
    first = None
    rows = []
    for how in configs:
        load0 = os.getloadavg()[0]
        wall, cpu, judged, secs = run_check(corpus, extra, how)
        counts = Counter(judged.values())
        ratio = "" if base is None else f"  ratio {wall / base:.2f}x"
        load = max(load0, os.getloadavg()[0])
        print(f"weakmem check {' '.join(how):28s} wall {wall:7.1f} s  test cpu {cpu:7.1f} s  "
              + " ".join(f"{k} {counts[k]}" for k in ("pass", "fail", "error", "undetermined", "unjudged"))
              + ratio + f"  (load {load:.1f})", flush=True)
        row = {"corpus": corpus.name, "how": " ".join(how), "tests": len(judged), "timeout": a.timeout,
               "wall": round(wall, 2), "test_seconds": round(sum(secs.values()), 2), "test_cpu": round(cpu, 2),
               "ratio": round(wall / base, 3) if base else 1.0, "load": round(load, 1),
               "time": time.strftime("%Y-%m-%d %H:%M")}
        if how == ["-j", "1"] and judged:
            # what the pool, the parent and process start-up cost beyond the tests themselves,
            # and the best -j 2 could do with these test times in the batch's order
            over = (wall - sum(secs.values())) / len(judged)
            ideal = makespan([secs[f] for f in sorted(secs)], 2)
            row.update(overhead_ms_per_test=round(over * 1000, 1), ideal_j2_ratio=round(ideal / wall, 3))
            print(f"  overhead beyond the tests' own time {over * 1000:.1f} ms per test; these test times "
                  f"on 2 free cores, in the batch's order: {ideal:.1f} s = {ideal / wall:.2f}x", flush=True)
        rows.append(row)
        if base is None:
            base, first = wall, judged
        else:
            diff = [f for f in set(first) | set(judged) if first.get(f) != judged.get(f)]
            if diff:
                print(f"  judgements differ from the first run on {len(diff)} tests "
                      f"(undetermined ones can: time limits): {sorted(diff)[:5]}")
    append_rows("batch.jsonl", rows)
    if a.herd7:
        t = herd7_time(corpus, a.timeout)
        print("herd7: not found" if t is None else f"herd7 (one after another)  wall {t:7.1f} s")


if __name__ == "__main__":
    main()
