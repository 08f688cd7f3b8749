"""`weakmem-herd7`: herd7's command line in front of weakmem.

    weakmem-herd7 [herd7 options] FILE.litmus ...

Reads herd7's single-dash options (`-conf linux-kernel.cfg`, `-model x.cat`, `-I dir`, ...)
and prints herd7's result block for each test, so that scripts written for herd7 (the
kernel's tools/memory-model scripts, papers' command lines) run by changing the name of
the command.  Options that change what herd7 computes and that weakmem cannot honour stop
the run with a message naming them; options that only shape herd7's figures are accepted
and have no effect (weakmem draws no figures: `-o`, `-gv` and viewer options say so).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROG = "weakmem-herd7"


class UsageError(Exception):
    pass


@dataclass
class HerdArgs:
    model: str | None = None
    conf: str | None = None
    bell: str | None = None
    macros: str | None = None
    includes: list[str] = field(default_factory=list)
    libdir: str | None = None
    unroll: int = 2
    variants: set[str] = field(default_factory=set)
    timeout: float | None = None
    skipchecks: set[str] = field(default_factory=set)
    through: str = "none"
    speedcheck: str = "false"
    hexa: bool = False
    optace: bool = True
    exit_on_error: bool = False
    notes: list[str] = field(default_factory=list)   # options accepted without effect
    files: list[str] = field(default_factory=list)
    version: bool = False


def _bool(opt: str, v: str) -> bool:
    if v in ("true", "false"):
        return v == "true"
    raise UsageError(f"option {opt} expects a boolean (true or false), not '{v}'")


def _choice(opt: str, v: str, choices: tuple[str, ...]) -> str:
    if v not in choices:
        raise UsageError(f"option {opt} expects one of {', '.join(choices)}, not '{v}'")
    return v


# herd7 options that only concern figures (dot files, viewers): they take one argument
# and change nothing in the printed results
_FIGURE_OPTS = {
    "-suffix", "-graph", "-dotmode", "-dotcom", "-showevents", "-mono", "-scale", "-xscale", "-yscale",
    "-dsiy", "-siwidth", "-ptscale", "-boxscale", "-showthread", "-shift", "-edgemerge", "-labelinit",
    "-showlegend", "-showkind", "-shortlegend", "-squished", "-fixedsize", "-extrachars", "-showobserved",
    "-brackets", "-texmacros", "-tikz", "-showpo", "-showinitrf", "-showfinalrf", "-initrfpos", "-finalrfpos",
    "-oneinit", "-initpos", "-showinitwrites", "-threadposy", "-doshow", "-unshow", "-symetric", "-noid",
    "-classes", "-showraw", "-splines", "-margin", "-pad", "-sep", "-fontname", "-fontsize",
    "-edgefontsizedelta", "-penwidth", "-arrowsize", "-edgeattr", "-overlap", "-relabel", "-withbox",
    "-labelbox", "-movelabel", "-dotheader", "-show", "-showflag", "-nshow", "-showone", "-cycles",
    "-morefences", "-debug",
}
# herd7 options whose effect weakmem does not reproduce: refused with this reason
_REFUSED = {
    "-machsize": "a machine size other than the test's own", "-endian": "big-endian memory",
    "-initwrites": "initial writes as events", "-statelessrc11": "stateless RC11 model checking",
    "-restrict": "restricting the outcomes", "-outcomereads": "memory reads in outcomes",
    "-candidates": "the complete candidate count", "-throughflag": "letting flagged executions through",
    "-maxphantom": "phantom updates", "-dumpes": "dumping event structures", "-dumpallfaults": "fault dumps",
    "-names": "selecting tests by a file of names", "-excl": "excluding tests by a file of names",
    "-rename": "renaming tests", "-kinds": "selecting tests by kind", "-conds": "replacing conditions",
    "-badflag": "bad-execution flags", "-badexecs": "bad-execution output", "-strictskip": "strict skipping",
    "-archcheck": "mixing a model and a test of different architectures", "-switch": "-switch",
    "-checkfilter": "keeping outcomes that negate the filter",
}
_WITHARG = {"-model", "-cat", "-conf", "-bell", "-macros", "-I", "-set-libdir", "-unroll", "-variant", "-timeout",
            "-skipcheck", "-skipchecks", "-through", "-speedcheck", "-hexa", "-optace", "-exit", "-o", "-view"}
_NOARG = {"-version", "-libdir", "-v", "-q", "-gv", "-evince", "-preview", "-web", "-c11", "-dumpallfaults",
          "-help", "--help", "-switch"}


def parse_args(argv: list[str]) -> HerdArgs:
    a = HerdArgs()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-") or arg == "-":
            a.files.append(arg)
            continue
        opt, eq, val = arg.partition("=")
        if opt not in _NOARG and opt not in _WITHARG and opt not in _FIGURE_OPTS and opt not in _REFUSED:
            raise UsageError(f"unknown option '{opt}'")
        if opt not in _NOARG and not eq:
            if i >= len(argv):
                raise UsageError(f"option {opt} needs an argument")
            val = argv[i]
            i += 1
        if opt in ("-help", "--help"):
            raise UsageError("help")
        if opt == "-version":
            a.version = True
        elif opt in ("-v", "-q"):
            pass
        elif opt in ("-model", "-cat"):
            if val == "cav12":
                raise UsageError("option -model cav12 (herd7's built-in CAV 2012 Power model) is not supported")
            a.model = val
        elif opt == "-conf":
            a.conf = val
        elif opt == "-web":
            a.conf = "web.cfg"
        elif opt == "-c11":
            a.conf = "cpp11.cfg"
        elif opt == "-bell":
            a.bell = val
        elif opt == "-macros":
            a.macros = val
        elif opt == "-I":
            a.includes.append(val)
        elif opt == "-set-libdir":
            a.libdir = val
        elif opt == "-libdir":
            raise UsageError("option -libdir: weakmem has no installation directory of herd7 models "
                             "(its own models are built in; name herd7's with -set-libdir or -I)")
        elif opt == "-unroll":
            try:
                a.unroll = int(val)
            except ValueError:
                raise UsageError(f"option -unroll expects an integer, not '{val}'") from None
        elif opt == "-variant":
            a.variants |= {v for v in val.split(",") if v}
        elif opt == "-timeout":
            if val != "none":
                try:
                    a.timeout = float(val)
                except ValueError:
                    raise UsageError(f"option -timeout expects a number of seconds, not '{val}'") from None
        elif opt == "-skipcheck":
            a.skipchecks.add(val)
        elif opt == "-skipchecks":
            a.skipchecks |= {v for v in val.split(",") if v}
        elif opt == "-through":
            a.through = _choice(opt, val, ("all", "invalid", "none"))
        elif opt == "-speedcheck":
            a.speedcheck = _choice(opt, val, ("false", "true", "fast"))
        elif opt == "-hexa":
            a.hexa = _bool(opt, val)
        elif opt == "-optace":
            a.optace = _choice(opt, val, ("false", "true", "iico")) != "false"
        elif opt == "-exit":
            a.exit_on_error = _bool(opt, val)
        elif opt == "-o":
            a.notes.append(f"-o {val}: weakmem writes no figure (.dot) files; results are printed as usual")
        elif opt in ("-gv", "-evince", "-preview", "-view"):
            a.notes.append(f"{arg if opt != '-view' else opt + ' ' + val}: weakmem shows no execution graphs "
                           "(`weakmem run --explain FILE` prints a witness execution as text)")
        elif opt in _FIGURE_OPTS:
            pass
        elif opt in _REFUSED:
            if opt == "-checkfilter" and val == "true" or opt == "-archcheck" and val == "true" \
                    or opt in ("-badexecs",) and val == "true" or opt == "-strictskip" and val == "false":
                continue            # herd7's default: nothing to do
            raise UsageError(f"option {opt} ({_REFUSED[opt]}) is not supported by weakmem")
        else:
            raise UsageError(f"unknown option '{opt}'")
    return a


def _expand_files(names: list[str]) -> list[str]:
    """Arguments as herd7 reads them: a .litmus file is a test; another file lists tests
    (one per line, relative to its own directory; `#` starts a comment)."""
    out: list[str] = []
    for n in names:
        if n.endswith(".litmus") or not os.path.isfile(n):
            out.append(n)
            continue
        base = os.path.dirname(n)
        for line in Path(n).read_text(errors="replace").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                out.extend(_expand_files([os.path.join(base, line)]))
    return out


def speedcheck_block(res) -> str:
    """herd7's `-speedcheck true|fast` result for an `exists` test: the search stops at
    the first witness (one state, Always), or finds none (no state, Never)."""
    from dataclasses import replace

    from weakmem.report.herd import herd_block
    if res.pos and res.witness_state is not None:
        return herd_block(replace(res, states={res.witness_state: 1}, pos=1, neg=0))
    return herd_block(replace(res, states={}, pos=0, neg=0))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        a = parse_args(argv)
    except UsageError as e:
        if str(e) == "help":
            print(__doc__.strip())
            return 0
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if a.version:
        from importlib.metadata import PackageNotFoundError, version
        try:
            v = version("weakmem")
        except PackageNotFoundError:
            v = "source tree"
        print(f"weakmem {v} (herd7 7.58 command line)")
        return 0
    for n in a.notes:
        print(f"{PROG}: note: {n}", file=sys.stderr)

    from weakmem.errors import WeakmemError
    from weakmem.litmus.ast import Quantifier
    from weakmem.litmus.parse import parse_litmus
    from weakmem.report.herd import herd_block
    from weakmem.run import ModelCache, Options, check_test

    includes = list(a.includes) + ([a.libdir] if a.libdir else [])
    skipall = a.through != "none"
    opts = Options(model=a.model, conf=a.conf, includes=includes, unroll=a.unroll, timeout=a.timeout,
                   variants=set(a.variants), optace=a.optace and not skipall, hexa=a.hexa, bell=a.bell,
                   macros=a.macros, skipchecks=frozenset(a.skipchecks | ({"*"} if skipall else set())))
    cache = ModelCache()
    failures = 0
    for f in _expand_files(a.files):
        try:
            test = parse_litmus(f)
            lm = cache.get(opts, test.arch, test)
            res = check_test(test, lm, opts)
        except (WeakmemError, OSError, RecursionError) as e:
            failures += 1
            msg = str(e) if isinstance(e, WeakmemError) and e.pos is not None else f"{f}: error: {e}"
            print(msg, file=sys.stderr)
            if a.exit_on_error:
                return 1
            continue
        if a.speedcheck != "false" and res.quantifier == Quantifier.EXISTS and not res.undetermined:
            print(speedcheck_block(res))
        else:
            print(herd_block(res))
        sys.stdout.flush()
    return 1 if failures else 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
