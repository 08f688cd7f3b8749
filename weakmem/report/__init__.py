"""Reports: herd7's text block, JSON, and a short human-readable summary.

`REPORTERS` is the one table of output formats (`--format`): for each kind
of result, each format's function (result -> text), named as
"module:function" and imported on first use.  `weakmem run` reports a
TestResult ("result"), `weakmem matrix` a Matrix ("matrix"), `weakmem hw`
an HwResult ("hw")."""
from __future__ import annotations

import importlib
from typing import Callable

REPORTERS: dict[str, dict[str, str]] = {
    "result": {
        "text": "weakmem.report.text:text_report",
        "herd": "weakmem.report.herd:herd_block",
        "json": "weakmem.report.jsonout:json_line",
    },
    "matrix": {
        "text": "weakmem.matrix.command:matrix_text",
        "json": "weakmem.matrix.command:matrix_json",
    },
    "hw": {
        "text": "weakmem.hw.command:text_report",
        "json": "weakmem.hw.command:json_report",
    },
}


def formats(kind: str = "result") -> list[str]:
    """The formats a kind of result can be written in (the first is the default)."""
    return list(REPORTERS[kind])


def reporter(fmt: str, kind: str = "result") -> Callable[[object], str]:
    """The function rendering a result of `kind` in format `fmt`."""
    module, _, name = REPORTERS[kind][fmt].partition(":")
    return getattr(importlib.import_module(module), name)
