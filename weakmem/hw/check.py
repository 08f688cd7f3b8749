"""What the models say about a test, for comparison with the machine.

    views = model_views(path, model=None, timeout=None)   # -> list[ModelView]

An assembly test gets its CPU's model (x86-tso, or --model).  A C test gets
its language model (the one its API picks, or --model) and the model of
this CPU applied to the test compiled for it (weakmem.matrix's x86-64
mapping), whose registers are renamed back to the test's.  Each view is
the set of final states the model allows, over the terms it constrains.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from weakmem.arch import default_model
from weakmem.errors import WeakmemError
from weakmem.litmus import ast as A
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test, read_test
from weakmem.verdict import prop_terms, term_str

State = tuple[tuple[str, str], ...]


@dataclass
class ModelView:
    model: str
    role: str                         # 'cpu' | 'language'
    allowed: set[State] = field(default_factory=set)   # projected on `terms`
    terms: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)   # model's term -> test's term
    observation: str = ""             # Never / Sometimes / Always for the condition
    outcome_allowed: bool | None = None
    note: str = ""                    # how the view was obtained, or why it is missing
    error: str | None = None

    def allows(self, state: dict[str, str]) -> bool | None:
        if self.error is not None:
            return None
        key = tuple((t, state.get(t, "?")) for t in self.terms)
        return key in self.allowed


def _view(res, role: str, model: str, rename: dict[str, str] | None = None, note: str = "") -> ModelView:
    v = ModelView(model, role, note=note)
    if res.undetermined:
        v.error = f"model undetermined ({res.undetermined})"
        return v
    rename = rename or {}
    v.rename = rename
    for st in res.states:
        if rename:       # only the terms that have a name in the test
            st = tuple((t, val) for t, val in st if t in rename)
        v.allowed.add(tuple((rename.get(t, t), val) for t, val in st))
        if not v.terms:
            v.terms = [rename.get(t, t) for t, _ in st]
    v.allowed = {tuple(sorted(s, key=lambda p: v.terms.index(p[0]))) for s in v.allowed}
    if not res.states:
        v.error = ("the model found no complete execution (a loop longer than the unroll bound, "
                   "or a filter nothing passes): nothing to compare with")
        return v
    v.observation = res.verdict.observation
    v.outcome_allowed = res.pos > 0
    return v


def model_views(path: str, model: str | None = None, timeout: float | None = None) -> list[ModelView]:
    test = parse_litmus(path)
    cache = ModelCache()
    opts = Options(model=model, timeout=timeout)
    views: list[ModelView] = []
    if test.arch != "C":
        lm = cache.get(opts, test.arch, test)
        try:
            views.append(_view(check_test(test, lm, opts), "cpu", lm.name))
        except WeakmemError as e:
            views.append(ModelView(lm.name, "cpu", error=e.msg))
        return views
    # the language model of the test's API
    try:
        lm = cache.get(opts, "C", test)
        views.append(_view(check_test(test, lm, opts), "language", lm.name))
    except WeakmemError as e:
        from weakmem.dialects import detect
        views.append(ModelView(model or detect(test).model or "?", "language", error=e.msg))
    # this CPU's model, on the test compiled for x86-64
    views.append(cpu_view_of_c(path, test, timeout))
    return views


def cpu_view_of_c(path: str, test: A.Litmus, timeout: float | None) -> ModelView:
    from weakmem.matrix import build_matrix
    try:
        mx = build_matrix(path, targets=["x86-64"], languages=False, timeout=timeout)
    except WeakmemError as e:
        return ModelView(default_model("X86_64") or "?", "cpu", error=e.msg)
    row = mx.rows[0]
    if not row.text or row.verdict not in ("Always", "Sometimes", "Never"):
        return ModelView(row.model or default_model("X86_64") or "?", "cpu", error=f"{row.verdict}: {row.reason}".strip(": "))
    compiled = parse_litmus(f"<{test.name} for x86-64>", row.text)
    cache = ModelCache()
    opts = Options(timeout=timeout)
    lm = cache.get(opts, compiled.arch, compiled)
    try:
        res = check_test(compiled, lm, opts)
    except WeakmemError as e:
        return ModelView(lm.name, "cpu", error=e.msg)
    # the compiled condition has the test's shape; its terms (canonical register
    # names, as in the result's states), in order, are the test's renamed
    canonical = read_test(compiled, lm, opts)
    rename: dict[str, str] = {}
    for a, b in zip(prop_terms(canonical.condition.prop), prop_terms(test.condition.prop)):
        rename[term_str(a)] = term_str(b)
    note = f"compiled for x86-64 as weakmem matrix does ({row.instructions})"
    return _view(res, "cpu", lm.name, rename, note)
