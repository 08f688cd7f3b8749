#!/usr/bin/env python3
"""weakmem next to herd7, side by side on this machine.

usage: python3 benchmarks/vs_herd7.py [--shared ../shared] [--only CORPUS ...] [--chunk 40]
                                      [--timeout 60] [--limit N] [--every K] [--top 10]
                                      [-- EXTRA weakmem run OPTIONS]

herd7 is found through the environment variable WEAKMEM_HERD7 (the binary or
its directory) or on PATH (`../shared/herd7/build.sh` builds one).  For each corpus the
same file list is run by one herd7 process and one weakmem process at a time,
chunk by chunk, alternating which goes first, so both see the same machine
load; the script prints the wall-clock and CPU ratios (weakmem / herd7) per corpus and
the slowest tests (by herd7's own per-test `Time`), with both times.  Tests
herd7 could not finish in the reference run (verdict null, timeout) are left
out of the ratio and listed apart with weakmem's time and verdict (weakmem
run --verdict-only).

Without herd7 the ratio is taken against the reference files' recorded
`seconds` (herd7's time on another, loaded machine: a rough yardstick).
Each run appends one JSON line per corpus to benchmarks/results/vs_herd7.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _common import append_rows  # noqa: E402
from corpora import CORPORA  # noqa: E402  (the corpus table: reference, folder, weakmem options)

# herd7's own options for a reference file (shared/reference/README.md)
LKMM = ["-I", "{shared}/corpus/lkmm/model", "-conf", "{shared}/corpus/lkmm/model/linux-kernel.cfg"]
LIB = "{shared}/corpus/herd-libdir"


def herd_options(ref: str, weakmem_opts: list[str]) -> list[str]:
    """herd7's command-line options matching a corpus's reference run."""
    if ref.startswith(("lkmm-", "pmk-")):
        return LKMM
    out = ["-I", LIB]
    i = 0
    while i < len(weakmem_opts):          # --conf/--model FILE -> -conf/-model FILE
        o = weakmem_opts[i]
        if o in ("--conf", "--model") and i + 1 < len(weakmem_opts):
            v = weakmem_opts[i + 1]
            if os.sep in v or v.endswith((".cat", ".cfg")):
                out += ["-" + o[2:], v]
            i += 2
            continue
        if o == "-I" and i + 1 < len(weakmem_opts):
            out += ["-I", weakmem_opts[i + 1]]
            i += 2
            continue
        i += 1
    if ref.endswith(".sc.jsonl") and "-model" not in out:
        out += ["-model", f"{LIB}/sc.cat"]
    return out


def find_herd7() -> str | None:
    env = os.environ.get("WEAKMEM_HERD7")          # the executable or its directory
    if env:
        if os.path.isdir(env):
            env = os.path.join(env, "herd7")
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    return shutil.which("herd7")


_TIME = re.compile(r"^Time (\S+) ([\d.]+)", re.M)
_OBS = re.compile(r"^Observation (\S+) (\w+)", re.M)


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_chunk(cmd: list[str], files: list[str], cwd: str, limit: float) -> tuple[float, dict, dict]:
    """Wall seconds of one process over `files`, per-test Time lines and
    Observations from its output (CPU seconds: cpu_children() before/after)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd + files, capture_output=True, text=True, cwd=cwd, timeout=limit)
        out = p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
    wall = time.monotonic() - t0
    times = {m.group(1): float(m.group(2)) for m in _TIME.finditer(out)}
    obs = {m.group(1): m.group(2) for m in _OBS.finditer(out)}
    return wall, times, obs


def name_of(path: str) -> str | None:
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if w:
                if len(w) < 2:
                    return None
                return w[1][:-len(".litmus")] if w[1].endswith(".litmus") else w[1]
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--only", nargs="*", default=["pmk-manual"], help="corpora (names of benchmarks/corpora.py)")
    ap.add_argument("--chunk", type=int, default=40, help="files per process")
    ap.add_argument("--timeout", type=float, default=60, help="per-test limit for both tools")
    ap.add_argument("--limit", type=int, default=0, help="at most N tests per corpus (0: all)")
    ap.add_argument("--every", type=int, default=1, help="take every K-th test (a sample)")
    ap.add_argument("--top", type=int, default=10, help="slowest tests shown")
    ap.add_argument("extra", nargs="*", help="more `weakmem run` options (after --)")
    a = ap.parse_args()
    shared = os.path.abspath(a.shared)
    if not os.path.isdir(shared):
        sys.exit(f"no shared folder at {shared}")
    herd7 = find_herd7()
    print(f"herd7: {herd7 or 'not found (set WEAKMEM_HERD7 or PATH): comparing with recorded seconds'}")
    rows = []
    for cname in a.only:
        if cname not in CORPORA:
            sys.exit(f"unknown corpus {cname}; known: {', '.join(CORPORA)}")
        ref, root, wopts = CORPORA[cname]
        wopts = [o.format(shared=shared) for o in wopts]
        hopts = [o.format(shared=shared) for o in herd_options(ref, wopts)]
        cdir = os.path.join(shared, "corpus", root)
        refs = [json.loads(l) for l in open(os.path.join(shared, "reference", ref))]
        done = [r for r in refs if r.get("verdict") and os.path.isfile(os.path.join(cdir, r["file"]))]
        undone = [r for r in refs if r.get("verdict") is None and r.get("error") == "timeout"]
        done = done[::a.every]
        if a.limit:
            done = done[:a.limit]
        files = [r["file"] for r in done]
        wcmd = [sys.executable, "-m", "weakmem", "run", "--format", "herd", "--timeout", str(a.timeout)] + wopts + a.extra
        hcmd = [herd7, "-timeout", str(a.timeout)] + hopts if herd7 else None
        env_root = ROOT
        wall_w = wall_h = cpu_w = cpu_h = 0.0
        tw: dict = {}
        th: dict = {}
        ow: dict = {}
        oh: dict = {}
        for k in range(0, len(files), a.chunk):
            chunk = [os.path.join(cdir, f) for f in files[k:k + a.chunk]]
            order = ["w", "h"] if (k // a.chunk) % 2 == 0 else ["h", "w"]
            for who in order:
                lim = a.timeout * len(chunk) + 60
                c0 = cpu_children()
                if who == "w":
                    w, t, o = run_chunk(wcmd, chunk, env_root, lim)
                    cpu_w += cpu_children() - c0
                    wall_w += w
                    tw.update(t)
                    ow.update(o)
                elif hcmd is not None:
                    w, t, o = run_chunk(hcmd, chunk, cdir, lim)
                    cpu_h += cpu_children() - c0
                    wall_h += w
                    th.update(t)
                    oh.update(o)
            print(f"  {cname}: {min(k + a.chunk, len(files))}/{len(files)} tests, weakmem {wall_w:.1f} s"
                  + (f", herd7 {wall_h:.1f} s" if hcmd else ""), file=sys.stderr)
        recorded = {name_of(os.path.join(cdir, r["file"])): r["seconds"] for r in done}
        base = wall_h if hcmd else sum(recorded.values())
        agree = sum(1 for n, v in ow.items() if oh.get(n) == v) if hcmd else None
        row = {"corpus": cname, "tests": len(files), "weakmem_wall": round(wall_w, 2),
               "herd7_wall": round(wall_h, 2) if hcmd else None,
               "herd7_recorded": round(sum(recorded.values()), 2),
               "ratio": round(wall_w / base, 3) if base else None,
               "weakmem_cpu": round(cpu_w, 2), "herd7_cpu": round(cpu_h, 2) if hcmd else None,
               "cpu_ratio": round(cpu_w / cpu_h, 3) if hcmd and cpu_h else None,
               "versus": "herd7 side by side" if hcmd else "recorded seconds",
               "same_observation": agree, "test_names": len(ow), "load": round(os.getloadavg()[0], 1),
               "extra": a.extra, "time": time.strftime("%Y-%m-%d %H:%M")}
        ref_t = th if hcmd else recorded
        slow = sorted(ref_t.items(), key=lambda kv: -kv[1])[:a.top]
        row["slowest"] = [{"test": n, "herd7": s, "weakmem": tw.get(n)} for n, s in slow]
        print(f"{cname:24} {len(files):4} tests  weakmem {wall_w:8.1f} s  "
              f"{'herd7' if hcmd else 'herd7 (recorded)'} {base:8.1f} s  ratio {row['ratio']}"
              + (f"  (CPU {cpu_w:.1f} s vs {cpu_h:.1f} s: {row['cpu_ratio']})" if hcmd else "")
              # (Observations are matched by test name; a corpus may reuse names)
              + (f"  same Observation {agree}/{len(ow)} test names" if hcmd else ""))
        for s in row["slowest"]:
            wt = s["weakmem"]
            print(f"    {s['test']:60} herd7 {s['herd7']:7.2f} s  weakmem "
                  + (f"{wt:7.2f} s  x{wt / s['herd7']:.2f}" if wt is not None and s["herd7"] else "   -"))
        if undone:
            # the tests herd7 did not finish: weakmem alone, same options
            # (the verdict alone: --verdict-only, text format)
            files_u = [os.path.join(cdir, r["file"]) for r in undone]
            row["herd7_unfinished"] = []
            vcmd = [sys.executable, "-m", "weakmem", "run", "--verdict-only", "--timeout", str(a.timeout)] + wopts
            for f in files_u:
                t0 = time.monotonic()
                p = subprocess.run(vcmd + [f], capture_output=True, text=True, cwd=env_root)
                w = time.monotonic() - t0
                n = name_of(f)
                head = p.stdout.split("\n", 1)[0]
                verdict = head.split(": ", 1)[1].split(" ")[0] if ": " in head else None
                row["herd7_unfinished"].append({"test": n, "weakmem": round(w, 2), "verdict": verdict})
                print(f"    herd7 unfinished: {n:60} weakmem {w:6.2f} s  {verdict or 'no verdict'}")
        rows.append(row)
        sys.stdout.flush()
    append_rows("vs_herd7.jsonl", rows)


if __name__ == "__main__":
    main()
