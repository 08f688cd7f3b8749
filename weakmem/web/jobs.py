"""What a web request runs, inside a worker process (weakmem.web.pool).

Each job takes a JSON-able payload and returns a JSON-able dict: the same
objects the command line's `--format json` prints, or `{"error": ...,
"line": L, "col": C}` for bad input, or `{"undetermined": why}`.

Nothing here reads or writes a file named by the request: the test and a
pasted model arrive as text; a model is either a built-in name or pasted
cat text whose `include`s may only name files of the built-in library.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from weakmem.errors import CatError, Pos, WeakmemError

TEST_FILE = "test.litmus"        # the name errors carry (the page's editor)
CAT_FILE = "model.cat"           # the name errors in a pasted model carry


@dataclass
class Request:
    test: str
    model: str = ""              # a built-in model's name; "" = the test's default
    cat: str = ""                # pasted .cat text (overrides `model`)
    targets: tuple[str, ...] = ()

    @classmethod
    def from_payload(cls, p: dict) -> "Request":
        def s(k):
            v = p.get(k) or ""
            if not isinstance(v, str):
                raise WeakmemError(f"'{k}' must be a string")
            return v
        targets = p.get("targets") or ()
        if not isinstance(targets, (list, tuple)) or not all(isinstance(t, str) for t in targets):
            raise WeakmemError("'targets' must be a list of target names")
        return cls(test=s("test"), model=s("model").strip(), cat=s("cat"), targets=tuple(targets))


def error_obj(e: WeakmemError) -> dict:
    pos = e.pos
    return {"error": str(e) if pos is not None else f"error: {e.msg}",
            "message": e.msg,
            "file": pos.file if pos else None,
            "line": pos.line if pos else None,
            "col": pos.col if pos else None}


def run_job(job: str, payload: dict, seconds: float) -> dict:
    """Run `job` ('check', 'matrix', 'fix') within `seconds` of engine time."""
    from weakmem.cat.model import LIB_DIR
    os.chdir(LIB_DIR)            # a bare include name can only find library files
    fn = JOBS.get(job)
    if fn is None:
        return {"error": f"error: unknown job '{job}'"}
    try:
        req = Request.from_payload(payload)
        if not req.test.strip():
            raise WeakmemError("the test is empty", Pos(TEST_FILE, 1, 1))
        return fn(req, seconds)
    except WeakmemError as e:
        return error_obj(e)
    except RecursionError:
        return {"error": f"{TEST_FILE}: error: test too deeply nested to analyse"}


# ------------------------------------------------------------------- models


def _restricted_model(text: str, variants=()):
    """Load pasted cat text; every include must name a file of the built-in
    library by its bare name (no directories, no absolute paths)."""
    from weakmem.cat import ast as CA
    from weakmem.cat.model import bundled_dirs, load_model_text, resolve_file
    from weakmem.cat.parse import parse_text

    cf = parse_text(text, CAT_FILE)

    def walk(instrs):
        for ins in instrs:
            if isinstance(ins, CA.IInclude):
                name = ins.file
                bare = os.path.basename(name)
                if name != bare or name in ("", ".", "..") or \
                        resolve_file(name, bundled_dirs()) is None:
                    raise CatError(f"include \"{name[:80]}\" refused: a pasted model may include only "
                                   f"files of weakmem's built-in library by name", ins.pos)
            elif isinstance(ins, CA.IIf):
                walk(ins.then)
                walk(ins.els)
    walk(cf.instrs)
    return load_model_text(text, search_path=[], variants=variants, file=CAT_FILE)


def _builtin_names() -> list[str]:
    from weakmem.models_info import builtin_model_infos
    return [i.name for i in builtin_model_infos()]


def load(req: Request):
    """(test, LoadedModel, Options) for a request."""
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import LoadedModel, ModelCache, Options

    test = parse_litmus(TEST_FILE, req.test)
    if req.model and not req.cat and req.model not in _builtin_names():
        raise WeakmemError(f"unknown model '{req.model[:60]}' (built-in models: {', '.join(_builtin_names())})")
    opts = Options(model=(req.model or None) if not req.cat else None)
    lm = ModelCache().get(opts, test.arch, test)
    if req.cat:
        user = _restricted_model(req.cat)
        lm = LoadedModel(CAT_FILE, user, lm.macros, lm.hexa)
    return test, lm, opts


# ------------------------------------------------------------------- jobs


def job_check(req: Request, seconds: float) -> dict:
    """The verdict (as `weakmem run --format json`) with its explanation
    (as `weakmem explain --format json`, and as text) and the execution
    picture as inline SVG.  The explanation's own check run gives the
    verdict: the engine runs once."""
    from weakmem.report.jsonout import json_obj
    from weakmem.run import check_test

    test, lm, opts = load(req)
    opts.timeout = seconds
    try:
        from weakmem.explain import explain
    except ImportError:
        explain = None
    if explain is None:
        res = check_test(test, lm, opts)
        out = {"result": json_obj(res)}
        if res.undetermined:
            out["undetermined"] = res.undetermined
        return out
    ex = explain(test, lm, opts)
    res = ex.result
    out = {"result": json_obj(res)}
    if res.undetermined:
        out["undetermined"] = res.undetermined
        return out
    from weakmem.explain import web_payload
    out.update(web_payload(test, lm, opts, ex))
    return out


def job_matrix(req: Request, seconds: float) -> dict:
    """The per-CPU matrix (as `weakmem matrix --format json`), or, for an
    assembly test, nothing to compile."""
    from weakmem.litmus.parse import parse_litmus
    from weakmem.matrix.core import build_matrix

    test = parse_litmus(TEST_FILE, req.test)
    if test.arch != "C":
        return {"rows": [], "note": f"{test.arch} assembly: the matrix compiles C tests only"}
    m = build_matrix(TEST_FILE, text=req.test, timeout=max(0.2, seconds / 12),
                     targets=list(req.targets) or None)
    return {"name": m.name, "dialect": m.dialect, "condition": m.condition,
            "rows": [r.as_json() for r in m.rows], "notes": list(m.notes)}


def job_fix(req: Request, seconds: float) -> dict:
    """The fix proposals (as `weakmem fix --format json`), each with its
    diff, and a one-line summary for the page."""
    try:
        from weakmem.fix import fix_test
    except ImportError:
        return {"unavailable": "this weakmem has no fix search"}
    if req.cat:
        return {"unavailable": "fix proposals are computed for built-in models only"}
    if req.model and req.model not in _builtin_names():
        raise WeakmemError(f"unknown model '{req.model[:60]}' (built-in models: {', '.join(_builtin_names())})")
    models = [req.model] if req.model else []
    from weakmem.litmus.parse import parse_litmus
    test = parse_litmus(TEST_FILE, req.test)
    targets = list(req.targets) if test.arch == "C" else []
    rep = fix_test(TEST_FILE, models=models, targets=targets, every_target=False,
                   budget=max(0.5, seconds * 0.6), timeout=max(0.2, seconds / 4), text=req.test)
    out = rep.as_json()
    for f, fj in zip(rep.fixes, out.get("fixes", [])):
        fj["diff"] = f.diff
    if rep.already_forbidden:
        lb = "; ".join(f"P{b.thread} line {b.line}: {b.what}" for b in rep.load_bearing[:4])
        out["summary"] = "The outcome is already impossible on every target." + \
            (f" Load-bearing: {lb}." if lb else "")
    elif rep.no_fix:
        out["summary"] = f"No change from the menu forbids it: {rep.no_fix}"
    elif rep.fixes:
        out["summary"] = f"{len(rep.fixes)} minimal fix(es), verified on " + \
            ", ".join(out.get("models", []) + out.get("targets", [])) + ", cheapest first."
    return out


JOBS = {"check": job_check, "matrix": job_matrix, "fix": job_fix}
