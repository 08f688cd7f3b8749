"""pytest plugin (entry point `pytest11`): litmus tests as pytest items.

    pytest --litmus tools/memory-model/litmus-tests [--litmus-model lkmm ...]

or, in pytest.ini / pyproject's [tool.pytest.ini_options]:

    litmus_dirs = litmus-tests          # directories, relative to the ini file
    litmus_models = lkmm rc11           # one item per file and model (default: the test's own default)
    litmus_includes = model             # -I directories for models and configurations
    litmus_timeout = 60

collects every `*.litmus` file under those directories that carries a
`Result:` line (or a herd7 `.expected` file) as one item per model; an item
passes when weakmem's outcome honours the expectation (the judgelitmus.sh
rules of weakmem.batch.expect).  A failure shows the verdict, the
expectation and weakmem's explanation.  Without --litmus or litmus_dirs the
plugin does nothing.
"""
from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    g = parser.getgroup("weakmem", "litmus tests (weakmem)")
    g.addoption("--litmus", action="append", default=[], metavar="DIR",
                help="collect the *.litmus files with a Result: line under DIR (repeatable)")
    g.addoption("--litmus-model", action="append", default=[], metavar="NAME|FILE",
                help="check each litmus test under this model (.cat, .cfg or built-in name; repeatable)")
    g.addoption("--litmus-include", action="append", default=[], metavar="DIR",
                help="model search directory (weakmem -I; repeatable)")
    g.addoption("--litmus-timeout", type=float, default=None, metavar="S", help="per-test time limit")
    parser.addini("litmus_dirs", "directories of litmus tests to collect", type="paths", default=[])
    parser.addini("litmus_models", "models to check each litmus test under", type="args", default=[])
    parser.addini("litmus_includes", "model search directories", type="paths", default=[])
    parser.addini("litmus_timeout", "per-test time limit (seconds)", default="")


def _dirs(config) -> list[Path]:
    dirs = [Path(d) for d in config.getoption("litmus", default=[]) or []]
    dirs += [Path(d) for d in config.getini("litmus_dirs") or []]
    return [d.resolve() for d in dirs]


def pytest_configure(config):
    dirs = _dirs(config)
    config._weakmem_litmus_dirs = dirs
    if not dirs:
        return
    from_cli = bool(config.getoption("litmus", default=[]))
    source = getattr(config, "args_source", None)
    explicit = source is not None and getattr(source, "name", "") == "ARGS"
    if from_cli and not explicit:
        config.args[:] = [str(d) for d in dirs]     # `pytest --litmus DIR`: just those tests
    else:
        config.args.extend(str(d) for d in dirs if str(d) not in config.args)


def pytest_collect_file(file_path: Path, parent):
    dirs = getattr(parent.config, "_weakmem_litmus_dirs", None)
    if not dirs or file_path.suffix != ".litmus":
        return None
    p = file_path.resolve()
    if not any(p == d or d in p.parents for d in dirs):
        return None
    from weakmem.batch.expect import find_expectation
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if find_expectation(str(file_path), text) is None:
        return None
    return LitmusFile.from_parent(parent, path=file_path)


class LitmusFile(pytest.File):
    def collect(self):
        cfg = self.config
        models = list(cfg.getoption("litmus_model") or []) or list(cfg.getini("litmus_models") or [])
        for m in models or [None]:
            yield LitmusItem.from_parent(self, name=m or "default", model=m)


class LitmusFailure(Exception):
    pass


class LitmusItem(pytest.Item):
    def __init__(self, *, model: str | None, **kw):
        super().__init__(**kw)
        self.model = model

    def runtest(self):
        from weakmem.batch.expect import find_expectation, judge
        from weakmem.batch.task import Task, run_task
        from weakmem.run import Options

        cfg = self.config
        includes = [str(d) for d in cfg.getoption("litmus_include") or []]
        includes += [str(d) for d in cfg.getini("litmus_includes") or []]
        timeout = cfg.getoption("litmus_timeout")
        if timeout is None and cfg.getini("litmus_timeout"):
            timeout = float(cfg.getini("litmus_timeout"))
        path = str(self.path)
        text = self.path.read_text(encoding="utf-8", errors="replace")
        exp = find_expectation(path, text)
        out = run_task(Task(path, text, Options(model=self.model, includes=includes, timeout=timeout), detail=True))
        j = judge(exp, verdict=out.verdict, pos=out.pos, neg=out.neg, flags=out.flags, states=out.states,
                  error=out.error, undetermined=out.undetermined)
        self.user_properties.append(("verdict", out.verdict))
        if j.judgement == "undetermined":
            pytest.skip(f"undetermined: {j.reason}")
        if j.judgement != "pass":
            raise LitmusFailure(out, exp, j)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, LitmusFailure):
            out, exp, j = excinfo.value.args
            if j.judgement == "error":
                return out.error or j.reason
            lines = [f"{self.path}: {j.reason}",
                     f"  expected ({'Result: line' if exp.source == 'result' else '.expected file'}): {exp.text}",
                     f"  weakmem ({out.model}): {out.verdict} (Positive {out.pos}, Negative {out.neg})"
                     + (f", flags: {', '.join(out.flags)}" if out.flags else ""),
                     f"  condition: {out.condition}"]
            if out.explanation:
                lines += ["  why:"] + [("    " + ln).rstrip() for ln in out.explanation.splitlines()]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"litmus {self.path.name} [{self.name}]"
