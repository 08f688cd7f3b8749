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
With --herd7 (and herd7 on PATH or in ~/.cache/herd7/bin) herd7 runs the same
files one after another with the same per-test time limit, for scale.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WEAKMEM_SHARED", ROOT.parent / "shared"))


def run_check(corpus: Path, extra: list[str], how: list[str]) -> tuple[float, float, dict[str, str]]:
    """Wall time of the whole command, the CPU seconds its workers spent on
    tests (from the JSON report: worker processes are not our children),
    and the judgement per file."""
    cmd = [sys.executable, "-m", "weakmem", "check", "-q", "--format", "json", *extra, *how, str(corpus)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr}")
    out = {}
    cpu = 0.0
    for line in r.stdout.splitlines():
        if line.startswith("{"):
            o = json.loads(line)
            out[o["file"]] = o["judgement"]
            cpu += o.get("cpu") or 0.0
    return wall, cpu, out


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
    for how in configs:
        wall, cpu, judged = run_check(corpus, extra, how)
        counts = Counter(judged.values())
        ratio = "" if base is None else f"  ratio {wall / base:.2f}x"
        print(f"weakmem check {' '.join(how):28s} wall {wall:7.1f} s  test cpu {cpu:7.1f} s  "
              + " ".join(f"{k} {counts[k]}" for k in ("pass", "fail", "error", "undetermined", "unjudged"))
              + ratio + f"  (load {os.getloadavg()[0]:.1f})", flush=True)
        if base is None:
            base, first = wall, judged
        else:
            diff = [f for f in set(first) | set(judged) if first.get(f) != judged.get(f)]
            if diff:
                print(f"  judgements differ from the first run on {len(diff)} tests "
                      f"(undetermined ones can: time limits): {sorted(diff)[:5]}")
    if a.herd7:
        t = herd7_time(corpus, a.timeout)
        print("herd7: not found" if t is None else f"herd7 (one after another)  wall {t:7.1f} s")


if __name__ == "__main__":
    main()
