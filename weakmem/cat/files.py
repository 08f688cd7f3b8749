"""Reading cat files: parsed once per process (keyed by path, date and
size) and kept in the on-disk cache (weakmem.diskcache) keyed by the text,
so a run whose models are cached never loads the cat grammar."""
from __future__ import annotations

import os
from pathlib import Path

from weakmem.errors import CatError, Pos

from . import ast as A

_GRAMMAR = Path(__file__).with_name("cat.lark")
_FILE_CACHE: dict[str, tuple[float, int, A.CatFile]] = {}


def parse_file(path: str | os.PathLike) -> A.CatFile:
    """Parse a file (cached on path + mtime + size)."""
    p = os.fspath(path)
    try:
        st = os.stat(p)
    except OSError as e:
        raise CatError(f"cannot read model file: {e.strerror}", Pos(p)) from None
    hit = _FILE_CACHE.get(p)
    if hit is not None and hit[0] == st.st_mtime and hit[1] == st.st_size:
        return hit[2]
    try:
        with open(p, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as e:
        raise CatError(f"cannot read model file: {e.strerror}", Pos(p)) from None
    from weakmem.diskcache import cached

    def parse() -> A.CatFile:
        from .parse import parse_text
        return parse_text(text, p)
    here = Path(__file__).parent
    code = ";".join(f"{(here / f).stat().st_size}" for f in ("cat.lark", "parse.py", "ast.py"))
    cf = cached("cat", text, parse, salt=p + "\0" + code)
    _FILE_CACHE[p] = (st.st_mtime, st.st_size, cf)
    return cf
