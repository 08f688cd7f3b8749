"""The thread runner shared by the assembly front-ends (x86, AArch64, ARM,
PPC, RISC-V, LISA): what is not about any one instruction set.

* `C_TYPES`: the C types a test's init block may give a location or a
  register, with their size in bits and signedness (one table for every
  architecture); `init_value`: what the init block gives a register;
* `assemble`: one thread's code as a list of decoded instructions and its
  label table (a label defined twice, or a branch to a label the thread does
  not have, is refused before anything runs, like herd7);
* `PathRunner`: runs one thread concretely into traces.  A state is one path
  through the thread (a `PathState`, or a subclass with the architecture's
  own registers and relations); `step` (the architecture's) runs the instruction at
  the path's program counter and returns the paths it leads to (one per
  value a read may return, per way a branch may go...), none when the path
  ends there (a backward jump over the unrolling bound).  Paths are run
  depth first, the first successor first, so that traces come out in the
  order of the instructions' outcomes;
* `over_unroll`: herd7's `-unroll`: a backward jump is taken at most
  `unroll` times per key (the architecture says which: the jump, or its
  target).

An architecture module then holds only its decoding and the semantics of
its instructions (see docs/architecture.md, "add a CPU").  The C front-end
runs structured code (`if`, `while` unrolled by recursion over statements:
no program counter, no labels), so only `init_value` serves it too.
"""
from __future__ import annotations

from typing import Any, Callable, Generic, Hashable, TypeVar

from weakmem.errors import LitmusError, Pos, quote
from weakmem.limits import check
from weakmem.litmus import ast as A
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.trace import PEvent, Trace

# ----------------------------------------------------------------------------
# C types: size in bits and signedness
# ----------------------------------------------------------------------------

C_TYPES: dict[str, tuple[int, bool]] = {
    "char": (8, True), "signed char": (8, True), "unsigned char": (8, False),
    "int8_t": (8, True), "uint8_t": (8, False),
    "short": (16, True), "unsigned short": (16, False), "int16_t": (16, True), "uint16_t": (16, False),
    "int": (32, True), "signed": (32, True), "signed int": (32, True),
    "unsigned": (32, False), "unsigned int": (32, False), "int32_t": (32, True), "uint32_t": (32, False),
    "long": (64, True), "long int": (64, True), "unsigned long": (64, False),
    "long long": (64, True), "unsigned long long": (64, False), "int64_t": (64, True), "uint64_t": (64, False),
    "intptr_t": (64, True), "uintptr_t": (64, False), "size_t": (64, False),
    "int128_t": (128, True), "uint128_t": (128, False),
}
DEFAULT_C_TYPE = "int"       # a location or register declared without a type


def init_value(v: A.Value | None) -> Any:
    """The value an init block gives a register: 0 when it gives none, an
    integer, or the value itself (an address, a code label...) for the
    architecture to check."""
    if v is None:
        return 0
    return v.value if isinstance(v, A.IntVal) else v


# ----------------------------------------------------------------------------
# A thread's code
# ----------------------------------------------------------------------------

I = TypeVar("I")


def assemble(th: A.AsmThread, decode: Callable[[A.AsmInstr], I | None], file: str,
             target: Callable[[I], Any] = lambda ins: None) -> tuple[list[I], dict[str, int]]:
    """The decoded instructions of thread `th` and its labels (label ->
    index of the instruction it names; a label on the last line names the
    end of the thread).  `decode(line)` gives the line's instruction, or
    None when the line has none; `target(ins)` the label a branch names (a
    string), checked against the thread's labels."""
    prog: list[I] = []
    labels: dict[str, int] = {}
    for ai in th.code:
        if ai.label is not None:
            if ai.label in labels:
                raise LitmusError(f"label {ai.label} defined twice in {th.name}", ai.pos or Pos(file))
            labels[ai.label] = len(prog)
        ins = decode(ai)
        if ins is not None:
            prog.append(ins)
    for ins in prog:
        tgt = target(ins)
        if type(tgt) is str and tgt not in labels:
            raise LitmusError(f"label {tgt} not found on {th.name}, although used in "
                              f"instruction {quote(getattr(ins, 'text', ''))}",
                              getattr(ins, "pos", None) or Pos(file))
    return prog, labels


# ----------------------------------------------------------------------------
# Running a thread
# ----------------------------------------------------------------------------

EMPTY: frozenset[int] = frozenset()


class PathState:
    """One path through a thread: its program counter, `n` instructions run
    so far (the program-order index of the next one), its registers, its
    events, the reads its control flow depends on so far (`ctrl`), and the
    backward jumps it took (`seen`: key -> count, see over_unroll).  An
    architecture adds what else its instructions need (flags, ...) as
    slots of a subclass, copied in `copy`."""
    __slots__ = ("pc", "n", "regs", "events", "ctrl", "seen")

    def __init__(self, regs: dict | None = None):
        self.pc = 0
        self.n = 0
        self.regs: dict = {} if regs is None else regs
        self.events: list[PEvent] = []
        self.ctrl: frozenset[int] = EMPTY
        self.seen: dict = {}

    def copy(self):
        q = object.__new__(type(self))
        q.pc = self.pc
        q.n = self.n
        q.regs = dict(self.regs)
        q.events = list(self.events)
        q.ctrl = self.ctrl
        q.seen = dict(self.seen)
        return q


S = TypeVar("S", bound=PathState)


def over_unroll(seen: dict, key: Hashable, unroll: int) -> bool:
    """Count one more backward jump for `key`; True when that is more than
    `unroll` (the path is then dropped, as herd7 drops it)."""
    n = seen.get(key, 0) + 1
    seen[key] = n
    return n > unroll


class PathCut(Exception):
    """Raised by a step to end its path where it is (over the unrolling
    bound, say); with `keep`, the path so far is still a trace."""

    def __init__(self, keep: bool = False):
        super().__init__()
        self.keep = keep


class PathRunner(Frontend, Generic[S]):
    """A front-end (weakmem.semantics.frontends.Frontend) that runs a
    thread's paths (see module doc).

    An architecture supplies `start(tid)` (the path at the thread's first
    instruction), `at_end(state)`, `step(state) -> [state]` and
    `finish(tid, state) -> Trace`; `traces(tid, domain, all_branches)` gives
    every trace of the thread, its reads drawing values from `domain(loc)`
    (`all_branches`: branches go both ways whatever their condition, an
    over-approximation of the writes used while value domains are computed)."""

    file: str
    max_traces: int = 200000
    traces_word = "paths"        # "thread P0 has more than N paths"
    domain: Callable
    all_branches: bool = False

    def traces(self, k: int, domain: Callable, all_branches: bool = False) -> list[Trace]:
        """Every trace of the test's thread number `k`."""
        self.domain = domain
        self.all_branches = all_branches
        return self.done(k, self.run_paths(self.thread_id(k), self.start(k)))

    def thread_id(self, k: int) -> int:
        """The tid (Pn) of thread number `k` (the same by default)."""
        return k

    def start(self, k: int) -> S:   # pragma: no cover - per architecture
        raise NotImplementedError

    def done(self, k: int, out: list[Trace]) -> list[Trace]:
        """The traces of thread number `k`, once all are run (a hook)."""
        return out

    def at_end(self, st: S) -> bool:   # pragma: no cover - per architecture
        raise NotImplementedError

    def step(self, st: S) -> list[S]:   # pragma: no cover - per architecture
        raise NotImplementedError

    def finish(self, tid: int, st: S) -> Trace:   # pragma: no cover - per architecture
        raise NotImplementedError

    def thread_name(self, tid: int) -> str:
        return f"P{tid}"

    def run_paths(self, tid: int, start: S) -> list[Trace]:
        out: list[Trace] = []
        work: list[S] = [start]
        while work:
            st = work.pop()
            while True:
                if self.at_end(st):
                    out.append(self.finish(tid, st))
                    break
                check()
                try:
                    nxt = self.step(st)
                except PathCut as cut:
                    if cut.keep:
                        out.append(self.finish(tid, st))
                    break
                if not nxt:
                    break
                if len(nxt) > 1:
                    work.extend(reversed(nxt[1:]))
                st = nxt[0]
            if len(out) > self.max_traces:
                raise LitmusError(f"thread {self.thread_name(tid)} has more than {self.max_traces} {self.traces_word}",
                                  Pos(self.file))
        return out

