"""What `weakmem models` lists: the built-in models, their sources and scope.

Each built-in model is a `.cat` file in weakmem/models (or a `.cfg` naming
one) whose header comment begins `weakmem -- TITLE` and names its
`Source:`/`Sources:`; the architectures it is the default for come from
weakmem.arch.ARCHS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from weakmem.arch import default_model_archs
from weakmem.paths import MODELS_DIR


@dataclass
class ModelInfo:
    name: str
    title: str
    source: str
    default_for: list[str]
    path: str


def _header(text: str) -> str:
    m = re.match(r"\s*\(\*(.*?)\*\)", text, re.S)
    if not m:
        return ""
    lines = [re.sub(r"^\s*\*? ?", "", l) for l in m.group(1).splitlines()]
    return "\n".join(lines)


def _info(name: str, cat: Path) -> ModelInfo:
    head = _header(cat.read_text(errors="replace"))
    title = name
    m = re.search(r"weakmem\s+--\s+(.*?)(?:\n\s*\n|$)", head, re.S)
    if m:
        title = " ".join(m.group(1).split()).rstrip(".")
        title = re.sub(r",?\s*part \d+ of \d+:.*", "", title)
    source = ""
    m = re.search(r"Sources?:\s*(.*?)(?:\n\s*\n|$)", head, re.S)
    if m:
        source = " ".join(m.group(1).split())
    else:   # first citation-looking line
        m = re.search(r"\[[A-Z0-9]+\]\s*(.*?)(?:\n\s*\n|$)", head, re.S)
        if m:
            source = " ".join(m.group(1).split())
    # the citation itself: up to the first sentence that ends after a year
    m = re.match(r"(.*?(?:19|20)\d\d[^.;]*)[.;]", source)
    if m:
        source = m.group(1)
    if len(source) > 160:
        source = source[:157].rstrip() + "..."
    default_for = default_model_archs(name)
    return ModelInfo(name, title, source, default_for, str(cat))


def builtin_model_infos() -> list[ModelInfo]:
    out = []
    seen = set()
    for cfg in sorted(MODELS_DIR.glob("*.cfg")):
        cat = MODELS_DIR / f"{cfg.stem}.cat"
        if cat.exists():
            out.append(_info(cfg.stem, cat))
            seen.add(cfg.stem)
    for cat in sorted(MODELS_DIR.glob("*.cat")):
        if cat.stem in seen:
            continue
        head = _header(cat.read_text(errors="replace"))
        if re.search(r"part \d+ of \d+", head[:300]):
            continue          # a piece of another model (e.g. lkmm-lock.cat)
        out.append(_info(cat.stem, cat))
    return sorted(out, key=lambda i: i.name)
