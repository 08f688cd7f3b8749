"""Build a harness with the system C compiler and run it, bounded.

    exe = compile_harness(h, workdir)             # -> path, or raises HwError
    raw = run_harness(exe, params, on_progress)   # -> RawRun (histogram lines parsed)

The harness runs in its own process group: a timeout or Ctrl-C sends it
SIGINT (it stops at the end of the current run and prints the partial
histogram), then, if it does not finish within a grace period, SIGKILL to
the whole group -- nothing is left behind.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from weakmem.errors import Pos, WeakmemError
from weakmem.hw.harness import Harness

GRACE = 3.0          # seconds between SIGINT and SIGKILL


class HwError(WeakmemError):
    """The harness could not be built or run."""


@dataclass
class Params:
    iterations: int = 100000
    size: int = 1000
    stride: int = 1
    pad: int = 0
    max_delay: int = 64
    timeout: float | None = None
    seed: int = 0
    pin: bool = True


@dataclass
class RawRun:
    states: list[tuple[int, list[str]]] = field(default_factory=list)   # (count, raw values)
    iterations: int = 0
    interrupted: bool = False
    timed_out: bool = False
    seconds: float = 0.0
    cpus: int = 0
    threads: int = 0
    pinned: bool = False
    killed: bool = False


def find_compiler() -> str:
    cc = os.environ.get("CC")
    for cand in ([cc] if cc else []) + ["gcc", "cc"]:
        if cand and shutil.which(cand.split()[0]):
            return cand
    raise HwError("no C compiler found (weakmem hw builds the harness with gcc: "
                  "install it, e.g. `apt-get install gcc`, or set CC)")


def write_harness(h: Harness, directory: str | Path) -> Path:
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    for name, text in h.headers.items():
        (d / name).write_text(text)
    c = d / h.c_name
    c.write_text(h.source)
    return c


_GCC_DIAG = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<kind>fatal error|error): (?P<msg>.*)$",
                       re.M)
_AS_DIAG = re.compile(r"^(?P<file>[^:\n]+\.s):(?P<line>\d+): Error: (?P<msg>.*)$", re.M)


def compile_harness(h: Harness, directory: str | Path) -> Path:
    cc = find_compiler()
    c = write_harness(h, directory)
    exe = c.with_suffix("")
    cmd = cc.split() + ["-O2", "-pthread", "-std=gnu11", "-Werror=implicit-function-declaration",
                        "-save-temps=obj", "-o", str(exe), str(c)]
    try:
        p = subprocess.run(cmd, cwd=str(c.parent), capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise HwError("the C compiler did not finish within 120 s", Pos(h.test.path)) from None
    if p.returncode != 0:
        raise compile_error(h, p.stderr, c)
    return exe


def compile_error(h: Harness, stderr: str, c: Path) -> HwError:
    """The compiler's first error, against the test's line when the
    generated code carries one (#line directives, `# FILE:LINE` marks in
    inline assembly)."""
    test = h.test.path
    base = os.path.basename(test)
    if "Assembler messages" in stderr:
        err = assembler_error(h, c)
        if err is not None:
            return err
    for m in _GCC_DIAG.finditer(stderr):
        f = m.group("file")
        if os.path.basename(f) == base or f == test:
            line = int(m.group("line"))
            return HwError(f"C compiler: {m.group('msg').strip()}", Pos(test, line, h.line_cols.get(line, 1)))
    m = _GCC_DIAG.search(stderr)
    if m:
        return HwError(f"C compiler, in the generated harness {c.name}:{m.group('line')}: "
                       f"{m.group('msg').strip()}", Pos(test))
    first = next((l for l in stderr.splitlines() if l.strip()), "failed")
    return HwError(f"C compiler: {first.strip()}", Pos(test))


def assembler_error(h: Harness, c: Path) -> HwError | None:
    """Map an assembler error to the test's instruction.  GCC's line
    markers make the assembler blame the C line of the whole asm statement;
    assembling the saved .s without them names the .s line, which carries
    the instruction's `# TEST:LINE` mark."""
    spath = c.with_suffix(".s")
    try:
        text = spath.read_text()
    except OSError:
        return None
    clean = "\n".join("" if re.match(r"^#\s*\d+\s+\"", l) else l for l in text.split("\n"))
    cpath = c.with_name(c.stem + ".clean.s")
    cpath.write_text(clean)
    try:
        p = subprocess.run(["as", "-o", os.devnull, str(cpath)], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _AS_DIAG.search(p.stderr)
    if m is None:
        return None
    lines = clean.split("\n")
    k = int(m.group("line")) - 1
    line = lines[k] if 0 <= k < len(lines) else ""
    mk = re.search(r"#\s*" + re.escape(os.path.basename(h.test.path)) + r":(\d+)", line)
    if mk is None:
        return HwError(f"assembler: {m.group('msg').strip()}", Pos(h.test.path))
    ln = int(mk.group(1))
    return HwError(f"assembler: {m.group('msg').strip()}", Pos(h.test.path, ln, h.line_cols.get(ln, 1)))


_START = re.compile(r"#wm start threads=(\d+) cpus=(\d+) pinned=(\d)")
_DONE = re.compile(r"#wm done iterations=(\d+) interrupted=(\d) seconds=([\d.]+)")
_PROGRESS = re.compile(r"#wm progress (\d+) (\d+)")


def run_harness(exe: Path, prm: Params, on_progress=None, stop_event: threading.Event | None = None) -> RawRun:
    """Run the built harness; `on_progress(done, total)` is called from a
    reader thread.  `stop_event` set (Ctrl-C) stops it with what it has."""
    cmd = [str(exe), "-n", str(prm.iterations), "-s", str(prm.size), "-st", str(prm.stride),
           "-pad", str(prm.pad), "-d", str(prm.max_delay), "-progress"]
    if prm.timeout:
        cmd += ["-t", f"{prm.timeout:g}"]
    if prm.seed:
        cmd += ["-seed", str(prm.seed)]
    if not prm.pin:
        cmd.append("-nopin")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    out_chunks: list[str] = []
    err_lines: list[str] = []

    def read_out():
        for line in proc.stdout:
            out_chunks.append(line)

    def read_err():
        for line in proc.stderr:
            m = _PROGRESS.match(line)
            if m and on_progress is not None:
                on_progress(int(m.group(1)), int(m.group(2)))
            elif not m:
                err_lines.append(line)

    readers = [threading.Thread(target=read_out, daemon=True), threading.Thread(target=read_err, daemon=True)]
    for t in readers:
        t.start()
    raw = RawRun()
    # the harness stops itself after its budget; this is the hard bound
    hard = (prm.timeout + GRACE + 2.0) if prm.timeout else None
    t0 = time.monotonic()
    signalled = None
    try:
        while True:
            try:
                proc.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if signalled is None and ((stop_event is not None and stop_event.is_set())
                                      or (hard is not None and now - t0 > hard)):
                raw.timed_out = not (stop_event is not None and stop_event.is_set())
                _signal_group(proc, signal.SIGINT)
                signalled = now
            elif signalled is not None and now - signalled > GRACE:
                _signal_group(proc, signal.SIGKILL)
                raw.killed = True
                proc.wait()
                break
    except KeyboardInterrupt:
        _signal_group(proc, signal.SIGINT)
        try:
            proc.wait(timeout=GRACE)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            raw.killed = True
            proc.wait()
        raw.interrupted = True
    finally:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGKILL)
            proc.wait()
    for t in readers:
        t.join(timeout=2)
    text = "".join(out_chunks)
    for line in text.splitlines():
        if line.startswith("S "):
            parts = line.split()
            raw.states.append((int(parts[1]), parts[2:]))
        elif (m := _START.match(line)):
            raw.threads, raw.cpus, raw.pinned = int(m.group(1)), int(m.group(2)), m.group(3) == "1"
        elif (m := _DONE.match(line)):
            raw.iterations = int(m.group(1))
            raw.interrupted = raw.interrupted or m.group(2) == "1"
            raw.seconds = float(m.group(3))
    if proc.returncode not in (0, None) and not raw.states and not raw.killed and not raw.interrupted:
        msg = "".join(err_lines).strip().splitlines()
        why = msg[-1] if msg else f"exit status {proc.returncode}"
        if proc.returncode < 0:
            why = f"killed by signal {-proc.returncode}" + (f" ({msg[-1]})" if msg else "")
        raise HwError(f"the harness failed: {why}")
    if raw.killed and not raw.states:
        raw.interrupted = True
    return raw


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
