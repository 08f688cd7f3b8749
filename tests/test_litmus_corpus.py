"""The litmus reader against the shared corpora (skipped when ../shared is absent).

* every .litmus of lkmm/litmus-tests, pmk-manual, herd-regression and the
  catalogue parses, except those herd7 rejects for syntax reasons, which must
  raise LitmusError with a position;
* the final condition, printed back in herd7's style, equals herd7's own
  printout recorded in the reference results;
* assembly tests split into the right number of threads and instructions;
* after linux-kernel.def expansion, the only names left unexpanded in the
  LKMM corpora are exactly the ones herd7 reports as "Unknown macro";
* parsing the ~900 pmk-manual files is fast.
"""
from __future__ import annotations

import glob
import json
import os
import re
from pathlib import Path

import pytest

from weakmem.errors import LitmusError
from weakmem.litmus import load_defs, parse_litmus
from weakmem.litmus.ast import (
    ArrayVal,
    AsmThread,
    CThread,
    ECall,
    InstrVal,
    IntVal,
    LabelVal,
    LocTerm,
    PAnd,
    PAtom,
    PFalse,
    PFault,
    PImplies,
    PNot,
    POr,
    PTrue,
    RegTerm,
    SymVal,
)


def _shared() -> Path:
    env = os.environ.get("WEAKMEM_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


SHARED = _shared()
CORPUS = SHARED / "corpus"
REFERENCE = SHARED / "reference"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

GROUPS = {
    "lkmm": ("lkmm/litmus-tests/*.litmus", "lkmm-litmus-tests.jsonl", "lkmm/litmus-tests"),
    "pmk-manual": ("pmk-manual/**/*.litmus", "pmk-manual.jsonl", "pmk-manual"),
    "herd-regression": ("herd-regression/*/*.litmus", None, "herd-regression"),
    "catalogue": ("catalogue/*/tests/*.litmus", None, "catalogue"),
}


def _files(pattern: str) -> list[str]:
    return sorted(glob.glob(str(CORPUS / pattern), recursive=True))


def _reference_errors() -> dict[str, str]:
    """Absolute test path -> herd7's error message, for every rejected test."""
    out: dict[str, str] = {}
    if not REFERENCE.is_dir():
        return out
    for ref in REFERENCE.glob("*.jsonl"):
        name = ref.name[:-len(".jsonl")]
        if name.startswith("herd-regression-"):
            folder = CORPUS / "herd-regression" / name[len("herd-regression-"):]
        elif name.startswith("catalogue-"):
            folder = CORPUS / "catalogue" / name[len("catalogue-"):].split(".")[0]
        elif name == "lkmm-litmus-tests":
            folder = CORPUS / "lkmm" / "litmus-tests"
        elif name == "pmk-manual":
            folder = CORPUS / "pmk-manual"
        else:
            continue
        with open(ref) as f:
            for line in f:
                j = json.loads(line)
                if j.get("error"):
                    out[str(folder / j["file"])] = j["error"]
    return out


_REF_ERRORS = _reference_errors()
_SYNTAX = re.compile(r"unexpected '.*' \(in (\w+)\)|lexing|open_in failed")


def _herd_syntax_error(path: str) -> str | None:
    """'init' / 'prog' / 'file'... when herd7 rejected the test for syntax reasons."""
    err = _REF_ERRORS.get(path)
    if not err:
        return None
    m = _SYNTAX.search(err)
    if not m:
        return None
    if "open_in failed" in err:
        return "file"
    return m.group(1) or "syntax"


def _is_symlink_stub(path: str) -> bool:
    """A git symlink checked out as a file holding the target path."""
    with open(path, errors="replace") as f:
        text = f.read()
    return "\n" not in text.strip() and text.strip().endswith(".litmus")


# ------------------------------------------------------------------ parse everything

SUMMARY: dict[str, tuple[int, int, int]] = {}


@pytest.mark.parametrize("group", list(GROUPS))
def test_corpus_parses(group):
    pattern = GROUPS[group][0]
    files = _files(pattern)
    assert files, f"no files for {pattern}"
    parsed = rejected = 0
    failures = []
    for path in files:
        expect = _herd_syntax_error(path)
        if expect is None and _is_symlink_stub(path):
            expect = "file"
        try:
            lit = parse_litmus(path)
        except LitmusError as e:
            if expect is None:
                failures.append(str(e))
                continue
            assert e.pos is not None and e.pos.file == path, str(e)
            if expect != "file":
                assert e.pos.line > 0 and e.pos.col > 0, str(e)
            rejected += 1
            continue
        if expect in ("init", "file") or (expect and lit.arch == "C"):
            failures.append(f"{path}: herd7 rejects it ({_REF_ERRORS.get(path, 'stub')[:80]}) but it parsed")
            continue
        parsed += 1
        assert lit.threads, path
        assert lit.condition is not None, path
    SUMMARY[group] = (len(files), parsed, rejected)
    print(f"\n{group}: {len(files)} files, {parsed} parsed, {rejected} rejected like herd7")
    assert not failures, "\n".join(failures[:20])


def test_known_syntax_rejections():
    """herd7: C07.litmus, line 6, characters 4-12: unexpected 'int128_t'."""
    path = str(CORPUS / "herd-regression" / "C" / "C07.litmus")
    with pytest.raises(LitmusError) as ei:
        parse_litmus(path)
    assert ei.value.msg == "unexpected 'int128_t'"
    assert (ei.value.pos.line, ei.value.pos.col) == (6, 5)
    # herd7: A175 "v[3] = 3" is not a legal init item
    with pytest.raises(LitmusError) as ei:
        parse_litmus(str(CORPUS / "herd-regression" / "AArch64" / "A175.litmus"))
    assert ei.value.pos.line == 7


# ------------------------------------------------------------------ conditions vs herd7's printout

def _val(v) -> str:
    if isinstance(v, IntVal):
        return str(v.value)
    if isinstance(v, SymVal):
        return v.name + (f"+{v.offset}" if v.offset else "")
    if isinstance(v, (RegTerm, LocTerm)):
        return _term(v)
    if isinstance(v, ArrayVal):
        return "{" + ",".join(_val(x) for x in v.values) + "}"
    if isinstance(v, LabelVal):
        return f'label:"P{v.tid}:{v.label}"'
    if isinstance(v, InstrVal):
        return f'instr:"{v.text}"'
    raise AssertionError(v)


def _term(t) -> str:
    if isinstance(t, RegTerm):
        return f"{t.tid}:{t.reg}"
    if t.index is not None:
        return f"{t.name}[{t.index}]"
    return f"[{t.name}]"


def _flat(p, kind):
    return _flat(p.a, kind) + _flat(p.b, kind) if isinstance(p, kind) else [p]


def _wrap(p, kinds):
    s = _prop(p)
    return f"({s})" if isinstance(p, kinds) else s


def _prop(p) -> str:
    """herd7's pretty-printer: `/\\` binds tighter than `\\/`, no redundant parens."""
    if isinstance(p, PTrue):
        return "true"
    if isinstance(p, PFalse):
        return "false"
    if isinstance(p, PAtom):
        lhs = p.lhs.name if isinstance(p.lhs, LocTerm) and isinstance(p.rhs, ArrayVal) else _term(p.lhs)
        s = f"{lhs}={_val(p.rhs)}"
        return f"not ({s})" if p.op == "!=" else s
    if isinstance(p, PFault):
        head = [f"P{p.tid}" + (f":{p.label}" if p.label else "")] if p.tid is not None else []
        return "fault(" + ",".join(head + list(p.args)) + ")"
    if isinstance(p, PNot):
        return f"not ({_prop(p.p)})"
    if isinstance(p, PAnd):
        return " /\\ ".join(_wrap(x, (POr, PImplies)) for x in _flat(p, PAnd))
    if isinstance(p, POr):
        return " \\/ ".join(_wrap(x, (PImplies,)) for x in _flat(p, POr))
    if isinstance(p, PImplies):
        kinds = (PAnd, POr, PImplies)
        return f"{_wrap(p.a, kinds)} => {_wrap(p.b, kinds)}"
    raise AssertionError(p)


_NUM = re.compile(r"-?(0x[0-9a-fA-F]+|[0-9]+)")


def _norm_numbers(s: str) -> str:
    """herd prints machine values (wrapped to 32/64 bits, sometimes in hex)."""
    return _NUM.sub(lambda m: str(int(m.group(0), 0) % 2**32), s)


# RISCV and X86_64 regression tests use register aliases that herd7 renames
# when printing (a0 -> x10, RAX -> rax): that is the front-ends' business.
_COND_REFS = {
    "lkmm-litmus-tests.jsonl": "lkmm/litmus-tests",
    "pmk-manual.jsonl": "pmk-manual",
    "herd-regression-AArch64.jsonl": "herd-regression/AArch64",
    "herd-regression-ARM.jsonl": "herd-regression/ARM",
    "herd-regression-AArch32.jsonl": "herd-regression/AArch32",
    "herd-regression-C.jsonl": "herd-regression/C",
    "herd-regression-PPC.jsonl": "herd-regression/PPC",
    "catalogue-aarch64.default.jsonl": "catalogue/aarch64",
    "catalogue-x86.default.jsonl": "catalogue/x86",
    "catalogue-x86_64.default.jsonl": "catalogue/x86_64",
}


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference results not available")
def test_conditions_match_herd_printout():
    checked = 0
    mismatches = []
    for ref, folder in _COND_REFS.items():
        with open(REFERENCE / ref) as f:
            for line in f:
                j = json.loads(line)
                if not j.get("condition"):
                    continue
                lit = parse_litmus(str(CORPUS / folder / j["file"]))
                c = lit.condition
                mine = f"{c.quantifier} ({_prop(c.prop)})"
                checked += 1
                if _norm_numbers(mine) != _norm_numbers(j["condition"]):
                    mismatches.append(f"{folder}/{j['file']}: herd {j['condition']!r} vs {mine!r}")
    print(f"\nconditions checked against herd7's printout: {checked}")
    assert checked > 1000
    assert not mismatches, "\n".join(mismatches[:20])


# ------------------------------------------------------------------ assembly column splitting

def _independent_split(text: str):
    """Line-based splitter (one row per line), for cross-checking."""
    text = re.sub(r"\(\*.*?\*\)", "", text, flags=re.S)
    i = text.index("{")
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            break
    body = text[j + 1:]
    m = re.search(r"(?<![\w/.\-])(exists|~\s*exists|forall|locations|filter)(?![\w/.\-])", body)
    body = body[:m.start()] if m else body
    rows = [r for r in body.split(";") if r.strip()]
    heads = [c.strip() for c in rows[0].split("|")]
    counts = [0] * len(heads)
    for r in rows[1:]:
        for k, cell in enumerate(r.split("|")):
            cell = cell.strip()
            if not cell:
                continue
            # `L0: L1: instr` -> one entry per label (the last one carries instr)
            n = 0
            while True:
                lm = re.match(r"([A-Za-z_.$][\w.$]*)[ \t]*:(?!:)[ \t]*", cell)
                if not lm:
                    break
                n += 1
                cell = cell[lm.end():]
            counts[k] += max(n, 1)
    return heads, counts


def _asm_files():
    out = []
    for pattern in ("herd-regression/*/*.litmus", "catalogue/*/tests/*.litmus", "pmk-manual/**/*.litmus"):
        for path in _files(pattern):
            with open(path, errors="replace") as f:
                first = f.readline().split()
            if first and first[0] != "C" and not _is_symlink_stub(path):
                out.append(path)
    return out


def test_asm_thread_and_instruction_counts():
    files = _asm_files()
    assert len(files) > 500
    checked = 0
    for path in files:
        if _herd_syntax_error(path) == "init":
            continue
        try:
            lit = parse_litmus(path)
        except LitmusError:
            assert _herd_syntax_error(path), path
            continue
        with open(path, errors="replace") as f:
            heads, counts = _independent_split(f.read())
        assert [t.name for t in lit.threads] == heads, path
        assert all(isinstance(t, AsmThread) for t in lit.threads)
        assert [len(t.code) for t in lit.threads] == counts, path
        for t in lit.threads:
            for ins in t.code:
                assert ins.pos is not None and ins.pos.line > 0
                assert ins.text or ins.label, path
        checked += 1
    print(f"\nassembly tests split: {checked}")


def test_asm_examples():
    lit = parse_litmus(str(CORPUS / "pmk-manual" / "demo" / "PPC-DCL.litmus"))
    assert lit.arch == "PPC" and lit.name == "PPC-DCL.litmus"
    p0, p1 = lit.threads
    assert [i.text for i in p0.code] == [
        "lwz r10,0(r2)", "cmpwi r10,1", "bne SKIP", "lwz r11,0(r3)", "lwz r12,0(r4)", ""]
    assert p0.code[-1].label == "SKIP"
    assert len(p1.code) == 11 and p1.code[-1].label == "LOCKHELD" and p1.code[-1].text == ""
    assert p1.code[9].text == "stw r6,0(r5)"
    assert (p1.code[9].pos.line, p1.code[9].pos.col) == (16, 5)

    lit = parse_litmus(str(CORPUS / "catalogue" / "x86" / "tests" / "SB.litmus"))
    assert lit.arch == "X86" and lit.doc == "PodWR Fre PodWR Fre"
    assert lit.info["Cycle"] == "Fre PodWR Fre PodWR"
    assert [[i.text for i in t.code] for t in lit.threads] == [
        ["MOV [x],$1", "MOV EAX,[y]"], ["MOV [y],$1", "MOV EAX,[x]"]]

    lit = parse_litmus(str(CORPUS / "herd-regression" / "AArch64" / "A259.litmus"))
    assert lit.info == {"Variant": "fatal"}
    assert [(i.label, i.text) for i in lit.threads[0].code] == [("L0", ""), (None, "SVC #0"), ("L1", "")]
    assert lit.condition.prop == PFault(0, "L0", ("SupervisorCall",))


# ------------------------------------------------------------------ C corpora

def _c_files():
    out = []
    for pattern in ("lkmm/litmus-tests/*.litmus", "pmk-manual/**/*.litmus", "herd-regression/C/*.litmus"):
        for path in _files(pattern):
            with open(path, errors="replace") as f:
                if f.readline().split()[:1] == ["C"]:
                    out.append(path)
    return out


def _calls(node, out):
    if isinstance(node, ECall):
        out.append(node)
    if hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            v = getattr(node, name)
            for x in (v if isinstance(v, tuple) else (v,)):
                _calls(x, out)
    return out


PRIMITIVES = {"__load", "__store", "__fence", "__xchg", "__cmpxchg", "__lock", "__unlock", "__trylock",
              "__islocked", "__atomic_op", "__atomic_op_return", "__atomic_fetch_op",
              "__atomic_add_unless", "__srcu", "atomic_add_unless"}


def test_c_corpus_macro_expansion_matches_herd_unknown_macros():
    defs = load_defs(str(CORPUS / "lkmm" / "model" / "linux-kernel.def"))
    unknown: dict[str, set[str]] = {}
    n = 0
    for path in _c_files():
        if "herd-regression" in path:
            continue
        lit = defs.expand_litmus(parse_litmus(path))
        n += 1
        for t in lit.threads:
            assert isinstance(t, CThread)
            for call in _calls(t, []):
                if call.name not in PRIMITIVES:
                    unknown.setdefault(call.name, set()).add(path)
    herd_unknown: dict[str, set[str]] = {}
    for path, err in _REF_ERRORS.items():
        m = re.search(r"Unknown macro (\S+)", err)
        if m:
            herd_unknown.setdefault(m.group(1), set()).add(path)
    # herd stops at the first unknown macro of a file; we see them all
    for name, paths in herd_unknown.items():
        assert paths <= unknown.get(name, set()), name
    assert set(unknown) <= set(herd_unknown) | {"srcu_up_read"}, sorted(unknown)
    assert n > 700


def test_lkmm_examples():
    lit = parse_litmus(str(CORPUS / "lkmm" / "litmus-tests" / "MP+onceassign+derefonce.litmus"))
    assert lit.results == ["Never"]
    assert [str(t.target.name) for t in lit.init] == ["p", "x", "y"]
    assert lit.init[0].ctype == "int*" and lit.init[0].value == SymVal("y")
    assert [p.ctype for p in lit.threads[0].params] == ["int *", "int **"]
    assert lit.condition.text == "exists (1:r0=x /\\ 1:r1=0)"
    assert lit.condition.prop == PAnd(PAtom(RegTerm(1, "r0"), "=", SymVal("x")),
                                      PAtom(RegTerm(1, "r1"), "=", IntVal(0)))

    lit = parse_litmus(str(CORPUS / "pmk-manual" / "locked" / "self-deadlock.litmus"))
    assert lit.condition.quantifier == "forall" and lit.condition.prop == PTrue()
    assert lit.results == ["DEADLOCK"]

    lit = parse_litmus(str(CORPUS / "herd-regression" / "C" / "C12.litmus"))
    assert lit.info == {"regions": "x:PROP"}


# ------------------------------------------------------------------ speed

def test_pmk_manual_all_parse():
    """Every pmk-manual file parses or is rejected with a positioned error
    (its speed is measured by benchmarks/parse.py, not here)."""
    files = _files("pmk-manual/**/*.litmus")
    assert len(files) > 800
    parsed = 0
    for path in files:
        try:
            parse_litmus(path)
            parsed += 1
        except LitmusError as e:
            assert e.pos is not None and str(e).startswith(path), str(e)
    assert parsed > 800
