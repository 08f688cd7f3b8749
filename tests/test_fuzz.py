"""Fuzzing (seeded): mutants of the shared corpus's litmus tests never give a
traceback or an internal error, end within their time limit, and the certainly
malformed ones are rejected with one positioned line.  A longer campaign:
benchmarks/fuzz.py."""
from __future__ import annotations

import random

import pytest

from corpus_util import SHARED
from fuzz_util import corpus_files, mutate, run_one

N = 200
TIMEOUT = 1.0


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared is absent")
def test_fuzz_corpus_mutants(tmp_path):
    rnd = random.Random(7)
    files = corpus_files(SHARED)
    assert files
    bad, late, accepted_malformed = [], [], []
    for i in range(N):
        src = rnd.choice(files)
        m = mutate(src.read_text(errors="replace"), rnd)
        p = tmp_path / f"m{i}.litmus"
        p.write_text(m.text, errors="replace")
        o = run_one(p, TIMEOUT)
        if o.kind == "bad":
            bad.append((src.name, m.how, o.detail))
        if o.seconds > TIMEOUT + 5:
            late.append((src.name, m.how, round(o.seconds, 1)))
        if m.malformed and o.exit_code == 0:
            accepted_malformed.append((src.name, m.how))
    assert not bad, bad[:5]
    assert not late, late[:5]
    assert not accepted_malformed, accepted_malformed[:5]
