"""`weakmem matrix`: compile a C litmus test to every CPU and check them all.

See docs/matrix.md.  Modules: api (source API names), dialect, lower (C ->
IR), mappings (instruction tables, with sources), isa (code generators),
lang (language-model rows), core (build_matrix), command (the CLI).
"""
from weakmem.matrix.core import Matrix, Row, build_matrix

__all__ = ["Matrix", "Row", "build_matrix"]
