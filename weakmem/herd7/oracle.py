"""herd7 as an oracle: find it, run it, read its output, compare with weakmem.

herd7 is located through the environment, never a fixed path: `WEAKMEM_HERD7`
(the herd7 executable, or the directory holding it and diy7), else `herd7` on
PATH.  The generators (`diy7`, `diycross7`) are looked up beside herd7 first.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


def find_tool(name: str = "herd7") -> str | None:
    """Path of a herdtools7 executable (herd7, diy7, diycross7), or None."""
    env = os.environ.get("WEAKMEM_HERD7")
    if env:
        p = Path(env).expanduser()
        cands = [p / name] if p.is_dir() else [p.parent / name] if name != "herd7" else [p]
        for c in cands:
            if c.is_file() and os.access(c, os.X_OK):
                return str(c)
    herd = shutil.which("herd7")
    if herd and name != "herd7":
        c = Path(herd).parent / name
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return shutil.which(name)


@dataclass
class Block:
    """One test's result as herd7 prints it."""
    name: str
    kind: str = ""                  # Allowed / Required
    states: list[str] = field(default_factory=list)
    ok: str = ""                    # Ok / No / Undef
    pos: int | None = None
    neg: int | None = None
    observation: str = ""           # Always / Sometimes / Never
    flags: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        return self.observation, tuple(sorted(norm_state(s) for s in self.states))


def norm_state(s: str) -> str:
    parts = sorted(re.sub(r"\s+", "", p) for p in s.split(";") if p.strip())
    return ";".join(parts)


_OBS = re.compile(r"Observation (\S+) (\w+) (\d+) (\d+)")


def parse_blocks(text: str) -> dict[str, Block]:
    """herd-format text -> {test name: Block}."""
    out: dict[str, Block] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        words = lines[i].split()
        if len(words) == 3 and words[0] == "Test" and words[2] in ("Allowed", "Required"):
            b = Block(words[1], words[2])
            i += 1
            if i < len(lines) and lines[i].startswith("States "):
                n = int(lines[i].split()[1])
                b.states = [lines[i + 1 + k].strip() for k in range(n)]
                i += 1 + n
            while i < len(lines) and not lines[i].startswith("Test "):
                ln = lines[i]
                if ln in ("Ok", "No", "Undef"):
                    b.ok = ln
                elif ln.startswith("Positive:"):
                    p = ln.split()
                    b.pos, b.neg = int(p[1]), int(p[3])
                elif ln.startswith("Flag "):
                    b.flags.append(ln[5:].strip())
                else:
                    m = _OBS.match(ln)
                    if m:
                        b.observation = m.group(2)
                if ln.startswith("Time "):
                    i += 1
                    break
                i += 1
            out[b.name] = b
            continue
        i += 1
    return out


def litmus_name(path: str | Path) -> str | None:
    """The test's name: the second word of its first non-empty line."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                w = line.split()
                if w:
                    return w[1] if len(w) > 1 else None
    except OSError:
        return None
    return None


@dataclass
class HerdRun:
    block: Block | None
    stdout: str
    stderr: str


def run_herd7(herd7: str, path: str | Path, args: list[str] = (), timeout: float = 60,
              cwd: str | Path | None = None) -> HerdRun:
    """Run herd7 on one file; block is None when herd7 rejected or did not finish it."""
    try:
        p = subprocess.run([herd7, *args, str(path)], capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return HerdRun(None, "", "timeout")
    blocks = parse_blocks(p.stdout)
    return HerdRun(next(iter(blocks.values()), None), p.stdout, p.stderr)
