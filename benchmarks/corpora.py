#!/usr/bin/env python3
"""Wall time of weakmem on the reference corpora, next to herd7's recorded seconds.

usage: python3 benchmarks/corpora.py [--shared ../shared] [--only NAME ...] [-j N] [--timeout S]

For each corpus it runs `weakmem run --format herd` through shared/tools/herdcmp.py
(one process per core, tests split evenly), and prints: agreement (verdicts, states),
weakmem wall-clock and CPU seconds (CPU is the fairer figure on a loaded machine),
herd7 seconds (sum of the reference `seconds` over the tests herd7 finished; herd7's
own figure, from a loaded 2-core machine) and the ratios.  Results are also
appended as JSON lines to benchmarks/results/corpora.jsonl.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _common import append_rows  # noqa: E402

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
LIB = "{shared}/corpus/herd-libdir"
for _arch, _default in (("X86_64", "x86tso-mixed.cat"), ("AArch64", "aarch64.cat"), ("ARM", "arm.cat"),
                        ("AArch32", "arm.cat"), ("PPC", "ppc.cat"), ("RISCV", "riscv.cat")):
    CORPORA[f"herd-regression-{_arch}"] = (f"herd-regression-{_arch}.jsonl", f"herd-regression/{_arch}",
                                           ["--model", f"{LIB}/{_default}", "-I", LIB])
    CORPORA[f"herd-regression-{_arch}.builtin"] = (f"herd-regression-{_arch}.jsonl", f"herd-regression/{_arch}", [])
for _fam, _default in (("x86", "x86tso.cat"), ("x86_64", "x86tso-mixed.cat"), ("aarch64", "aarch64.cat")):
    CORPORA[f"catalogue-{_fam}.default"] = (f"catalogue-{_fam}.default.jsonl", f"catalogue/{_fam}",
                                            ["--model", f"{LIB}/{_default}", "-I", LIB])
    CORPORA[f"catalogue-{_fam}.builtin"] = (f"catalogue-{_fam}.default.jsonl", f"catalogue/{_fam}", [])
    CORPORA[f"catalogue-{_fam}.sc"] = (f"catalogue-{_fam}.sc.jsonl", f"catalogue/{_fam}",
                                       ["--model", f"{LIB}/sc.cat", "-I", LIB])
    CORPORA[f"catalogue-{_fam}.sc.builtin"] = (f"catalogue-{_fam}.sc.jsonl", f"catalogue/{_fam}", ["--model", "sc"])
CORPORA["catalogue-x86.x86tso"] = ("catalogue-x86.x86tso.jsonl", "catalogue/x86", ["--model", f"{LIB}/x86tso.cat", "-I", LIB])
CORPORA["catalogue-x86_64.tso-mixed"] = ("catalogue-x86_64.tso-mixed.jsonl", "catalogue/x86_64",
                                        ["--model", f"{LIB}/x86tso-mixed.cat", "-I", LIB])
CORPORA["catalogue-aarch64.aarch64-cats"] = ("catalogue-aarch64.aarch64-cats.jsonl", "catalogue/aarch64",
                                            ["--conf", "{shared}/corpus/catalogue/aarch64/cfgs/new-web.cfg",
                                             "--model", "{shared}/corpus/catalogue/aarch64/cats/aarch64.cat",
                                             "-I", LIB])   # herd7 finds aarch64hwreqs.cat in its libdir


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
    rows = []
    for name, (ref, root, opts) in CORPORA.items():
        if a.only and name not in a.only:
            continue
        opts = [o.format(shared=shared) for o in opts]
        nref = sum(1 for l in open(os.path.join(shared, "reference", ref)) if '"verdict": "' in l)
        # one process per core, each taking an equal share of the tests
        chunk = max(1, -(-nref // a.j))
        cmd = [sys.executable, os.path.join(shared, "tools", "herdcmp.py"), os.path.join(shared, "reference", ref),
               "--root", os.path.join(shared, "corpus", root), "-j", str(a.j), "--chunk", str(chunk), "--quiet", "--",
               "weakmem", "run", "--format", "herd", "--timeout", str(a.timeout)] + opts
        t0 = time.monotonic()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # the weakmem of this checkout, whatever `weakmem` on PATH is installed from
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT] + [x for x in [os.environ.get("PYTHONPATH")] if x]))
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr.strip()[-300:]
        m = re.search(r"verdicts (\d+)/(\d+), states (\d+)/\d+.*herd7 seconds ([\d.]+)", line)
        row = {"corpus": name, "wall": round(wall, 1), "cpu": round(cpu, 1), "summary": line,
               "load": round(os.getloadavg()[0], 1), "time": time.strftime("%Y-%m-%d %H:%M")}
        if m:
            herd = float(m.group(4))
            row.update(verdicts=f"{m.group(1)}/{m.group(2)}", states=f"{m.group(3)}/{m.group(2)}",
                       herd_seconds=herd, ratio=round(wall / herd, 2) if herd else None,
                       cpu_ratio=round(cpu / herd, 2) if herd else None)
        rows.append(row)
        print(f"{name:32} {row.get('verdicts','?'):>9} verdicts {row.get('states','?'):>9} states  "
              f"weakmem wall {wall:7.1f} s cpu {cpu:7.1f} s  herd7 {row.get('herd_seconds', 0):7.1f} s  "
              f"ratio wall {row.get('ratio')} cpu {row.get('cpu_ratio')}  (load {row['load']})")
        sys.stdout.flush()
    append_rows("corpora.jsonl", rows)


if __name__ == "__main__":
    main()
