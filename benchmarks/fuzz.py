#!/usr/bin/env python3
"""A fuzz campaign: mutants of the shared corpus's litmus tests through `weakmem run`.

usage: python3 benchmarks/fuzz.py [--shared ../shared] [-n 1500] [--seed 1] [--timeout 2] [--memory MB]

Each mutant (tests/fuzz_util.py: deletions, duplications, inserted tokens,
truncations, swapped lines, huge numbers, control bytes, and mutations that
are certainly malformed: a thread renamed out of order, a constant beyond 64
bits, an init block never closed) runs in-process through the command line
with the given limits.  Prints the count per outcome class (verdict,
undetermined, error, bad = traceback / internal error / unpositioned error),
malformed mutants accepted, the largest overrun of the time limit and the
peak RSS, and lists the bad ones.  Exit status 1 if any mutant was bad,
overran the limit by more than 5 s, or was malformed and accepted.
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import sys
import tempfile
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from fuzz_util import corpus_files, mutate, run_one  # noqa: E402

from weakmem.limits import peak_rss_mb  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("-n", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--memory", type=float, default=None)
    a = ap.parse_args()
    shared = Path(a.shared).resolve()
    if not (shared / "corpus").is_dir():
        sys.exit(f"no corpus under {shared}")
    files = corpus_files(shared)
    rnd = random.Random(a.seed)
    kinds: collections.Counter = collections.Counter()
    hows: collections.Counter = collections.Counter()
    bad, late, accepted = [], [], []
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.n):
            src = rnd.choice(files)
            m = mutate(src.read_text(errors="replace"), rnd)
            p = Path(tmp) / f"m{i}.litmus"
            p.write_text(m.text, errors="replace")
            o = run_one(p, a.timeout, a.memory)
            kinds[o.kind] += 1
            hows[m.how] += 1
            worst = max(worst, o.seconds - a.timeout)
            if o.kind == "bad":
                bad.append(f"{src.relative_to(shared / 'corpus')} [{m.how}] {o.detail.strip()[:200]}")
            if o.seconds > a.timeout + 5:
                late.append(f"{src.name} [{m.how}] {o.seconds:.1f} s")
            if m.malformed and o.exit_code == 0:
                accepted.append(f"{src.name} [{m.how}]")
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} inputs: {dict(kinds)}", file=sys.stderr)
    print(f"inputs {a.n} (seed {a.seed}, --timeout {a.timeout:g}"
          + (f", --memory {a.memory:g}" if a.memory else "") + ")")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(hows.items())))
    print(f"malformed accepted: {len(accepted)}; over the limit by > 5 s: {len(late)}")
    print(f"largest overrun of the time limit: {max(worst, 0.0):.2f} s; peak RSS {peak_rss_mb():.0f} MiB")
    for line in bad[:30] + late[:10] + accepted[:10]:
        print("  " + line)
    sys.exit(1 if bad or late or accepted else 0)


if __name__ == "__main__":
    main()
