"""Model loading: cfg files, include lookup, bells, variants, the bundled
library."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from weakmem.cat.eval import EvalCache, evaluate
from weakmem.cat.model import (LIB_DIR, load_cfg, load_from_cfg, load_model,
                               load_model_text)
from cat_synth import ExecBuilder
from weakmem.errors import CatError
from corpus_util import SHARED as _SHARED

SHARED = str(_SHARED / "corpus")


def _write(p: Path, text: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def _one(model) -> dict:
    b = ExecBuilder(["x"])
    b.write(0, "x", 1)
    outs = list(evaluate(model, next(b.candidates()), EvalCache()))
    assert len(outs) == 1
    return outs[0].env


def test_bundled_library_files() -> None:
    names = {p.name for p in LIB_DIR.glob("*.cat")}
    assert {"stdlib.cat", "cos.cat", "cos-opt.cat", "cos-no-opt.cat",
            "cross.cat", "filters.cat"} <= names


def test_include_lookup_order(tmp_path: Path) -> None:
    model_dir = tmp_path / "m"
    sp1 = tmp_path / "sp1"
    sp2 = tmp_path / "sp2"
    _write(model_dir / "main.cat", 'Main\ninclude "a.cat"\ninclude "b.cat"\n'
           'include "filters.cat"\nshow va, vb\n')
    _write(model_dir / "a.cat", "let va = po\n")           # own directory first
    _write(sp1 / "a.cat", "let va = 0\n")
    _write(sp1 / "b.cat", "let vb = po\n")                 # then search path
    _write(sp2 / "b.cat", "let vb = 0\n")
    m = load_model(model_dir / "main.cat", [str(sp1), str(sp2)])
    assert m.title == "Main"
    b = ExecBuilder(["x"])
    b.write(0, "x", 1)
    b.write(0, "x", 2)
    env = list(evaluate(m, next(b.candidates()), EvalCache()))[0].env
    assert env["va"] != 0 and env["vb"] != 0
    # filters.cat came from the bundled library
    assert any(f.endswith(os.path.join("lib", "filters.cat")) for f in m.files)


def test_missing_include_is_positioned(tmp_path: Path) -> None:
    p = _write(tmp_path / "main.cat", '"t"\n\n  include "nowhere.cat"\n')
    with pytest.raises(CatError) as ei:
        load_model(p, [])
    assert ei.value.pos.line == 3 and ei.value.pos.col == 3
    assert "nowhere.cat" in ei.value.msg
    with pytest.raises(CatError):
        load_model(tmp_path / "absent.cat", [])


def test_include_cycle(tmp_path: Path) -> None:
    _write(tmp_path / "a.cat", 'include "b.cat"\n')
    _write(tmp_path / "b.cat", 'include "a.cat"\n')
    with pytest.raises(CatError) as ei:
        load_model(tmp_path / "a.cat", [])
    assert "cycle" in ei.value.msg


def test_cfg_and_bell(tmp_path: Path) -> None:
    _write(tmp_path / "my.bell", '"bell"\nenum Marks = \'m1 || \'m2\n'
           "instructions W[{'m1}]\ninstructions R[Marks]\nlet Bset = M1\n")
    _write(tmp_path / "my.cat", 'My "model"\ninclude "cos.cat"\nshow Bset\n'
           'if "special" then let sp = po else let sp = 0 end\nshow sp\n')
    _write(tmp_path / "my.cfg", "# comment\nmodel my.cat\nbell my.bell\n"
           "macros my.def\nvariant special, other\ngraph columns\nshowevents noregs\n")
    cfg = load_cfg(tmp_path / "my.cfg")
    assert (cfg.model, cfg.bell, cfg.macros) == ("my.cat", "my.bell", "my.def")
    assert cfg.variants == {"special", "other"}
    assert cfg.options["graph"] == "columns" and cfg.options["showevents"] == "noregs"
    m = load_from_cfg(cfg)
    assert m.title == "model" and m.arch == "My"
    assert m.enums == {"Marks": ["m1", "m2"]}
    assert m.instructions == {"W": [frozenset({"m1"})], "R": [frozenset({"m1", "m2"})]}
    assert m.generates_co
    assert m.check_annotation("W", {"m2"}) == "does not match bell declarations\nW: [{m1}]"
    assert m.check_annotation("R", {"m2"}) is None
    assert m.check_annotation("F", {"anything"}) is None
    assert "special" in m.variants


def test_variant_selects_cos_file() -> None:
    plain = load_model_text('"x"\ninclude "cos.cat"\n')
    opt = load_model_text('"x"\ninclude "cos.cat"\n', variants={"cos-opt"})
    assert any(f.endswith("cos-no-opt.cat") for f in plain.files)
    assert any(f.endswith("cos-opt.cat") for f in opt.files)
    assert plain.generates_co and opt.generates_co


def test_pseudo_symlink(tmp_path: Path) -> None:
    _write(tmp_path / "real" / "model.cat", '"Real"\nlet a = po\n')
    _write(tmp_path / "links" / "model.cat", "../real/model.cat")
    m = load_model(tmp_path / "links" / "model.cat", [])
    assert m.title == "Real"
    # a dangling link falls back to the basename on the search path
    _write(tmp_path / "dangling" / "model.cat", "../../nowhere/herd/model.cat")
    m = load_model(tmp_path / "dangling" / "model.cat", [str(tmp_path / "real")])
    assert m.title == "Real"


def test_shared_cfgs_load() -> None:
    if not os.path.isdir(SHARED):
        pytest.skip("../shared is absent")
    lk = os.path.join(SHARED, "lkmm", "model")
    cfg = load_cfg(os.path.join(lk, "linux-kernel.cfg"))
    assert cfg.model == "linux-kernel.cat" and cfg.bell == "linux-kernel.bell"
    assert cfg.macros == "linux-kernel.def"
    m = load_from_cfg(cfg)
    assert m.bell_path and m.bell_path.endswith("linux-kernel.bell")
    herd = os.path.join(SHARED, "herd-libdir")
    c = load_cfg(os.path.join(SHARED, "herd-regression", "C", "c.cfg"))
    assert c.model == "rc11.cat" and c.options.get("hexa") == "true"
    assert load_model(c.model, [herd], c.variants).title
    for model in ("x86tso.cat", "aarch64.cat", "riscv.cat", "ppc.cat", "sc.cat"):
        assert load_model(model, [herd]).title
