"""One time limit and one memory budget per test, checked from every loop that can grow.

    from weakmem import limits
    with limits.budget(timeout=5.0, memory_mb=2048):
        ...                      # parse, load the model, check the test
        limits.check()           # in hot loops: cheap, raises when a limit is passed

`check()` raises weakmem.errors.Timeout past the deadline and
weakmem.errors.MemoryLimit when the process's resident memory has grown by
more than the budget since the test started.  It only counts its calls and
looks at the clock and at memory every `_EVERY` calls, so a hot loop pays one
function call and one integer increment per call.  `check_now()` looks at
once (for loops whose iterations are slow).

Inside `budget()` the address-space limit (RLIMIT_AS) is also lowered to what
the process holds plus the budget (and a margin), so that one huge allocation
fails at once with MemoryError (`guard_memory_error` turns it into
MemoryLimit) instead of swapping; it is restored when the test ends.
A watchdog backs the cooperative checks up: while a budget is active on the
main thread, a CPU-time interval timer (SIGVTALRM, every `_TICK` seconds of
CPU) looks at the same limits, so that code that calls no `check()` -- a
library's parser, a pathological regular expression in pure Python -- still
ends within a fraction of a second after its deadline (plus `_GRACE`, so
that the cooperative checks, at safe points, normally come first).

Absurd sizes known before anything is allocated (an array of 10^8 cells) are
refused by their callers with `need_cells`, as positioned errors.
"""
from __future__ import annotations

import os
import resource
import signal
import threading
import time
from contextlib import contextmanager

from weakmem.errors import LitmusError, MemoryLimit, Pos, Timeout

_TICK = 0.2                  # CPU seconds between two looks of the watchdog
_GRACE = 0.5                 # the watchdog lets the cooperative checks go first
_EVERY = 256                 # calls between two looks at the clock and at memory
MAX_CELLS = 1 << 16          # largest array (cells) a test may declare
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def default_memory_mb() -> int:
    """A sane share of the machine: half of the RAM, at most 4 GiB."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1 << 20)
    except (ValueError, OSError, AttributeError):
        ram = 8192
    return max(256, min(4096, ram // 2))


def positive_seconds(ctx, param, value):
    """Click callback of the `--timeout` options: a finite number of seconds
    > 0, or None (no limit)."""
    import math

    import click
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"{value!r} is not a positive finite number of seconds")
    return value


def memory_budget(ctx, param, value):
    """Click callback of `--memory`: a finite number of MiB > 0 (None: the default share of the RAM)."""
    import math

    import click
    if value is None:
        return float(default_memory_mb())
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"{value!r} is not a positive finite number of MiB")
    return value


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (0 when unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Budget:
    __slots__ = ("deadline", "timeout", "mem_limit", "memory_mb", "calls")

    def __init__(self, timeout: float | None, memory_mb: float | None):
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.memory_mb = memory_mb
        self.mem_limit = None if memory_mb is None else rss_mb() + memory_mb
        self.calls = 0


_active: _Budget | None = None
_calls = 0


def check() -> None:
    """Cheap: every `_EVERY` calls, raise if a limit of the current test is passed."""
    global _calls
    _calls += 1
    if _calls & (_EVERY - 1):
        return
    if _active is not None:
        _look(_active)


def check_now() -> None:
    """Raise at once if the current test is past its deadline (its memory is
    looked at every few calls: reading it costs a system call)."""
    if _active is not None:
        _look(_active)


_looks = 0


def _look(b: _Budget) -> None:
    global _looks
    if b.deadline is not None and time.monotonic() > b.deadline:
        raise Timeout()
    _looks += 1
    if b.mem_limit is not None and not _looks & 15 and rss_mb() > b.mem_limit:
        raise MemoryLimit()


def _watchdog(signum, frame) -> None:
    b = _active
    if b is None:
        return
    if b.deadline is not None and time.monotonic() > b.deadline + _GRACE:
        raise Timeout()
    if b.mem_limit is not None and rss_mb() > b.mem_limit:
        raise MemoryLimit()


def _start_watchdog():
    """Install the watchdog (main thread only); what to restore, or None."""
    if not hasattr(signal, "SIGVTALRM") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        old = signal.signal(signal.SIGVTALRM, _watchdog)
        old_timer = signal.setitimer(signal.ITIMER_VIRTUAL, _TICK, _TICK)
    except (ValueError, OSError):
        return None
    return old, old_timer


def _stop_watchdog(saved) -> None:
    old, old_timer = saved
    signal.setitimer(signal.ITIMER_VIRTUAL, *old_timer)
    signal.signal(signal.SIGVTALRM, old)


def remaining() -> float | None:
    """Seconds left before the current test's deadline (None: no deadline)."""
    if _active is None or _active.deadline is None:
        return None
    return _active.deadline - time.monotonic()


def need_cells(n: int, what: str, pos: Pos | None) -> None:
    """Refuse, before allocating, a structure of `n` cells that no test needs."""
    if n > MAX_CELLS:
        raise LitmusError(f"{what} too large: {n} cells (at most {MAX_CELLS})", pos)


def _vm_bytes() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


_as_lowered = False          # RLIMIT_AS is lowered by an enclosing budget


def _lower_as(memory_mb: float):
    """Lower the soft address-space limit to what is mapped now plus the
    budget (and room for allocator arenas); the old limits, or None."""
    vm = _vm_bytes()
    if vm is None:
        return None
    try:
        old = resource.getrlimit(resource.RLIMIT_AS)
        want = vm + int(memory_mb * (1 << 20)) + (512 << 20)
        soft, hard = old
        if hard != resource.RLIM_INFINITY and want >= hard:
            return None
        if soft != resource.RLIM_INFINITY and want >= soft:
            return None
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))
        return old
    except (ValueError, OSError, AttributeError):
        return None


@contextmanager
def budget(timeout: float | None = None, memory_mb: float | None = None, own: bool = False):
    """Limits for the code run inside (one test).  Nested budgets keep the
    tighter limits of the two, unless `own`: then the inner code (loading
    a model shared by every test) has limits of its own and its time is not
    charged to the enclosing test."""
    global _active, _as_lowered
    outer = _active
    b = _Budget(timeout, memory_mb)
    t0 = time.monotonic()
    if outer is not None and not own:
        if outer.deadline is not None and (b.deadline is None or outer.deadline < b.deadline):
            b.deadline, b.timeout = outer.deadline, outer.timeout
        if outer.mem_limit is not None and (b.mem_limit is None or outer.mem_limit < b.mem_limit):
            b.mem_limit, b.memory_mb = outer.mem_limit, outer.memory_mb
    old_as = None
    if memory_mb is not None and not _as_lowered:
        old_as = _lower_as(memory_mb)
        _as_lowered = old_as is not None
    watchdog = _start_watchdog() if outer is None and (b.deadline is not None or b.mem_limit is not None) \
        else None
    _active = b
    try:
        yield b
    except MemoryError:
        raise MemoryLimit() from None
    finally:
        if watchdog is not None:
            _stop_watchdog(watchdog)
        _active = outer
        if own and outer is not None and outer.deadline is not None:
            outer.deadline += time.monotonic() - t0
        if old_as is not None:
            _as_lowered = False
            try:
                resource.setrlimit(resource.RLIMIT_AS, old_as)
            except (ValueError, OSError):
                pass
