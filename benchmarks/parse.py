"""Parsing speed: every pmk-manual litmus file, parsed in one process.

    python3 benchmarks/parse.py          # target: under 10 s on a quiet 2-core machine
"""
from __future__ import annotations

import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from weakmem.errors import LitmusError  # noqa: E402
from weakmem.litmus.parse import parse_litmus  # noqa: E402


def main() -> None:
    corpus = os.path.join(ROOT, "..", "shared", "corpus", "pmk-manual")
    files = sorted(glob.glob(os.path.join(corpus, "**", "*.litmus"), recursive=True))
    if not files:
        sys.exit("no pmk-manual corpus beside the repository (../shared)")
    parse_litmus(files[0])            # grammar construction is not the point here
    t0, c0 = time.perf_counter(), time.process_time()
    bad = 0
    for path in files:
        try:
            parse_litmus(path)
        except LitmusError:
            bad += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"parsed {len(files)} pmk-manual files ({bad} rejected) in {wall:.2f} s wall, {cpu:.2f} s CPU"
          f" ({1000 * cpu / len(files):.2f} ms per file); target < 10 s")


if __name__ == "__main__":
    main()
