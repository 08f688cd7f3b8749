"""The failure hook of the cat evaluator: evaluate(..., explain=True) reports
the failing check (AST, kind, name), its value, and a scope that evaluates
the model's names and definitions as the check saw them -- for dynamic and
static (rf-independent) failures, top-level and inside procedures."""
from __future__ import annotations

from weakmem.cat import ast as A
from weakmem.cat import rel as R
from weakmem.cat.eval import EvalCache, evaluate
from weakmem.cat.model import load_model_text
from cat_synth import ExecBuilder


def sb(fenced: bool = False):
    """SB: W x=1; R y=0 || W y=1; R x=0 (optionally fenced), rf from init."""
    b = ExecBuilder(["x", "y"])
    w0 = b.write(0, "x", 1)
    if fenced:
        b.fence(0, "mb")
    r0 = b.read(0, "y", 0)
    w1 = b.write(1, "y", 1)
    if fenced:
        b.fence(1, "mb")
    r1 = b.read(1, "x", 0)
    inp = b.build({r0: b.init["y"], r1: b.init["x"]}, fw=[w0, w1])
    return b, inp, (w0, r0, w1, r1)


MODEL = """
let fr = rf^-1 ; co
let com = rf | co | fr
let co = (IW * (W \\ IW)) & loc
let fr = (rf^-1 ; co) \\ id
let ppo = po \\ (W * R)
let ghb = ppo | rfe | fr | co
flag ~empty (W * R) & po as has-wr
acyclic po-loc | rf | co | fr as sc-per-loc
acyclic ghb as tso
"""


def test_hook_off_reports_nothing():
    m = load_model_text(MODEL)
    _, inp, _ = sb()
    outs = list(evaluate(m, inp, EvalCache()))
    assert [o.allowed for o in outs] == [True]
    m2 = load_model_text(MODEL.replace("let ppo = po \\ (W * R)", "let ppo = po"))
    outs = list(evaluate(m2, inp, EvalCache()))
    assert outs[0].failed == "tso" and outs[0].failure is None


def test_dynamic_failure_check_value_and_env():
    m = load_model_text(MODEL.replace("let ppo = po \\ (W * R)", "let ppo = po"))
    _, inp, (w0, r0, w1, r1) = sb()
    (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
    f = out.failure
    assert not out.allowed and out.failed == "tso"
    assert f.name == f.check_name == "tso"
    assert f.test == "acyclic" and not f.negated and f.ckind == "check" and not f.flag
    assert isinstance(f.expr, A.Var) and f.expr.name == "ghb"
    assert not f.static
    n = inp.n
    # the value is the relation ghb, and it has the SB cycle
    assert f.value & (1 << (w0 * n + r0)) and f.value & (1 << (r0 * n + w1))
    assert not R.is_acyclic(n, f.value)
    env = f.env()
    # built from: ghb, ppo, po, rfe, fr (the second one: \ id), co, ...
    for name in ("ghb", "ppo", "po", "rfe", "fr", "co", "rf"):
        assert name in env, name
    assert env["ghb"] == f.value
    assert env["po"] == inp.rels["po"]
    # the scope evaluates the model's expressions where the check was
    assert f.scope.eval("ppo | rfe | fr | co") == f.value
    e, sc = f.scope.definition("fr")
    assert A.show_expr(e) == "(((rf)^-1 ; co) \\ id)"
    # inside that definition, `co` is the co defined just before it
    assert sc.value("co") == env["co"]
    assert f.scope.definition("po") is None and f.scope.is_input("po")


def test_static_failure_has_check_and_env():
    # the failing check does not depend on rf: evaluated in the static phase
    m = load_model_text("let ppo = po \\ (R * W)\nacyclic ppo | po^-1 as static-one\n"
                        "acyclic rf as later")
    _, inp, _ = sb()
    (out,) = list(evaluate(m, inp, EvalCache()))
    assert out.failed == "static-one" and out.env == {} and out.failure is None
    cache = EvalCache()
    for _ in range(2):          # fresh, then from the static cache
        (out,) = list(evaluate(m, inp, cache, explain=True))
        f = out.failure
        assert f.static and f.name == "static-one" and f.test == "acyclic"
        assert f.value == f.scope.eval("ppo | po^-1")
        assert "ppo" in f.env() and "po" in f.env()
        assert out.env.get("rf") == inp.rels["rf"]    # env no longer empty


def test_static_failure_after_static_with():
    m = load_model_text("with s from {po, po^-1}\nacyclic s | s^-1 as both\n")
    _, inp, _ = sb()
    outs = list(evaluate(m, inp, EvalCache(), explain=True))
    assert [o.failed for o in outs] == ["both", "both"]
    assert all(o.failure.static and o.failure.expr is not None for o in outs)


def test_irreflexive_empty_and_negated():
    _, inp, _ = sb()
    for text, test, neg in (("irreflexive po ; po^-1 as ir", "irreflexive", False),
                            ("empty rf as em", "empty", False),
                            ("~empty (0) as ne", "empty", True)):
        m = load_model_text(text)
        (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
        f = out.failure
        assert f.test == test and f.negated == neg and f.name == text.split(" as ")[1]


def test_unnamed_check_and_flags_do_not_fail():
    m = load_model_text("flag ~empty po as f1\nacyclic po | po^-1")
    _, inp, _ = sb()
    (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
    assert out.failure.check_name == "acyclic (po | (po)^-1)"


def test_failure_inside_procedure_and_forall():
    m = load_model_text("""
procedure order(r, name) =
  let both = r | r^-1
  acyclic both as inner
end
call order(rf | po, 'x) as outer
""")
    _, inp, _ = sb()
    (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
    f = out.failure
    assert out.failed == "outer" and f.name == "outer" and f.check_name == "inner"
    assert f.scope.value("r") == inp.rels["rf"] | inp.rels["po"]
    assert f.value == f.scope.eval("both")
    m = load_model_text("forall s in {po, rf} do irreflexive s ; s^-1 as each end")
    (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
    assert out.failure.check_name == "each" and out.failure.scope.value("s") == inp.rels["po"]


def test_fenced_model_function_definitions():
    m = load_model_text("""
enum Fences = 'mb
let fencerel(B) = po ; [B] ; po
let mb = fencerel(Mb)
let com = rf | fr
let fr = rf^-1 ; ((IW * (W \\ IW)) & loc)
acyclic mb | fr as sc
""")
    b, inp, (w0, r0, w1, r1) = sb(fenced=True)
    (out,) = list(evaluate(m, inp, EvalCache(), explain=True))
    f = out.failure
    n = inp.n
    assert f.value >> (w0 * n + r0) & 1
    e, sc = f.scope.definition("mb")
    assert isinstance(e, A.App)
    fun, fsc = f.scope.function("fencerel")
    assert isinstance(fun, A.Fun) and fun.pat.names == ["B"]
