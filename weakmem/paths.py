"""Where weakmem's data lives, and the one file finder.

MODELS_DIR holds the built-in models (`.cat`, `.cfg`, `.bell`) and macro
tables (`.def`); LIB_DIR the herd7-style library files they include;
EXAMPLES_DIR the example tests of a source checkout (the web page's list,
the gallery), which an installed package may not have."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

PKG_DIR = Path(__file__).resolve().parent
MODELS_DIR = PKG_DIR / "models"
LIB_DIR = MODELS_DIR / "lib"
EXAMPLES_DIR = PKG_DIR.parent / "examples"


def find_file(name: str, dirs: Iterable[str], as_given: bool = True) -> str | None:
    """The file `name` designates: with `as_given`, `name` itself when it is
    absolute or names a file from the working directory; otherwise the first
    `dir/name` that is a file, in the order of `dirs` (None if none is)."""
    if as_given and (os.path.isabs(name) or os.path.isfile(name)):
        return name if os.path.isfile(name) else None
    for d in dirs:
        if not d:
            continue
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return p
    return None
