"""Litmus tests: parsing (all dialects) and herd .def macro expansion.

    from weakmem.litmus import parse_litmus, load_defs, MacroTable
"""
from weakmem.litmus.parse import parse_litmus  # noqa: F401
from weakmem.litmus.macros import MacroTable, load_defs  # noqa: F401

__all__ = ["parse_litmus", "load_defs", "MacroTable"]
