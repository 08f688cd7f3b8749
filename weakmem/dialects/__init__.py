"""The APIs C litmus tests are written in: Linux, QEMU, Xen, C11.

A *dialect* is the set of names a test calls (READ_ONCE, qatomic_read,
read_atomic, atomic_load_explicit...).  Each dialect has a default model
and, for each family of models, a macro table turning its names into the
events that family understands:

    dialect  default model  table for LKMM models        table for C11 models
    linux    lkmm           models/lkmm.def              (models/lkmm.def)
    qemu     qemu           dialects/qemu-lkmm.def       models/qemu.def
    xen      lkmm           models/xen.def               dialects/xen-c11.def
    c11      rc11           models/lkmm.def              none (C11 built-ins)

API:

    d = detect(test)                  # weakmem.dialects.detect: -> Dialect
    d.name, d.model, d.evidence       # 'qemu', 'qemu', {'qemu': {'qatomic_xchg'}, ...}
    table_path(d.name, model_family(model_name))  -> path of a .def, or None

docs/dialects.md states the detection rules.
"""
from __future__ import annotations

import os
from pathlib import Path

from weakmem.dialects.detect import DIALECT_MODELS, Dialect, detect, vocabulary
from weakmem.paths import MODELS_DIR

HERE = Path(__file__).parent

# (dialect, model family) -> macro table; family None = the dialect's own
TABLES = {
    ("linux", "lkmm"): MODELS_DIR / "lkmm.def",
    ("linux", "c11"): MODELS_DIR / "lkmm.def",       # no C11 reading of the kernel API
    ("qemu", "c11"): MODELS_DIR / "qemu.def",
    ("qemu", "lkmm"): HERE / "qemu-lkmm.def",
    ("xen", "lkmm"): MODELS_DIR / "xen.def",
    ("xen", "c11"): HERE / "xen-c11.def",
    ("c11", "lkmm"): MODELS_DIR / "lkmm.def",
    ("c11", "c11"): None,
}

# each dialect's own family (for models of neither family, e.g. sc)
NATIVE_FAMILY = {"linux": "lkmm", "qemu": "c11", "xen": "lkmm", "c11": "c11"}

C11_MODEL_STEMS = ("rc11", "c11", "qemu", "cpp11", "simple-c11")
LKMM_MODEL_STEMS = ("lkmm", "linux-kernel")


def model_family(model: str | None) -> str | None:
    """'lkmm' or 'c11' for a model name, .cat or .cfg path (by its file
    name: lkmm, linux-kernel*; rc11, c11*, qemu, cpp11...), else None."""
    if not model:
        return None
    stem = os.path.basename(str(model))
    for ext in (".cat", ".cfg"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
    if any(stem == s or stem.startswith(s + "-") or stem.startswith(s + "_") for s in LKMM_MODEL_STEMS):
        return "lkmm"
    if stem in C11_MODEL_STEMS or stem.startswith("c11_") or stem.startswith("rc11"):
        return "c11"
    return None


def table_path(dialect: str, family: str | None) -> Path | None:
    """The macro table for a dialect's tests under a model of `family`."""
    fam = family or NATIVE_FAMILY[dialect]
    return TABLES[(dialect, fam)]


__all__ = ["Dialect", "detect", "vocabulary", "DIALECT_MODELS", "TABLES", "model_family", "table_path"]
