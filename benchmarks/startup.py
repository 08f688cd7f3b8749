#!/usr/bin/env python3
"""Whole-process time for one small test (target: <= 0.3 s).

usage: python3 benchmarks/startup.py [-n 10] [FILE]
Runs `weakmem run FILE` n times (after one warm-up run that fills the
caches: compiled Python, Lark tables, parsed models) and prints the median
and best wall-clock seconds and the peak memory of one run.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("file", nargs="?", default=os.path.join(HERE, "..", "examples", "SB+mb.litmus"))
    a = ap.parse_args()
    cmd = [sys.executable, "-m", "weakmem.cli", "run", a.file]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)     # let Python keep its compiled modules
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    times = []
    for _ in range(a.n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"weakmem run {os.path.basename(a.file)}: median {statistics.median(times):.3f} s, "
          f"best {min(times):.3f} s over {a.n} runs; peak RSS {peak:.0f} MB; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
