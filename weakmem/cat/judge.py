"""The model applied to a stream of executions.

    for ex, out in judge(model, executions):
        out.allowed, out.failed, out.flags, out.env

Each execution (anything with a `model_input()` returning an
`ExecInput`, e.g. weakmem.explore.executions.Execution) comes back once per
outcome of the model on it: one per path through its `with` instructions.
The evaluator's static cache is shared over the stream."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from weakmem.errors import LitmusError, Pos

from .eval import EvalCache, ExecInput, Outcome, evaluate
from .model import Model


class Judgeable(Protocol):
    def model_input(self) -> ExecInput: ...


X = TypeVar("X", bound=Judgeable)


def judge(model: Model, executions: Iterable[X], check: Callable[[], None] | None = None,
          explain: bool = False, cache: EvalCache | None = None,
          refuter=None) -> Iterator[tuple[X, Outcome]]:
    """(execution, outcome) pairs; `check()` is called after each outcome
    (a deadline, say: it may raise to stop the stream).  With `explain`,
    each rejecting outcome carries its `failure` (weakmem.cat.eval.evaluate).
    `cache` may be shared with whoever else evaluates the model on the same
    executions (weakmem.cat.partial); with a `refuter`, branches of the
    model's `with`s it refutes are skipped (only rejections are lost)."""
    if cache is None:
        cache = EvalCache()
    for ex in executions:
        for out in evaluate(model, ex.model_input(), cache, explain, refuter):
            if check is not None:
                check()
            yield ex, out


def annotation_checker(model: Model, path: str) -> Callable[[Any], None] | None:
    """The model's bell annotation check (`check_annotation(kind, tags)`)
    as a check of each thread trace (weakmem.semantics.trace.Trace), or
    None if the model has none.  A bad annotation is a LitmusError."""
    check_ann = getattr(model, "check_annotation", None)
    if check_ann is None:
        return None

    def check(tr) -> None:
        for pe in tr.events:
            if not pe.tags:
                continue
            for kind in ("R", "W", "F"):
                if kind in pe.kinds:
                    msg = check_ann(kind, pe.tags)
                    if msg:
                        raise LitmusError(f"annotation error, event {kind.lower()}[{','.join(sorted(pe.tags))}] "
                                          f"{msg}", Pos(path))
    return check
