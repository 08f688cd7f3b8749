#!/usr/bin/env python3
"""Peak memory (RSS) of one `weakmem run` process per test size.

usage: python3 benchmarks/memory.py [--threads 4 6 8 10] [--timeout 120] [-- weakmem run options]

For each size n it writes the RCU chains of benchmarks/rcu_chains.py with n
threads to a temporary folder and runs weakmem once per test (JSON format,
full enumeration unless options say otherwise), reading each process's
own peak RSS from the kernel (os.wait4).  The enumeration is depth first and
keeps no execution it has judged (only counts, states and one example of
each kind), so memory should stay flat as the number of executions grows.
Results are appended to benchmarks/results/memory.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _common import append_rows  # noqa: E402
from rcu_chains import write  # noqa: E402


def run(cmd: list[str]) -> tuple[float, int, str]:
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    out = p.stdout.read() if p.stdout else ""
    _, _, ru = os.wait4(p.pid, 0)
    p.returncode = 0
    return time.monotonic() - t0, ru.ru_maxrss // 1024, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, nargs="*", default=[4, 6, 8, 10])
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("extra", nargs="*", help="more `weakmem run` options (after --)")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for n in a.threads:
            paths = write(os.path.join(d, str(n)), [n])
            for p in paths:
                cmd = [sys.executable, "-m", "weakmem", "run", "--format", "json", "--timeout", str(a.timeout)] \
                    + a.extra + [p]
                secs, mb, out = run(cmd)
                try:
                    j = json.loads(out.splitlines()[0])
                except (ValueError, IndexError):
                    j = {}
                row = {"threads": n, "test": os.path.basename(p)[:-7], "seconds": round(secs, 2), "peak_mb": mb,
                       "executions": (j.get("pos") or 0) + (j.get("neg") or 0), "candidates": j.get("candidates"),
                       "verdict": j.get("verdict"), "extra": a.extra, "time": time.strftime("%Y-%m-%d %H:%M")}
                rows.append(row)
                print(f"{n:3} threads  {row['test']:50} {secs:7.2f} s  peak {mb:5d} MB  "
                      f"{row['executions']:7} executions  {row['verdict']}")
                sys.stdout.flush()
    append_rows("memory.jsonl", rows)


if __name__ == "__main__":
    main()
