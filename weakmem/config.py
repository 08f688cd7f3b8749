"""Options of a check and the model they select.

    opts = Options(model="lkmm")
    lm = ModelCache().get(opts, test.arch, test)     # LoadedModel: the model, its macro table, hexa

Model selection follows herd7: `--conf` and `--model`, else herd7's own
default model when its library is on the include path, else the built-in
default of the architecture (weakmem.arch.ARCHS) or of a C test's dialect.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from weakmem.arch import arch_info, default_model
from weakmem.errors import LitmusError, WeakmemError
from weakmem.litmus import ast as A
from weakmem.paths import MODELS_DIR, find_file


@dataclass
class Options:
    model: str | None = None
    conf: str | None = None
    includes: list[str] = field(default_factory=list)
    unroll: int = 2
    timeout: float | None = None
    memory: float | None = None      # MiB (weakmem.limits); None: no budget
    variants: set[str] = field(default_factory=set)
    optace: bool = True
    hexa: bool = False
    bell: str | None = None       # overrides the configuration's bell (herd7's -bell)
    macros: str | None = None     # overrides the configuration's macros (herd7's -macros)
    skipchecks: frozenset[str] = frozenset()   # checks not applied (herd7's -skipcheck; "*": all)
    prune: bool = True            # drop rf prefixes the model refutes (weakmem.cat.partial)
    verdict_only: bool = False    # stop at the first execution that decides the condition
    jobs: int = 1                 # worker processes sharing one test's executions
    share: tuple[int, int] | None = None   # (k, n): this process takes the k-th of n shares


@dataclass
class LoadedModel:
    name: str
    model: object
    macros: object | None
    hexa: bool = False


class ModelCache:
    """Models and macro tables are loaded once per run."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, opts: Options, arch: str, test: A.Litmus | None = None) -> LoadedModel:
        """The model for `arch`; given the test, a C test's dialect (the API
        it calls: weakmem.dialects) picks the macro table and, when no model
        is named, the model."""
        dialect = None
        if arch == "C" and test is not None:
            from weakmem.dialects import detect
            dialect = detect(test)
        key = (opts.model, opts.conf, tuple(opts.includes), tuple(sorted(opts.variants)), arch,
               dialect.name if dialect is not None else None, opts.bell, opts.macros, opts.skipchecks)
        lm = self._cache.get(key)
        if lm is None:
            lm = load_model_for(opts, arch, dialect)
            self._cache[key] = lm
        return lm


def builtin_models() -> list[str]:
    """Names `--model` accepts without a path (pieces of models excluded)."""
    from weakmem.models_info import builtin_model_infos
    return [i.name for i in builtin_model_infos()]


def load_model_for(opts: Options, arch: str, dialect=None) -> LoadedModel:
    """Load the model (and, for C, the macro table) for `arch`.

    `dialect` (weakmem.dialects.Dialect, from the test) applies to C tests:
    with no --model/--conf it names the model (QEMU code: qemu, C11: rc11,
    Linux and Xen: lkmm), and unless a user configuration names a `macros`
    file it picks the table that turns the test's API into the events of
    the model's family (docs/dialects.md).  Without it, C tests get the
    LKMM's table, as before."""
    from weakmem.cat.model import load_cfg, load_model
    from weakmem.litmus.macros import load_defs

    search = list(opts.includes)
    variants = set(opts.variants)
    model_file = bell = macros = None
    hexa = opts.hexa
    name = opts.model
    conf = opts.conf
    builtin_cfg = False          # the configuration is a built-in model's, not the user's
    if arch != "C":
        dialect = None
    info = arch_info(arch)
    default_name = default_model(arch)
    if dialect is not None and dialect.model is not None:
        default_name = dialect.model
    if conf is None and name is None and info is not None and info.herd_cat is not None:
        # herd7's library on the include path and no model named: herd7's own
        # default model for the architecture, as herd7 would pick it
        found = find_file(info.herd_cat, search)
        if found is not None:
            name = found
            default_name = os.path.basename(found)
    if conf is None and name is None:
        name = default_name
        if name is None:
            raise WeakmemError(f"no default model for architecture {arch}; name one with --model")
    if conf is None and name is not None and not name.endswith(".cat") and not name.endswith(".cfg"):
        # a built-in model: its .cfg if it has one, else its .cat
        cfg = MODELS_DIR / f"{name}.cfg"
        cat = MODELS_DIR / f"{name}.cat"
        if cfg.exists():
            conf = str(cfg)
            name = None
            builtin_cfg = True
        elif cat.exists():
            name = str(cat)
        else:
            raise WeakmemError(f"unknown model '{name}' (built-in models: {', '.join(builtin_models())})")
    if name is not None and name.endswith(".cfg"):
        conf, name = name, None
    if conf is not None:
        cpath = find_file(conf, search)
        if cpath is None:
            raise WeakmemError(f"cannot find configuration file {conf}")
        cfg = load_cfg(cpath)
        cdir = os.path.dirname(os.path.abspath(cpath))
        search = search + [cdir]
        model_file = cfg.model
        bell = cfg.bell
        macros = cfg.macros
        variants |= set(cfg.variants)
        if cfg.options.get("hexa") == "true":
            hexa = True
    if name is not None:
        model_file = name
    bell = opts.bell or bell
    macros = opts.macros or macros
    if model_file is None:
        raise WeakmemError("no model given (the configuration names none)")
    mpath = find_file(model_file, search + [str(MODELS_DIR)])
    if mpath is None:
        mpath = model_file  # let load_model search its library
    bpath = find_file(bell, search + [str(MODELS_DIR)]) if bell else None
    model = load_model(mpath, search_path=search, variants=variants, bell=bpath or bell)
    model.skipped = frozenset(opts.skipchecks)
    table = None
    if arch == "C":
        if dialect is not None and (macros is None or builtin_cfg):
            from weakmem.dialects import model_family, table_path
            if dialect.error:
                raise LitmusError(dialect.error, None)
            fam = model_family(opts.model) or model_family(model_file) or model_family(opts.conf)
            tpath = table_path(dialect.name, fam)
            macros = str(tpath) if tpath is not None else None
        elif macros is None:
            macros = str(MODELS_DIR / "lkmm.def") if (MODELS_DIR / "lkmm.def").exists() else None
        if macros is not None:
            dpath = find_file(macros, search + [str(MODELS_DIR)])
            if dpath is None:
                raise WeakmemError(f"cannot find macro file {macros}")
            table = load_defs(dpath)
    label = opts.model or opts.conf or default_name or "?"
    return LoadedModel(os.path.basename(str(label)), model, table, hexa)
