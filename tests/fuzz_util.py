"""A seeded mutator of litmus tests, and one fuzz run through the command line.

Used by tests/test_fuzz.py (a few hundred inputs) and benchmarks/fuzz.py (a
longer campaign).  Each mutant says whether it is certainly malformed (then
weakmem must reject it: exit 1 and one positioned error line); any mutant
must end without a traceback or an internal error, within its time limit.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from weakmem.cli import main

TOKENS = [";", "|", "(*", "*)", "{", "}", "(", ")", "[", "]", ":", "=", "/\\", "\\/", "~", "P5", "P0",
          "exists", "forall", "locations", "filter", "0:X0", "1:r0", "x", "-1", "0", "<<", ">>", "/",
          "2147483648", "9223372036854775808", "1180591620717411303424", "0x10000000000000000",
          "nowhere", "L0:", "\x00", "\xff", "\x1b[31m", " " * 300, ";" * 300, "include \"x.cat\"",
          "atomic_load_explicit(x)", "READ_ONCE()", "1 << -1", "int z[100000000];"]
POSITIONED = re.compile(r"^[^\n]*:\d+:\d+: error: [^\n]+$")


@dataclass
class Mutant:
    text: str
    how: str
    malformed: bool          # certainly rejected by herd7 (and so by weakmem)


def mutate(text: str, rnd: random.Random) -> Mutant:
    """One random mutation of a litmus test `text`."""
    kind = rnd.choice(["delete", "duplicate", "insert", "truncate", "swap", "number", "byte",
                       "gap", "bigconst", "unterminated"])
    n = len(text)
    if kind == "delete" and n > 2:
        a = rnd.randrange(n)
        b = min(n, a + rnd.choice([1, 2, 5, 20, 200]))
        return Mutant(text[:a] + text[b:], kind, False)
    if kind == "duplicate" and n > 2:
        a = rnd.randrange(n)
        b = min(n, a + rnd.choice([1, 5, 40, 400]))
        times = rnd.choice([1, 2, 50])
        return Mutant(text[:b] + text[a:b] * times + text[b:], kind, False)
    if kind == "insert":
        a = rnd.randrange(n + 1)
        return Mutant(text[:a] + rnd.choice(TOKENS) + text[a:], kind, False)
    if kind == "truncate" and n > 2:
        return Mutant(text[:rnd.randrange(1, n)], kind, False)
    if kind == "swap":
        lines = text.split("\n")
        if len(lines) > 2:
            i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return Mutant("\n".join(lines), kind, False)
    if kind == "number":
        nums = list(re.finditer(r"\d+", text))
        if nums:
            m = rnd.choice(nums)
            big = rnd.choice(["99999999999999999999999", "-1", "4294967296", "1" * 5000, "0", "65"])
            return Mutant(text[:m.start()] + big + text[m.end():], kind, False)
    if kind == "byte" and n > 0:
        a = rnd.randrange(n)
        return Mutant(text[:a] + chr(rnd.randrange(0, 32)) + text[a + 1:], kind, False)
    if kind == "gap":
        # the last thread renamed out of order: herd7 "Processes must be P0, P1, ..."
        names = sorted({int(m.group(1)) for m in re.finditer(r"\bP(\d+)\b\s*[(|;]", text)})
        if names and names == list(range(len(names))):
            last = names[-1]
            k = last + 7
            start = text.find("}", max(text.find("{"), 0)) + 1       # the threads come after the init block
            head = text[:start] + re.sub(rf"\bP{last}(\s*[(|;])", rf"P{k}\1", text[start:], count=1)
            if head != text:
                return Mutant(head, kind, True)
    if kind == "bigconst":
        m = re.search(r"(exists|forall)\s*\(", text)
        if m:
            return Mutant(text[:m.end()] + "x=1180591620717411303424 /\\ " + text[m.end():], kind, True)
    if kind == "unterminated":
        i = text.find("{")
        if i >= 0:
            return Mutant(text[:i + 1] + " x=1; ", kind, True)    # init block never closed, nothing after
    return Mutant(text + "\n" + rnd.choice(TOKENS), "append", False)


@dataclass
class Outcome:
    how: str
    malformed: bool
    exit_code: int
    seconds: float
    kind: str                 # 'verdict', 'undetermined', 'error', 'bad' (traceback/internal/unpositioned)
    detail: str = ""


def run_one(path: Path, timeout: float, memory: float | None = None) -> Outcome:
    args = ["run", "--timeout", str(timeout), str(path)]
    if memory is not None:
        args[1:1] = ["--memory", str(memory)]
    t0 = time.monotonic()
    r = CliRunner().invoke(main, args)
    dt = time.monotonic() - t0
    out = r.output + (getattr(r, "stderr", "") if not r.output else "")
    kind = "verdict"
    detail = ""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        kind, detail = "bad", f"exception {type(r.exception).__name__}: {r.exception}"
    elif "Traceback" in out or "internal error" in out:
        kind, detail = "bad", out[-300:]
    elif r.exit_code not in (0, 1):
        kind, detail = "bad", f"exit {r.exit_code}"
    elif r.exit_code == 1:
        errs = [ln for ln in out.splitlines() if ": error: " in ln or ln.startswith("error:")]
        if len(errs) != 1 or not POSITIONED.match(errs[0]) or len(errs[0]) > 700:
            kind, detail = "bad", "not one positioned error line: " + out[-300:]
        else:
            kind, detail = "error", errs[0]
    elif "Undetermined" in out:
        kind = "undetermined"
    return Outcome("", False, r.exit_code, dt, kind, detail)


def corpus_files(shared: Path, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in (shared / "corpus").rglob("*.litmus") if p.stat().st_size < 20000)
    return files if limit is None else files[:limit]
