"""herd7 as an oracle (opt-in: skipped unless herd7 is found through WEAKMEM_HERD7 or PATH).

Runs herd7 and weakmem on the same tests and compares verdicts and final states: the
operand-form tests of tests/data/herd_forms and a small diy7-generated family per
architecture (benchmarks/diff_herd7.py runs the large families)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from weakmem.herd7.oracle import find_tool, parse_blocks, run_herd7, litmus_name

ROOT = Path(__file__).resolve().parents[1]
HERD7 = find_tool("herd7")
DIY7 = find_tool("diy7")
pytestmark = pytest.mark.skipif(HERD7 is None, reason="herd7 not found (WEAKMEM_HERD7 or PATH)")

FORMS = sorted((ROOT / "tests" / "data" / "herd_forms").glob("*.litmus"))


def weakmem_blocks(files, *opts):
    p = subprocess.run([sys.executable, "-m", "weakmem", "run", "--format", "herd", *opts, *map(str, files)],
                       cwd=ROOT, capture_output=True, text=True)
    return parse_blocks(p.stdout), p.stderr


@pytest.mark.parametrize("path", FORMS, ids=[p.stem for p in FORMS])
def test_operand_forms_agree_with_herd7(path):
    h = run_herd7(HERD7, path)
    assert h.block is not None, h.stderr
    mine, err = weakmem_blocks([path])
    w = mine.get(litmus_name(path))
    assert w is not None, err
    assert w.key() == h.block.key()


@pytest.mark.skipif(DIY7 is None, reason="diy7 not found")
@pytest.mark.parametrize("arch", ["X86", "X86_64", "PPC", "ARM", "AArch64", "RISCV", "C"])
def test_diy7_family_agrees_with_herd7(arch, tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import diff_herd7
    finally:
        sys.path.pop(0)
    files = diff_herd7.generate(DIY7, arch, tmp_path, small=True)
    assert len(files) >= 3
    res = diff_herd7.compare(files, HERD7, diff_herd7.FAMILIES[arch][4], diff_herd7.FAMILIES[arch][5], 2, 60)
    assert res["disagree"] == [] and res["weakmem_rejects"] == []
    assert res["agree"] == res["compared"] == len(files)


GALLERY = sorted((ROOT / "examples" / "gallery").glob("*.litmus")) + \
    sorted((ROOT / "examples" / "gallery" / "mixed").glob("*.litmus"))


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_gallery_emissions_run_unchanged_in_herd7(path, tmp_path):
    """Every assembly test `weakmem matrix --emit` writes for the gallery is accepted by
    herd7 as it is, and herd7's verdict (its default model for the architecture) is the
    matrix row's."""
    from weakmem.matrix.core import build_matrix
    m = build_matrix(str(path), emit_dir=str(tmp_path), languages=False, timeout=120)
    emitted = [r for r in m.rows if r.emitted]
    assert emitted
    for r in emitted:
        h = run_herd7(HERD7, r.emitted, timeout=300)
        assert h.block is not None, f"herd7 rejects {r.emitted}: {h.stderr.strip()}"
        assert h.block.observation == r.verdict, (r.target, r.verdict, h.block.observation)


LLH_CYCLES = ["Rfe PosRR Fre", "Rfe PosRR Fre Rfe PosRR Fre", "Wse Rfe PosRR Fre", "Rfe PosRR PosRR Fre",
              "Rfe PosRR Fri Rfe PosRR Fre", "Rfe PosRR Fre Wse", "Rfi PosRR Fre", "Rfe PosRW Wse", "PosWR Fre"]


@pytest.mark.skipif(find_tool("diyone7") is None, reason="diyone7 not found")
def test_armv7_llh_agrees_with_herd7_armllh(tmp_path):
    """armv7-llh against herd7's armllh.cat on one-location cycles (CoRR and its
    relatives, built by diyone7), and armv7 against arm.cat on the same tests."""
    diyone7 = find_tool("diyone7")
    files = []
    for k, cycle in enumerate(LLH_CYCLES):
        subprocess.run([diyone7, "-arch", "ARM", "-oneloc", "-name", f"LLH{k}", cycle], cwd=tmp_path,
                       capture_output=True, check=True)
        files.append(tmp_path / f"LLH{k}.litmus")
    hazards = 0
    for model, cat in (("armv7-llh", "armllh.cat"), ("armv7", "arm.cat")):
        mine, err = weakmem_blocks(files, "--model", model)
        for f in files:
            h = run_herd7(HERD7, f, ["-model", cat])
            assert h.block is not None, h.stderr
            w = mine.get(litmus_name(f))
            assert w is not None, err
            assert w.key() == h.block.key(), (model, f.name)
            hazards += model == "armv7-llh" and w.observation == "Sometimes"
    assert hazards >= 5          # the cycles do exercise the hazard
