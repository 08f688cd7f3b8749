"""Reports: herd7's text block, JSON, and a short human-readable summary.

`REPORTERS` names every output format of a TestResult (`--format`): the
function that renders it, as "module:function", imported on first use."""
from __future__ import annotations

import importlib
from typing import Callable

REPORTERS = {
    "text": "weakmem.report.text:text_report",
    "herd": "weakmem.report.herd:herd_block",
    "json": "weakmem.report.jsonout:json_line",
}


def reporter(fmt: str) -> Callable:
    """The function rendering a TestResult in format `fmt`."""
    module, _, name = REPORTERS[fmt].partition(":")
    return getattr(importlib.import_module(module), name)
