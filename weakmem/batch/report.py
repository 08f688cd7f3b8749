"""How a batch is shown: one line per mismatch, a summary table (Rich),
JSON objects, JUnit XML, and the progress of a running batch."""
from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET

from weakmem.batch.runner import BatchReport, Item, Progress

JUDGEMENTS = ("pass", "fail", "error", "undetermined", "unjudged")


def item_line(item: Item) -> str:
    """One line for a test that did not pass."""
    j = item.judgement
    o = item.outcome
    if j.judgement == "error":
        return o.error or f"{item.file}: error: {j.reason}"
    where = item.file
    if item.expectation is not None and item.expectation.line:
        where += f":{item.expectation.line}"
    model = f" [{o.model}]" if o.model else ""
    if j.judgement == "fail":
        return f"{where}: fail: {j.reason}{model}"
    if j.judgement == "undetermined":
        return f"{where}: undetermined: {j.reason}{model}"
    return f"{where}: unjudged: {o.verdict or '-'}{model} (no Result: line, no .expected file)"


def mismatch_lines(report: BatchReport) -> list[str]:
    out = []
    for kind in ("fail", "error", "undetermined", "unjudged"):
        out += [item_line(i) for i in report.items if i.judgement.judgement == kind]
    return out


def summary_table(report: BatchReport):
    from rich.table import Table
    t = Table(title="weakmem check", caption=f"{len(report.items)} tests, {report.seconds:.1f} s"
                                             + (f", {report.backend}" if report.backend else ""))
    t.add_column("judgement", style="bold")
    t.add_column("tests", justify="right")
    t.add_column("from the store", justify="right")
    styles = {"pass": "green", "fail": "red", "error": "red", "undetermined": "yellow", "unjudged": "dim"}
    for j in JUDGEMENTS:
        n = report.count(j)
        s = sum(1 for i in report.items if i.judgement.judgement == j and i.stored)
        t.add_row(f"[{styles[j]}]{j}[/]", str(n), str(s))
    forgiven = sum(1 for i in report.items if i.judgement.judgement == "pass" and i.judgement.reason)
    if forgiven:
        t.caption += f"; {forgiven} passed with a forgiven verdict (data race)"
    return t


def json_lines(report: BatchReport) -> list[str]:
    return [json.dumps(i.as_dict(), sort_keys=True) for i in report.items]


def write_junit(report: BatchReport, path: str) -> None:
    """JUnit XML: one testsuite, one testcase per test (failure / error /
    skipped for unjudged and undetermined)."""
    suite = ET.Element("testsuite", name="weakmem check", tests=str(len(report.items)),
                       failures=str(report.count("fail")), errors=str(report.count("error")),
                       skipped=str(report.count("unjudged") + report.count("undetermined")),
                       time=f"{report.seconds:.3f}")
    for item in report.items:
        o = item.outcome
        case = ET.SubElement(suite, "testcase", classname=os.path.dirname(item.file).replace(os.sep, ".") or ".",
                             name=os.path.basename(item.file), time=f"{o.seconds:.3f}")
        j = item.judgement.judgement
        detail = json.dumps(item.as_dict(), indent=1, sort_keys=True)
        if j == "fail":
            ET.SubElement(case, "failure", message=item_line(item)).text = detail
        elif j == "error":
            ET.SubElement(case, "error", message=item_line(item)).text = detail
        elif j in ("unjudged", "undetermined"):
            ET.SubElement(case, "skipped", message=item_line(item))
        if item.stored:
            ET.SubElement(case, "system-out").text = "result from the results store"
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


class BarProgress(Progress):
    """A Rich progress bar with ETA (on a terminal)."""

    def __init__(self, console):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.bar = RichProgress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), console=console, transient=True)
        self.task = None
        self.bad = 0

    def start(self, total: int, stored: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("check", total=total, status="")

    def done(self, item: Item) -> None:
        if item.judgement.judgement in ("fail", "error"):
            self.bad += 1          # the lines themselves come after the bar, sorted
        self.bar.update(self.task, advance=1, status=f"{self.bad} failing" if self.bad else "")

    def finish(self) -> None:
        self.bar.stop()


class LineProgress(Progress):
    """One plain line per finished test (CI logs)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.total = 0
        self.n = 0

    def start(self, total: int, stored: int) -> None:
        self.total = total
        print(f"checking {total} tests ({stored} from the results store)", file=self.stream, flush=True)

    def done(self, item: Item) -> None:
        self.n += 1
        stored = " (stored)" if item.stored else ""
        print(f"[{self.n}/{self.total}] {item.judgement.judgement} {item.file} "
              f"{item.outcome.seconds:.2f}s{stored}", file=self.stream, flush=True)
