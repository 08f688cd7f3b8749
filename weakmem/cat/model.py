"""Loading cat models and herd `.cfg` files.

`load_model` parses the model, expands `include`s (looked up in the
including file's directory, then the `search_path` directories, then our
bundled library `weakmem/models/lib/` and `weakmem/models/`), resolves
`if "variant"` blocks, and prepends our standard library (`stdlib.cat`,
implicitly loaded before every model as herd does) and the bell file, if
any, which is evaluated in the same environment before the model.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from weakmem.errors import CatError, Pos
from weakmem.limits import check_now
from weakmem.paths import LIB_DIR, MODELS_DIR, find_file

from . import ast as A
from .files import parse_file


def bundled_dirs() -> list[str]:
    return [str(LIB_DIR), str(MODELS_DIR)]


# ---------------------------------------------------------------------------
# file lookup
# ---------------------------------------------------------------------------


def _pseudo_symlink(path: str) -> Optional[str]:
    """A git symlink checked out as a plain file holds just the target path.
    Return that target text if `path` looks like one."""
    try:
        if os.path.getsize(path) > 512:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            txt = fh.read().strip()
    except OSError:
        return None
    if not txt or "\n" in txt or " " in txt or "(" in txt:
        return None
    if not (txt.endswith(".cat") or txt.endswith(".bell")):
        return None
    if "/" not in txt:
        return None
    return txt


def _find(name: str, dirs: Iterable[str]) -> Optional[str]:
    return find_file(name, dirs, as_given=False)


def resolve_file(name: str, dirs: list[str], seen: Optional[set] = None) -> Optional[str]:
    """Find `name` (a path or a bare file name) and follow pseudo-symlinks."""
    if os.path.isabs(name):
        p: Optional[str] = name if os.path.isfile(name) else None
        if p is None:
            p = _find(os.path.basename(name), dirs)
    else:
        p = _find(name, dirs)
        if p is None and os.sep in name:
            # e.g. `model herd/libdir/aarch32.cat`: try the file name alone
            p = _find(os.path.basename(name), dirs)
    if p is None:
        return None
    seen = seen or set()
    target = _pseudo_symlink(p)
    if target is not None and p not in seen:
        seen.add(p)
        cand = os.path.normpath(os.path.join(os.path.dirname(p), target))
        if os.path.isfile(cand):
            return resolve_file(cand, dirs, seen)
        alt = _find(os.path.basename(target), dirs)
        if alt is not None and alt != p:
            return resolve_file(alt, dirs, seen)
    return p


# ---------------------------------------------------------------------------
# cfg files
# ---------------------------------------------------------------------------


@dataclass
class Cfg:
    path: str
    model: Optional[str] = None
    bell: Optional[str] = None
    macros: Optional[str] = None
    variants: set[str] = field(default_factory=set)
    options: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[str, str]] = field(default_factory=list)

    @property
    def dir(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def load_cfg(path: str | os.PathLike) -> Cfg:
    """Read a herd7 configuration file (`key value` lines, `#` comments)."""
    p = os.fspath(path)
    try:
        text = Path(p).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise CatError(f"cannot read configuration file: {e.strerror}", Pos(p)) from None
    cfg = Cfg(p)
    for ln, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("//"):
            continue
        parts = line.split(None, 1)
        key = parts[0]
        val = parts[1].strip() if len(parts) > 1 else ""
        if key.startswith("-"):
            key = key[1:]
        if key == "model":
            if not val.endswith(".cat"):
                # herd7 reads the model as a cat file: anything else is no model
                raise CatError(f"configuration names '{val}' as its model: a .cat file is expected",
                               Pos(p, ln, raw.find(val) + 1 if val else 1))
            cfg.model = val
        elif key == "bell":
            cfg.bell = val
        elif key == "macros":
            cfg.macros = val
        elif key == "variant":
            for v in val.replace(",", " ").split():
                cfg.variants.add(v)
        else:
            cfg.options[key] = val
        cfg.lines.append((key, val))
    return cfg


# ---------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------


def _variant_only(c: A.Cond) -> bool:
    if isinstance(c, A.CVariant):
        return True
    if isinstance(c, A.CNot):
        return _variant_only(c.c)
    if isinstance(c, (A.CAnd, A.COr)):
        return all(_variant_only(x) for x in c.cs)
    return False


def eval_variant(c: A.Cond, variants: set[str]) -> bool:
    if isinstance(c, A.CVariant):
        return c.name.strip().lower() in variants
    if isinstance(c, A.CNot):
        return not eval_variant(c.c, variants)
    if isinstance(c, A.CAnd):
        return all(eval_variant(x, variants) for x in c.cs)
    if isinstance(c, A.COr):
        return any(eval_variant(x, variants) for x in c.cs)
    raise ValueError("not a variant condition")


class Model:
    """A loaded model: the flat instruction list plus bell information."""

    def __init__(self, *, path: str, title: str, arch: Optional[str],
                 instrs: list[A.Instr], variants: frozenset[str],
                 files: list[str], bell_path: Optional[str]):
        self.path = path
        self.title = title
        self.arch = arch
        self.instrs = instrs
        self.variants = variants
        self.files = files
        self.bell_path = bell_path
        self.skipped: frozenset[str] = frozenset()   # checks not applied (herd7's -skipcheck NAME)
        self.enums: dict[str, list[str]] = {}
        self.instructions: dict[str, list[frozenset[str]]] = {}
        self.defaults: dict[str, list[frozenset[str]]] = {}
        self.generates_co = False
        self.catdep = False
        self.shown: list[str] = []
        self._programs: dict[Any, Any] = {}
        self._scan()

    def __repr__(self) -> str:
        return f"<Model {self.title!r} from {self.path}>"

    # ------------------------------------------------------------ scan
    def _scan(self) -> None:
        for ins in self.instrs:
            if isinstance(ins, A.IEnum):
                self.enums[ins.name] = list(ins.tags)
        for ins in self.instrs:
            if isinstance(ins, A.IEvents):
                sets = []
                for a in ins.args:
                    s = self._tagset_of(a)
                    if s is not None:
                        sets.append(s)
                table = self.defaults if ins.default else self.instructions
                table.setdefault(ins.kind, []).extend(sets)
            elif isinstance(ins, A.IWith) and ins.var == "co":
                self.generates_co = True
            elif isinstance(ins, A.ICatdep):
                self.catdep = True
            elif isinstance(ins, A.IShow) and ins.e is None:
                self.shown.extend(n for n in ins.names if n not in self.shown)

    def _tagset_of(self, e: A.Expr) -> Optional[frozenset[str]]:
        if isinstance(e, A.TagLit):
            return frozenset([e.name])
        if isinstance(e, A.ExplicitSet):
            out: set[str] = set()
            for x in e.elems:
                s = self._tagset_of(x)
                if s is None:
                    return None
                out |= s
            return frozenset(out)
        if isinstance(e, A.Var) and e.name in self.enums:
            return frozenset(self.enums[e.name])
        if isinstance(e, A.Binop) and e.op == "union":
            out = set()
            for x in e.args:
                s = self._tagset_of(x)
                if s is None:
                    return None
                out |= s
            return frozenset(out)
        return None

    # ------------------------------------------------------ bell info
    @property
    def tags(self) -> set[str]:
        """All tags declared by `enum`s."""
        return {t for ts in self.enums.values() for t in ts}

    def check_annotation(self, kind: str, tags: Iterable[str]) -> Optional[str]:
        """None if an event of `kind` ('R','W','F','RMW',...) may carry
        `tags` according to the bell's `instructions` declarations, else
        herd's error text."""
        tags = list(tags)
        if not tags:
            return None
        decls = self.instructions.get(kind)
        if not decls:
            return None
        allowed: set[str] = set()
        for d in decls:
            allowed |= d
        if all(t in allowed for t in tags):
            return None
        shown = ",".join("{" + ",".join(sorted(d)) + "}" for d in decls)
        return f"does not match bell declarations\n{kind}: [{shown}]"

    # ------------------------------------------------------ compiled forms
    def program(self, set_names: frozenset[str], rel_names: frozenset[str],
                dynamic: frozenset[str]):
        key = (set_names, rel_names, dynamic, self.skipped)
        prog = self._programs.get(key)
        if prog is None:
            from .compile import Compiler
            comp = Compiler(variants=set(self.variants), enums=self.enums,
                            set_names=set(set_names), rel_names=set(rel_names),
                            dynamic=dynamic, skipped=self.skipped)
            prog = comp.compile(self.instrs, ["co", "rf", "fr"])
            self._programs[key] = prog
        return prog


MAX_INCLUDES = 500        # includes expanded for one model, all files together
MAX_INCLUDE_DEPTH = 40    # files including files


class _Loader:
    def __init__(self, search_path: list[str], variants: set[str]):
        self.search_path = [os.fspath(d) for d in search_path]
        self.variants = {v.strip().lower() for v in variants}
        self.files: list[str] = []
        self.includes = 0
        self.parsed: dict[str, A.CatFile] = {}      # each file is parsed once

    def dirs_for(self, current: Optional[str]) -> list[str]:
        out = []
        if current:
            out.append(os.path.dirname(os.path.abspath(current)))
        out.extend(self.search_path)
        out.extend(bundled_dirs())
        return out

    def load(self, path: str, stack: tuple[str, ...]) -> A.CatFile:
        key = os.path.abspath(path)
        if key in stack:
            raise CatError(f"include cycle through {os.path.basename(path)}",
                           Pos(path))
        cf = self.parsed.get(key)
        if cf is None:
            cf = self.parsed[key] = parse_file(path)
        if path not in self.files:
            self.files.append(path)
        instrs = self.expand(cf.instrs, path, stack + (key,))
        return A.CatFile(cf.path, cf.title, cf.arch, instrs)

    def expand(self, instrs: list[A.Instr], current: str,
               stack: tuple[str, ...]) -> list[A.Instr]:
        out: list[A.Instr] = []
        for ins in instrs:
            if isinstance(ins, A.IInclude):
                check_now()
                p = resolve_file(ins.file, self.dirs_for(current))
                if p is None:
                    raise CatError(f"cannot find file {ins.file}", ins.pos)
                # errors about an include are reported on the include line
                if os.path.abspath(p) in stack:
                    chain = " -> ".join(os.path.basename(s) for s in stack[stack.index(os.path.abspath(p)):])
                    raise CatError(f"include cycle: {chain} -> {os.path.basename(p)}", ins.pos)
                self.includes += 1
                if self.includes > MAX_INCLUDES:
                    raise CatError(f"more than {MAX_INCLUDES} includes", ins.pos)
                if len(stack) >= MAX_INCLUDE_DEPTH:
                    raise CatError(f"includes nested more than {MAX_INCLUDE_DEPTH} deep", ins.pos)
                out.extend(self.load(p, stack).instrs)
            elif isinstance(ins, A.IIf):
                then = self.expand(ins.then, current, stack)
                els = self.expand(ins.els, current, stack)
                if _variant_only(ins.cond):
                    out.extend(then if eval_variant(ins.cond, self.variants) else els)
                else:
                    out.append(A.IIf(ins.cond, then, els, pos=ins.pos))
            else:
                out.append(ins)
        return out


def find_model(name_or_path: str, search_path: list[str]) -> Optional[str]:
    dirs = [os.getcwd()] + [os.fspath(d) for d in search_path] + bundled_dirs()
    return resolve_file(os.fspath(name_or_path), dirs)


def load_model(name_or_path: str | os.PathLike, search_path: list[str] | None = None,
               variants: Iterable[str] = frozenset(),
               bell: str | os.PathLike | None = None) -> Model:
    """Load a cat model (see module doc).  Raises CatError."""
    search_path = [os.fspath(d) for d in (search_path or [])]
    variants = set(variants)
    name = os.fspath(name_or_path)
    path = find_model(name, search_path)
    if path is None:
        raise CatError(f"cannot find model {name}", Pos(name))
    loader = _Loader(search_path, variants)
    std = resolve_file("stdlib.cat", [str(LIB_DIR)])
    if std is None:  # pragma: no cover - packaging problem
        raise CatError("bundled stdlib.cat is missing", Pos(str(LIB_DIR)))
    instrs: list[A.Instr] = list(loader.load(std, ()).instrs)
    bell_path = None
    if bell is not None:
        bname = os.fspath(bell)
        bell_path = resolve_file(bname, [os.getcwd(), os.path.dirname(path)]
                                 + search_path + bundled_dirs())
        if bell_path is None:
            raise CatError(f"cannot find bell file {bname}", Pos(bname))
        instrs.extend(loader.load(bell_path, ()).instrs)
    main = loader.load(path, ())
    instrs.extend(main.instrs)
    title = main.title or Path(path).stem
    return Model(path=path, title=title, arch=main.arch, instrs=instrs,
                 variants=frozenset(v.lower() for v in variants),
                 files=loader.files, bell_path=bell_path)


def load_model_text(text: str, search_path: list[str] | None = None,
                    variants: Iterable[str] = frozenset(),
                    bell: str | os.PathLike | None = None,
                    file: str = "<string>") -> Model:
    """Like load_model, for model source given as a string (includes are
    looked up from the current directory, then `search_path`)."""
    from .parse import parse_text
    search_path = [os.fspath(d) for d in (search_path or [])]
    variants = set(variants)
    loader = _Loader([os.getcwd()] + search_path, variants)
    std = resolve_file("stdlib.cat", [str(LIB_DIR)])
    assert std is not None
    instrs: list[A.Instr] = list(loader.load(std, ()).instrs)
    bell_path = None
    if bell is not None:
        bname = os.fspath(bell)
        bell_path = resolve_file(bname, [os.getcwd()] + search_path + bundled_dirs())
        if bell_path is None:
            raise CatError(f"cannot find bell file {bname}", Pos(bname))
        instrs.extend(loader.load(bell_path, ()).instrs)
    cf = parse_text(text, file)
    instrs.extend(loader.expand(cf.instrs, "", ()))
    return Model(path=file, title=cf.title or file, arch=cf.arch, instrs=instrs,
                 variants=frozenset(v.lower() for v in variants),
                 files=loader.files, bell_path=bell_path)


def load_from_cfg(cfg: Cfg, search_path: list[str] | None = None,
                  variants: Iterable[str] = (), model: Optional[str] = None) -> Model:
    """Convenience: load the model named by a Cfg (its directory is searched
    first), with the cfg's bell and variants."""
    sp = [cfg.dir] + list(search_path or [])
    name = model or cfg.model
    if name is None:
        raise CatError("configuration names no model", Pos(cfg.path))
    return load_model(name, sp, set(variants) | cfg.variants, cfg.bell)
