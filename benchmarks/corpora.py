#!/usr/bin/env python3
"""Wall time of weakmem on the reference corpora, next to herd7's recorded seconds.

usage: python3 benchmarks/corpora.py [--shared ../shared] [--only NAME ...] [-j N] [--timeout S]

For each corpus it runs `weakmem run --format herd` through shared/tools/herdcmp.py,
and prints: agreement (verdicts, states), weakmem seconds, herd7 seconds (sum of the
reference `seconds` over the tests herd7 finished) and the ratio.  Results are also
appended as JSON lines to benchmarks/results/corpora.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (reference file, corpus root (relative to shared/corpus), weakmem options)
CORPORA = {
    "lkmm-litmus-tests": ("lkmm-litmus-tests.jsonl", "lkmm/litmus-tests",
                          ["-I", "{shared}/corpus/lkmm/model", "--conf", "{shared}/corpus/lkmm/model/linux-kernel.cfg"]),
    "lkmm-litmus-tests.builtin": ("lkmm-litmus-tests.jsonl", "lkmm/litmus-tests", ["--model", "lkmm"]),
    "pmk-manual": ("pmk-manual.jsonl", "pmk-manual",
                   ["-I", "{shared}/corpus/lkmm/model", "--conf", "{shared}/corpus/lkmm/model/linux-kernel.cfg"]),
    "pmk-manual.builtin": ("pmk-manual.jsonl", "pmk-manual", ["--model", "lkmm"]),
    "herd-regression-C": ("herd-regression-C.jsonl", "herd-regression/C",
                          ["--conf", "{shared}/corpus/herd-regression/C/c.cfg", "-I", "{shared}/corpus/herd-libdir"]),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    if not os.path.isdir(shared):
        sys.exit(f"no shared folder at {shared}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    rows = []
    for name, (ref, root, opts) in CORPORA.items():
        if a.only and name not in a.only:
            continue
        opts = [o.format(shared=shared) for o in opts]
        cmd = [sys.executable, os.path.join(shared, "tools", "herdcmp.py"), os.path.join(shared, "reference", ref),
               "--root", os.path.join(shared, "corpus", root), "-j", str(a.j), "--chunk", "20", "--quiet", "--",
               "weakmem", "run", "--format", "herd", "--timeout", str(a.timeout)] + opts
        t0 = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.monotonic() - t0
        line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip()[-300:]
        m = re.search(r"verdicts (\d+)/(\d+), states (\d+)/\d+.*herd7 seconds ([\d.]+)", line)
        row = {"corpus": name, "wall": round(wall, 1), "summary": line, "time": time.strftime("%Y-%m-%d %H:%M")}
        if m:
            herd = float(m.group(4))
            row.update(verdicts=f"{m.group(1)}/{m.group(2)}", states=f"{m.group(3)}/{m.group(2)}",
                       herd_seconds=herd, ratio=round(wall / herd, 2) if herd else None)
        rows.append(row)
        print(f"{name:28} {row.get('verdicts','?'):>9} verdicts {row.get('states','?'):>9} states  "
              f"weakmem {wall:7.1f} s  herd7 {row.get('herd_seconds', 0):7.1f} s  ratio {row.get('ratio')}")
        sys.stdout.flush()
    with open(os.path.join(HERE, "results", "corpora.jsonl"), "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
