"""What a test expects, and whether an outcome honours it.

Two sources of expectations, in this order:

1. The test's own `Result:` comment, as the Linux kernel's litmus tests
   write it (` * Result: Never` inside a C block comment, or
   `(* Result: Sometimes *)`), judged by the rules of the kernel's
   tools/memory-model/scripts/judgelitmus.sh:
   - the first word after `Result:` is the expected Observation
     (Always / Sometimes / Never); `Maybe` accepts any verdict;
   - `DEADLOCK` expects no execution at all (Positive = Negative = 0), and
     a test with no execution at all fails unless it says DEADLOCK;
   - ` DATARACE` on a `Result:` line must agree with the model's
     `data-race` flag both ways; when both are present, a mismatch of the
     Always/Sometimes/Never part is forgiven.
2. Otherwise a herd7 output file `NAME.litmus.expected` beside the test:
   the Observation, the final states and the Positive/Negative counts
   must all be the same.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# judgelitmus.sh: grep '^[( ]\* Result: ' (the first such line counts)
_RESULT = re.compile(r"^[( ]\* Result: (.*)$", re.M)
_DATARACE = re.compile(r"^[( ]\* Result: .* DATARACE", re.M)
VERDICTS = ("Always", "Sometimes", "Never")


@dataclass(frozen=True)
class Expectation:
    """What a test says it should do."""
    source: str                      # "result" (a Result: comment) | "expected" (herd7 .expected file)
    text: str                        # the Result text, or the .expected Observation line
    outcome: str                     # Always | Sometimes | Never | Maybe | DEADLOCK | (anything else: never matches)
    datarace: bool = False           # Result: ... DATARACE
    line: int = 0                    # where the Result: line is (1-based)
    states: tuple[str, ...] | None = None    # .expected: herd7's final states
    pos: int | None = None           # .expected: Positive / Negative
    neg: int | None = None
    flags: tuple[str, ...] = ()      # .expected: Flag lines


def result_expectation(text: str) -> Expectation | None:
    """The `Result:` expectation of a test's text, or None."""
    m = _RESULT.search(text)
    if m is None:
        return None
    body = m.group(1).strip()
    if body.endswith("*)"):
        body = body[:-2].rstrip()
    words = m.group(1).split()       # awk '{ print $3 }' of the whole line
    outcome = words[0] if words else ""
    line = text.count("\n", 0, m.start()) + 1
    return Expectation("result", body, outcome, _DATARACE.search(text) is not None, line)


def expected_file_expectation(path: str) -> Expectation | None:
    """herd7's recorded output `PATH.expected`, when it exists and has an Observation."""
    exp = path + ".expected"
    try:
        with open(exp, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    states: list[str] = []
    flags: list[str] = []
    obs = None
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        m = re.match(r"States (\d+)$", ln)
        if m:
            k = int(m.group(1))
            states = [norm_state(s) for s in lines[i + 1:i + 1 + k]]
            i += 1 + k
            continue
        if ln.startswith("Flag "):
            flags.append(ln[5:].strip())
        m = re.match(r"Observation \S+ (\S+) (\d+) (\d+)$", ln)
        if m:
            obs = (ln, m.group(1), int(m.group(2)), int(m.group(3)))
        i += 1
    if obs is None:
        return None
    ln, verdict, pos, neg = obs
    return Expectation("expected", ln, verdict, "data-race" in flags, 0, tuple(sorted(states)), pos, neg,
                       tuple(sorted(flags)))


def find_expectation(path: str, text: str) -> Expectation | None:
    return result_expectation(text) or expected_file_expectation(path)


def norm_state(s: str) -> str:
    """One final state with its bindings sorted and spaces removed (herd7
    prints `0:r1=0; 1:r1=1;`)."""
    parts = sorted(re.sub(r"\s+", "", p) for p in s.split(";") if p.strip())
    return " ".join(p + ";" for p in parts)


@dataclass
class Judgement:
    judgement: str                   # pass | fail | unjudged | undetermined | error
    reason: str = ""                 # why it failed (or was forgiven)
    notes: list[str] = field(default_factory=list)


def judge(exp: Expectation | None, *, verdict: str | None, pos: int, neg: int, flags, states=None,
          error: str | None = None, undetermined: str | None = None) -> Judgement:
    """Judge one outcome against its expectation."""
    if error:
        return Judgement("error", error)
    if undetermined:
        return Judgement("undetermined", undetermined)
    if exp is None:
        return Judgement("unjudged", "no Result: line and no .expected file")
    if exp.source == "expected":
        return _judge_expected(exp, verdict, pos, neg, flags, states or [])
    raced = "data-race" in flags
    if exp.datarace and not raced:
        return Judgement("fail", "predicted data race not modeled")
    if raced and not exp.datarace:
        return Judgement("fail", "unexpected data race modeled")
    no_execution = pos == 0 and neg == 0
    if exp.outcome == "DEADLOCK":
        if no_execution:
            return Judgement("pass")
        return Judgement("fail", f"expected DEADLOCK (no execution), got {verdict} {pos} {neg}")
    if no_execution:
        return Judgement("fail", f"no execution at all (a deadlock) but Result: {exp.outcome}")
    if exp.outcome == "Maybe" or exp.outcome == verdict:
        return Judgement("pass")
    if raced:
        return Judgement("pass", f"forgiven non-{exp.outcome} verdict {verdict} (data race)")
    return Judgement("fail", f"verdict {verdict}, Result: {exp.outcome}")


def _judge_expected(exp: Expectation, verdict, pos, neg, flags, states) -> Judgement:
    diffs = []
    if verdict != exp.outcome:
        diffs.append(f"verdict {verdict}, expected {exp.outcome}")
    mine = sorted(norm_state(s) for s in states)
    theirs = list(exp.states or ())
    if mine != theirs:
        added = len(set(mine) - set(theirs))
        removed = len(set(theirs) - set(mine))
        diffs.append(f"states +{added} -{removed}")
    if (pos, neg) != (exp.pos, exp.neg):
        diffs.append(f"counts {pos}/{neg}, expected {exp.pos}/{exp.neg}")
    if tuple(sorted(flags)) != exp.flags:
        diffs.append(f"flags {','.join(sorted(flags)) or '-'}, expected {','.join(exp.flags) or '-'}")
    if diffs:
        return Judgement("fail", "; ".join(diffs) + " (herd7 .expected file)")
    return Judgement("pass")
