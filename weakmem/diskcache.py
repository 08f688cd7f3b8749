"""A small on-disk cache for work that depends only on a file's text
(parsed cat models), so that a one-test run does not redo it.

Entries live in $WEAKMEM_CACHE, else $XDG_CACHE_HOME/weakmem, else
~/.cache/weakmem; they are keyed by a hash of the text and weakmem's
version.  Any problem with the cache (unwritable, corrupt, stale) falls
back silently to recomputing.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, TypeVar

from weakmem.version import __version__

T = TypeVar("T")


def cache_dir() -> Path:
    env = os.environ.get("WEAKMEM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "weakmem"


def cached(kind: str, text: str, compute: Callable[[], T], salt: str = "") -> T:
    """compute(), memoised on disk under (kind, text, salt, version)."""
    if os.environ.get("WEAKMEM_NO_CACHE"):
        return compute()
    h = hashlib.sha256(f"{__version__}\0{kind}\0{salt}\0{text}".encode()).hexdigest()[:32]
    path = cache_dir() / kind / f"{h}.pickle"
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:
        pass
    value = compute()
    try:
        import tempfile                      # only when writing: a one-test run whose caches hit never needs it
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:
        pass
    return value
