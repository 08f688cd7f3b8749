"""The shape of the code base (docs/architecture.md): the import graph has
no circles, architecture facts live in one table, every architecture's
front-end fulfils the declared contract."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from weakmem.arch import ARCHS, ArchInfo, arch_info, arch_of_header
from weakmem.semantics.frontends import Frontend

PKG = Path(__file__).resolve().parents[1] / "weakmem"


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> the weakmem modules it imports (at top level or inside a
    function: a lazy import is still a dependency)."""
    mods = _modules()

    def resolve(name: str, attr: str | None = None) -> str | None:
        """The module `from name import attr` (or `import name`) loads; None
        for a module this tree does not have (an optional import)."""
        if attr is not None and f"{name}.{attr}" in mods:
            return f"{name}.{attr}"
        return name if name in mods else None

    graph: dict[str, set[str]] = {}
    for m, p in mods.items():
        deps: set[str] = set()
        package = m if p.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Import):
                deps.update(r for a in node.names if (r := resolve(a.name)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package
                    for _ in range(node.level - 1):
                        base = base.rpartition(".")[0]
                    name = base + ("." + node.module if node.module else "")
                else:
                    name = node.module or ""
                if name.split(".")[0] != "weakmem":
                    continue
                deps.update(r for a in node.names if (r := resolve(name, a.name)))
        deps.discard(m)
        graph[m] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_is_acyclic():
    g = import_graph()
    assert "weakmem.run" in g and "weakmem.explore.executions" in g["weakmem.run"]
    assert cycles(g) == []


def test_stages_import_downstream_only():
    """The pipeline's order: an earlier stage never imports a later one."""
    order = ["weakmem.litmus", "weakmem.semantics", "weakmem.explore", "weakmem.verdict", "weakmem.run"]
    g = import_graph()
    for m, deps in g.items():
        stage = next((i for i, s in enumerate(order) if m == s or m.startswith(s + ".")), None)
        if stage is None:
            continue
        for d in deps:
            later = [s for s in order[stage + 1:] if d == s or d.startswith(s + ".")]
            assert not later, f"{m} imports {d}, a later stage"


def test_arch_table():
    names = [a.name for a in ARCHS]
    assert len(names) == len(set(names))
    assert arch_of_header("aarch64") is arch_info("AArch64")
    assert arch_of_header("x86_64").name == "X86_64"
    assert arch_of_header("SPARC") is None


def _literal(node) -> bool:
    return isinstance(node, ast.Constant) or (isinstance(node, (ast.Tuple, ast.List, ast.Set))
                                              and all(_literal(e) for e in node.elts))


def _string_collections(tree) -> list[set[str]]:
    """Collections of names (tuple, list, set) and tables of facts (dicts
    whose values are all literals) written in the source.  A dict of
    implementations (values that are calls, functions...) is a registry
    kept next to its code and is not counted."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            out.append({e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)})
        elif isinstance(node, ast.Dict) and all(v is not None and _literal(v) for v in node.values):
            out.append({k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)})
    return out


# feature packages may keep per-architecture data of their own domain (a fix
# search's fence menu, an ISA's register pattern for inline assembly) next
# to their code; the stages and everything they share read weakmem.arch
FEATURES = ("weakmem.fix", "weakmem.explain", "weakmem.web", "weakmem.batch")


def test_arch_table_is_the_only_list_of_architectures():
    """No stage spells out a collection of architecture names: facts about
    architectures go into weakmem.arch.ARCHS."""
    names = {a.name for a in ARCHS}
    offenders = []
    for m, p in _modules().items():
        if m == "weakmem.arch" or m.startswith(FEATURES):
            continue
        for strings in _string_collections(ast.parse(p.read_text())):
            if len(strings & names) >= 2:
                offenders.append((m, sorted(strings & names)))
    assert offenders == []


# one store per architecture, as its litmus tests spell it
SMALL = {
    "C": "{}\nP0(int *x) { WRITE_ONCE(*x, 1); }\n",
    "X86": "{}\n P0 ;\n MOV [x],$1 ;\n",
    "X86_64": "{}\n P0 ;\n movl $1,(x) ;\n",
    "AArch64": "{ 0:X1=x; }\n P0 ;\n MOV W0,#1 ;\n STR W0,[X1] ;\n",
    "ARM": "{ 0:R1=x; }\n P0 ;\n MOV R0,#1 ;\n STR R0,[R1] ;\n",
    "PPC": "{ 0:r1=x; }\n P0 ;\n li r0,1 ;\n stw r0,0(r1) ;\n",
    "RISCV": "{ 0:x6=x; }\n P0 ;\n li x5,1 ;\n sw x5,0(x6) ;\n",
    "LISA": "{}\n P0 ;\n w[] x 1 ;\n",
}


@pytest.mark.parametrize("info", [a for a in ARCHS if a.frontend], ids=lambda a: a.name)
def test_front_end_contract(info: ArchInfo):
    """Every front-end the table names is a Frontend and runs a one-store test."""
    from weakmem.litmus.macros import load_defs
    from weakmem.litmus.parse import parse_litmus
    from weakmem.paths import MODELS_DIR
    from weakmem.semantics.frontends import frontend_for
    test = parse_litmus("t.litmus", f"{info.name} t\n{SMALL[info.name]}exists (x=1)\n")
    assert test.arch == info.name
    fe = frontend_for(test, load_defs(str(MODELS_DIR / "lkmm.def")) if info.name == "C" else None, 2)
    assert isinstance(fe, Frontend)
    assert "x" in fe.shared
    (trace,) = fe.traces(0, lambda loc: [0])
    assert [e.value for e in trace.events if e.is_write] == [1]


def test_missing_front_end_module_is_an_error(monkeypatch):
    from weakmem.litmus.ast import Litmus
    from weakmem.semantics import frontends
    monkeypatch.setattr(frontends, "arch_info", lambda name: ArchInfo(name, "no_such_frontend"))
    with pytest.raises(ModuleNotFoundError):
        frontends.frontend_for(Litmus(arch="ZZ", name="t", path="t.litmus"), None, 2)


def test_unsupported_architecture_is_a_litmus_error():
    from weakmem.errors import LitmusError
    from weakmem.litmus.ast import Litmus
    from weakmem.semantics.frontends import frontend_for
    with pytest.raises(LitmusError, match="not supported"):
        frontend_for(Litmus(arch="MIPS", name="t", path="t.litmus"), None, 2)


def test_fact_tables_are_recognised():
    found = _string_collections(ast.parse('BITS = {"X86": 32, "ARM": 32}\nISAS = {"ARM": Isa(1), "PPC": Isa(2)}\n'
                                          'ONE = ("X86", "X86_64")\n'))
    assert {"X86", "ARM"} in found and {"X86", "X86_64"} in found
    assert {"ARM", "PPC"} not in found


def test_new_output_format_is_one_table_entry(tmp_path):
    """docs/architecture.md, "add an output format": a renderer and one
    REPORTERS entry are all `weakmem run --format` and `weakmem matrix
    --format` need (the renderer lives in a module of its own here)."""
    import subprocess
    import sys
    (tmp_path / "myformat.py").write_text(
        "def verdict_only(r):\n    return f'{r.name}: {r.verdict.observation}'\n"
        "def targets_only(m):\n    return ' '.join(r.target for r in m.rows)\n")
    litmus = tmp_path / "SB.litmus"
    litmus.write_text("C SB\n{}\nP0(int *x, int *y) { WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y); }\n"
                      "P1(int *x, int *y) { WRITE_ONCE(*y, 1); int r0 = READ_ONCE(*x); }\n"
                      "exists (0:r0=0 /\\ 1:r0=0)\n")
    code = ("import sys\nfrom weakmem import report\n"
            "report.REPORTERS['result']['short'] = 'myformat:verdict_only'\n"
            "report.REPORTERS['matrix']['targets'] = 'myformat:targets_only'\n"
            "from weakmem.cli import main\nsys.exit(main())\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(PKG.parent)]))
    r = subprocess.run([sys.executable, "-c", code, "run", "--format", "short", str(litmus)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "SB: Sometimes"
    r = subprocess.run([sys.executable, "-c", code, "matrix", "--format", "targets", "--no-languages",
                        "--target", "x86-64", "--target", "riscv", str(litmus)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "x86-64 RISC-V"
