#!/usr/bin/env python3
"""Whole-process time for one small test (target: <= 0.15 s wall on a quiet machine).

usage: python3 benchmarks/startup.py [-n 10] [--no-record] [FILE]
Runs `weakmem run FILE` n times (after one warm-up run that fills the
caches: compiled Python, Lark tables, parsed models) and prints the median
and best wall-clock seconds, the median user+sys CPU seconds of one run
(robust to other load on the machine, unlike wall time), the same for a
bare `python3 -c pass` (the interpreter's own start-up: site, .pth files),
the peak memory of one run and the load average.  The line is appended to
benchmarks/results/startup.jsonl unless --no-record.
PYTHONDONTWRITEBYTECODE is removed from the children's environment: with it
Python recompiles every module on every run.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _common import append_rows  # noqa: E402


def measure(cmd: list[str], n: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and user+sys CPU seconds of n runs of cmd (after one warm-up)."""
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    walls, cpus = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return walls, cpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--no-record", action="store_true", help="do not append to results/startup.jsonl")
    ap.add_argument("file", nargs="?", default=os.path.join(HERE, "..", "examples", "SB+mb.litmus"))
    a = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)     # let Python keep its compiled modules
    load0 = os.getloadavg()[0]
    walls, cpus = measure([sys.executable, "-m", "weakmem.cli", "run", a.file], a.n, env)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    bwalls, bcpus = measure([sys.executable, "-c", "pass"], a.n, env)
    load = max(load0, os.getloadavg()[0])
    rec = {"test": os.path.basename(a.file), "runs": a.n,
           "wall_median": round(statistics.median(walls), 3), "wall_best": round(min(walls), 3),
           "cpu_median": round(statistics.median(cpus), 3),
           "bare_python_wall": round(statistics.median(bwalls), 3),
           "bare_python_cpu": round(statistics.median(bcpus), 3),
           "peak_mb": round(peak), "load": round(load, 1), "time": time.strftime("%Y-%m-%d %H:%M")}
    print(f"weakmem run {rec['test']}: wall median {rec['wall_median']:.3f} s, best {rec['wall_best']:.3f} s; "
          f"CPU (user+sys) median {rec['cpu_median']:.3f} s over {a.n} runs; "
          f"bare python3 -c pass: wall {rec['bare_python_wall']:.3f} s, CPU {rec['bare_python_cpu']:.3f} s; "
          f"peak RSS {peak:.0f} MB; load {load:.1f}")
    if not a.no_record:
        append_rows("startup.jsonl", [rec])


if __name__ == "__main__":
    main()
