"""Random LKMM C litmus tests, for the Hypothesis property tests (pruning,
bounds): threads on x and y with registers r0, r1, ..., and a final
condition on up to three of the registers read and on x."""
from __future__ import annotations

from hypothesis import strategies as st

AND = " /\\ "


def draw_ops(draw, tid: int, ops: list[str], rr: int, regs: list) -> tuple[list[str], int]:
    """The statements `ops` (templates on {r}, {x}, {v}) of thread `tid`,
    filled in with registers numbered from `rr` (each noted in `regs`), a
    location and a value: the statements and the next register number."""
    body = []
    for op in ops:
        x = draw(st.sampled_from(["x", "y"]))
        v = draw(st.integers(1, 2))
        if "{r}" in op:
            regs.append((tid, rr))
        body.append(op.format(r=rr, x=x, v=v))
        rr += "{r}" in op
    return body, rr


def c_test(draw, name: str, params: str, threads: list[tuple[int, list[str]]], regs: list,
           quants: tuple[str, ...] = ("exists",)) -> str:
    """The test `name`: thread t takes `params` and is (its number of
    registers, its statements) in `threads`; the condition, with one of
    `quants`, is on up to three of `regs` and on x."""
    funcs = []
    for t, (nregs, body) in enumerate(threads):
        decl = "".join(f"\tint r{i};\n" for i in range(nregs))
        funcs.append(f"P{t}({params})\n{{\n{decl}" + "".join(f"\t{s}\n" for s in body) + "}\n")
    conj = [f"{t}:r{r}={draw(st.integers(0, 2))}" for t, r in regs[:3]]
    conj.append(f"x={draw(st.integers(0, 2))}")
    quant = draw(st.sampled_from(quants)) if len(quants) > 1 else quants[0]
    return f"C {name}\n\n{{\n}}\n\n" + "\n".join(funcs) + f"\n{quant} ({AND.join(conj)})\n"
