"""What the benchmark scripts share: where their results go."""
from __future__ import annotations

import json
import os

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def append_rows(name: str, rows: list[dict]) -> None:
    """Append `rows`, one JSON line each, to benchmarks/results/`name`."""
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, name), "a") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
