"""Parser tests: the whole corpus parses, precedence, errors with positions."""
from __future__ import annotations

import glob
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakmem.cat import ast as A
from weakmem.cat.model import resolve_file
from weakmem.cat.files import parse_file
from weakmem.cat.parse import parse_text, strip_comments
from weakmem.errors import CatError
from corpus_util import SHARED as _SHARED

SHARED = str(_SHARED / "corpus")


def _corpus_files() -> list[str]:
    if not os.path.isdir(SHARED):
        return []
    out = glob.glob(os.path.join(SHARED, "**", "*.cat"), recursive=True)
    out += glob.glob(os.path.join(SHARED, "**", "*.bell"), recursive=True)
    return sorted(out)


@pytest.mark.parametrize("path", _corpus_files() or ["<no corpus>"],
                         ids=lambda p: os.path.relpath(p, SHARED) if p.startswith(SHARED) else p)
def test_corpus_file_parses(path: str) -> None:
    if not os.path.isdir(SHARED):
        pytest.skip("../shared is absent")
    herd = os.path.join(SHARED, "herd-libdir")
    real = resolve_file(path, [herd])
    if real is None:
        pytest.skip(f"{path}: pseudo-symlink to an absent file")
    cf = parse_file(real)
    assert isinstance(cf, A.CatFile)


def test_corpus_not_empty_when_present() -> None:
    if not os.path.isdir(SHARED):
        pytest.skip("../shared is absent")
    assert len(_corpus_files()) > 50


def _exp(src: str) -> str:
    cf = parse_text("let x = " + src)
    ins = cf.instrs[0]
    assert isinstance(ins, A.ILet)
    return A.show_expr(ins.binds[0].e)


@pytest.mark.parametrize("src,expected", [
    ("a | b ; c", "(a | (b ; c))"),
    ("a ; b | c", "((a ; b) | c)"),
    ("a & b \\ c", "((a & b) \\ c)"),
    ("a \\ b & c", "(a \\ (b & c))"),
    ("a \\ b \\ c", "((a \\ b) \\ c)"),
    ("a ; b ; c | d | e", "((a ; b ; c) | d | e)"),
    ("a ++ b | c", "((a ++ b) | c)"),
    ("a ; b ++ c", "((a ; b) ++ c)"),
    ("~a | b", "(~a | b)"),
    ("A * B & C", "((A * B) & C)"),
    ("A * ~B", "(A * ~B)"),
    ("r^-1 ; s", "((r)^-1 ; s)"),
    ("r -1", "(r)^-1"),
    ("r* ; s+ ; t?", "((r)* ; (s)+ ; (t)?)"),
    ("(r ; s)* | t", "(((r ; s))* | t)"),
    ("[W] ; po ; [R]", "([W] ; po ; [R])"),
    ("f x y", "f(x)(y)"),
    ("f(x, y) | g x", "(f((x,y)) | g(x))"),
    ("domain(r)*", "(domain(r))*"),
    ("{}", "{}"),
    ("{'a, 'b}", "{'a,'b}"),
    ("p ++ 0", "(p ++ 0)"),
    ("S * {e}", "(S * {e})"),
    ("_ * B", "(_ * B)"),
    ("fun x -> x | y", "(fun (x) -> (x | y))"),
    ("fun (a, _) -> a", "(fun (a,_) -> a)"),
    ("try X with {}", "(try X with {})"),
    ("let y = a and z = b in y | z", "(let y = a and z = b in (y | z))"),
    ("let rec f x = f x in f", "(let rec f = (fun (x) -> f(x)) in f)"),
    ("po-loc & DMB.ISH", "(po-loc & DMB.ISH)"),
])
def test_precedence(src: str, expected: str) -> None:
    assert _exp(src) == expected


def test_titles() -> None:
    assert parse_text('"Linux model"\nlet a = b').title == "Linux model"
    cf = parse_text("X86 TSO\nlet a = b")
    assert cf.title == "X86 TSO" and cf.arch == "X86"
    cf = parse_text('C "C++11"\nlet a = b')
    assert cf.title == "C++11" and cf.arch == "C"
    assert parse_text("SC\ninclude \"cos.cat\"").title == "SC"
    assert parse_text("let a = b").title is None
    assert parse_text("").instrs == []


def test_comments() -> None:
    src = "(* outer (* nested *) still *) let a = b # hash\n// slashes\nlet c = d"
    cf = parse_text(src)
    assert [i.binds[0].pat.names for i in cf.instrs] == [["a"], ["c"]]
    # positions are preserved
    assert strip_comments("(*\n*)x") == "  \n  x"
    assert cf.instrs[1].pos.line == 3


def test_statements() -> None:
    src = """
enum Accesses = 'once || 'release || 'acquire
instructions R[{'once,'acquire}]
instructions F[Barriers]
default W[{'once}]
flag ~empty a as f1
undefined_unless empty b
assert acyclic c as x
~irreflexive d
show a, b
show a \\ b as c
unshow a
procedure p(x, y) =
  empty x \\ y
  call q(x)
end
procedure q x = acyclic x end
call p(a, b) as named
forall e in S do empty e end
with co from S
if "v1" || not "v2" && "v3" then let a = b else let a = c end
if variant "v" include "x.cat" end
let rec a = a | b and c = a when acyclic a as cyc
let (x, y) = (a, b)
let u, v = a, b
let m = match t with || 'a -> x || 'b -> y || _ -> z end
let s = match S with || {} -> 0 || e ++ rest -> e end
let s2 = match S with e ++ rest -> e || {} -> 0 end
let i = if x = y then a else b
match t with 'a -> let k = a || _ -> let k = b end
catdep
debug a
let x = a in
"""
    cf = parse_text(src)
    kinds = [type(i).__name__ for i in cf.instrs]
    assert kinds.count("IEnum") == 1
    assert "IProcedure" in kinds and "ICall" in kinds and "IForall" in kinds
    assert "IWith" in kinds and "IIf" in kinds and "IMatch" in kinds
    tests = [i for i in cf.instrs if isinstance(i, A.ITest)]
    assert [(t.kind, t.spec.test, t.spec.neg, t.spec.name) for t in tests] == [
        ("flag", "empty", True, "f1"),
        ("undefined", "empty", False, None),
        ("assert", "acyclic", False, "x"),
        ("check", "irreflexive", True, None),
    ]
    enum = cf.instrs[0]
    assert isinstance(enum, A.IEnum) and enum.tags == ["once", "release", "acquire"]


@pytest.mark.parametrize("src,line,col,fragment", [
    ("let a = b\nlet c = ;", 2, 9, "syntax error"),
    ("let a = b |", 1, 12, "end of file"),
    ("let a = b\n  let $ = c", 2, 7, "unexpected character"),
    ("(* never closed", 1, 1, "unterminated comment"),
    ("let a = (b", 1, 11, "end of file"),
    ("acyclic as", 1, 9, "syntax error"),
])
def test_syntax_errors(src: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(CatError) as ei:
        parse_text(src, "m.cat")
    e = ei.value
    assert e.pos is not None
    assert (e.pos.file, e.pos.line) == ("m.cat", line)
    assert e.pos.col == col
    msg = str(e)
    assert fragment in msg
    assert "\n" not in msg and "Traceback" not in msg
    assert msg.startswith(f"m.cat:{line}:{col}: error:")


_TOKENS = ["let", "rec", "and", "in", "=", "x", "po", "(", ")", "[", "]", "{", "}",
           "|", "||", "&", ";", "\\", "*", "+", "?", "^-1", "~", "++", "0", "_",
           "'t", ",", "->", "fun", "match", "with", "end", "acyclic", "as",
           "flag", "empty", "include", '"f"', "(*", "*)", "#", "\n", "if", "then",
           "else", "procedure", "call", "$"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25))
def test_garbage_never_crashes(toks: list[str]) -> None:
    src = " ".join(toks)
    try:
        parse_text(src, "g.cat")
    except CatError as e:
        assert e.pos is not None and e.pos.file == "g.cat"
        assert "\n" not in str(e)
