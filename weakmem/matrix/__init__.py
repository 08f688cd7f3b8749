"""`weakmem matrix`: compile a C litmus test to every CPU and check them all.

See docs/matrix.md.  Modules: api (source API names), dialect, lower (C ->
IR), mappings (instruction tables, with sources), isa (code generators),
lang (language-model rows), core (build_matrix), command (the CLI).
"""
import sys
import types

from weakmem.matrix.core import Matrix, Row, build_matrix

__all__ = ["Matrix", "Row", "build_matrix"]


class _CallablePackage(types.ModuleType):
    """`weakmem.matrix` is both this package and the API function
    weakmem.api.matrix: once the package is imported it is the attribute
    `matrix` of `weakmem`, so calling it must still work."""

    def __call__(self, *args, **kwargs):
        from weakmem.api import matrix
        return matrix(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
