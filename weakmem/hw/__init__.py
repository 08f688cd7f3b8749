"""`weakmem hw`: run a litmus test on this CPU, litmus7-style, and set the
histogram of final states beside what the models allow.

    from weakmem.hw import HwOptions, run_hw
    r = run_hw("SB.litmus", HwOptions(iterations=100000))    # -> HwResult
    r.histogram            # [(state string, count)], herd's spelling
    r.condition_seen, r.forbidden_seen, r.verdicts

Modules: harness (the generated C), x86asm (assembly threads), cthread (C
threads in their API), foreign (other CPUs' assembly), runner (compile and
run, bounded), check (the models' allowed states), command (the CLI).
docs/hw.md describes the technique and the options.
"""
from weakmem.hw.core import HwOptions, HwResult, run_hw  # noqa: F401

__all__ = ["HwOptions", "HwResult", "run_hw"]
