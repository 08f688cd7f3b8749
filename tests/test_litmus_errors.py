"""Malformed litmus files: always a LitmusError with file:line:col, never a Lark exception."""
from __future__ import annotations

import random

import pytest

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import parse_litmus

GOOD = """C t
{ x = 0; }
P0(int *x, int *y)
{
  int r0 = READ_ONCE(*y);
  WRITE_ONCE(*x, 1);
}
exists (0:r0=1 /\\ x=1)
"""


@pytest.mark.parametrize("text, msg, line, col", [
    # C code
    ("C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1);\n}}\nexists (x=1)\n", "unexpected '}'", 5, 2),
    ("C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1)\n}\nexists (x=1)\n", "unexpected '}'", 5, 1),
    ("C t\n{}\nP0(int *x) {\n  r0 = ;\n}\nexists (x=1)\n", "unexpected ';'", 4, 8),
    ("C t\n{}\nP0(int *x) {\n  int r0 = 1 +* ;\n}\nexists (x=1)\n", "unexpected ';'", 4, 17),
    ("C t\n\nVariant=S128\n{}\n\nP0 (int128_t *x) {\n  int128_t r0 = *x;\n}\n\nforall 0:r0 = 0\n",
     "unexpected 'int128_t'", 6, 5),
    ("C t\n{}\nP0(int *x) { foo_t r; }\nexists (x=1)\n", "unexpected 'r'", 3, 20),
    ("C t\n{}\nP0(int *x) { r0 = $x; }\nexists (x=1)\n", "unexpected character '$'", 3, 19),
    ("C t\n{}\nP0(int *x) { 1 = 2; }\nexists (x=1)\n", "invalid assignment target", 3, 14),
    ("C t\n{}\nP0(int *x) { /* foo\n}\nexists (x=1)\n", "unterminated comment", 3, 14),
    ("C t\n{}\nP0(int *x) { r0 = 1;\n", "unexpected end of input", 3, 21),
    ("C t\n{}\nP0() {}\nP0() {}\nexists (x=1)\n", "duplicate thread P0", 4, 1),
    ("C t\n{}\nexists (x=1)\n", "no thread functions (expected 'P0(...) { ... }')", 3, 1),
    ("C t\n{}\nP0(int *x, void) {}\nexists (x=1)\n", "'void' must be the only parameter", 3, 12),
    ("C t\n{}\nP0(int) {}\nexists (x=1)\n", "parameter name expected", 3, 4),
    # an error in a complete phrase is reported before a syntax error further on
    ("C t\n{}\nP0(const *) {}\nexists (x=1)\n", "type name expected", 3, 4),
    # header and sections
    ("", "empty file, expected a header 'ARCH NAME'", 1, 1),
    ("C\n{}\n", "missing test name after 'C'", 1, 2),
    ("FOO t\n{}\n P0 ;\n nop ;\nexists (0:r0=1)\n", "unknown architecture 'FOO'", 1, 1),
    ("C t\n(* hello\n{}\nP0(int *x) {}\nexists (x=1)\n", "unterminated comment", 2, 1),
    ("C t\nP0(int *x) {}\nexists (x=1)\n", "missing init block '{ ... }' before the threads", 2, 1),
    ("C t\n", "missing init block '{ ... }'", 2, 1),
    ("C t\n{ x = 1;\nP0(int *x) {}\nexists (x=1)\n", "unterminated init block (missing '}')", 2, 1),
    # init block
    ("C t\n{ x = ; }\nP0(int *x) {}\nexists (x=1)\n", "unexpected ';'", 2, 7),
    ("C t\n{\n  int x = 1;\n  int y = 2 z;\n}\nP0(int *x) {}\nexists (x=1)\n", "unexpected 'z'", 4, 13),
    # constraint
    ("C t\n{}\nP0(int *x) {}\nexists (x=)\n", "unexpected ')'", 4, 11),
    ("C t\n{}\nP0(int *x) {}\nexists (x=1 /\\ )\n", "unexpected ')'", 4, 16),
    ("C t\n{}\nP0(int *x) {}\nexists (x=1) foo\n", "unexpected 'foo'", 4, 14),
    ("C t\n{}\nP0(int *x) {}\nexists (x=1\n", "unexpected end of input", 4, 12),
    ("C t\n{}\nP0(int *x) {}\nexists (x=1) (* foo\n", "unterminated comment", 4, 14),
    ("C t\n{}\nP0(int *x) {}\nfinal (x=1)\n", "unexpected 'final'", 4, 1),
    ("C t\n{}\nP0(int *x) {}\nexists (x=1 /\\ y=a:b /\\ )\n", "memory tags are not supported ('a:b')", 4, 18),
    # assembly layout
    ("X86 t\n{}\n P0 | P1 ;\n MOV EAX,[x] | MOV [x],$1 | NOP ;\nexists (0:EAX=1)\n",
     "too many columns: 3 for 2 threads", 4, 28),
    ("X86 t\n{}\n MOV EAX,[x] ;\nexists (0:EAX=1)\n",
     "bad thread name 'MOV EAX,[x]' (expected P0, P1, ...)", 3, 2),
    ("X86 t\n{}\n P0 | P0 ;\n NOP | NOP ;\nexists (0:EAX=1)\n", "duplicate thread P0", 3, 7),
    ("X86 t\n{}\nexists (0:EAX=1)\n", "missing program (expected a row 'P0 | P1 ... ;')", 3, 1),
])
def test_error_messages_and_positions(text, msg, line, col):
    with pytest.raises(LitmusError) as ei:
        parse_litmus("bad.litmus", text)
    e = ei.value
    assert e.msg == msg
    assert e.pos == Pos("bad.litmus", line, col)
    assert str(e) == f"bad.litmus:{line}:{col}: error: {msg}"
    assert "\n" not in str(e)


def test_unreadable_file():
    with pytest.raises(LitmusError) as ei:
        parse_litmus("/nonexistent/dir/x.litmus")
    assert ei.value.pos == Pos("/nonexistent/dir/x.litmus")
    assert "cannot read" in ei.value.msg


def test_good_file_parses():
    lit = parse_litmus("good.litmus", GOOD)
    assert lit.name == "t" and len(lit.threads) == 1


def test_mutations_never_leak_other_exceptions():
    """Random damage to a valid test yields either a Litmus or a LitmusError."""
    rng = random.Random(1234)
    alphabet = "{}();,*&|/\\=~[]\n :-+P0xr1\"(*)"
    for _ in range(1500):
        chars = list(GOOD)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.4:
                del chars[i]
            elif op < 0.8:
                chars.insert(i, rng.choice(alphabet))
            else:
                chars[i] = rng.choice(alphabet)
        text = "".join(chars)
        try:
            parse_litmus("m.litmus", text)
        except LitmusError as e:
            assert e.pos is not None and e.pos.file == "m.litmus", text
            assert "\n" not in e.msg
