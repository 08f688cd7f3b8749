"""The results store: a SQLite file (standard library sqlite3).

Tables:
  results   one row per (test content hash, model content hash, options,
            weakmem version): verdict, counts, states, flags, condition,
            error, seconds.  Only answers worth keeping are stored (a
            verdict, or an error in the input); a time-out or a crashed
            worker is checked again next time.
  runs      one row per `weakmem check --db` run (start, end, arguments).
  run_items one row per (run, file): which result it used, whether it came
            from the store, and its judgement.

Every finished test is committed in its own transaction (WAL journal), so a
run killed at any point leaves a consistent file: the next run finds every
committed result and checks only the rest.  The store never writes to a
file that is not already a weakmem store (or empty).
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from weakmem.batch.task import Outcome

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results(
    id INTEGER PRIMARY KEY,
    test_hash TEXT NOT NULL, model_hash TEXT NOT NULL, options TEXT NOT NULL, version TEXT NOT NULL,
    test TEXT, file TEXT, model TEXT, kind TEXT, verdict TEXT, ok INTEGER,
    pos INTEGER, neg INTEGER, states TEXT, flags TEXT, condition TEXT,
    error TEXT, error_line INTEGER, error_col INTEGER, seconds REAL, created REAL,
    UNIQUE(test_hash, model_hash, options, version));
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, args TEXT,
    model_hash TEXT, options TEXT, version TEXT, tests INTEGER);
CREATE TABLE IF NOT EXISTS run_items(
    run_id INTEGER NOT NULL REFERENCES runs(id), file TEXT NOT NULL,
    result_id INTEGER REFERENCES results(id), stored INTEGER NOT NULL,
    judgement TEXT, expected TEXT, reason TEXT, verdict TEXT, states TEXT, undetermined TEXT, error TEXT,
    PRIMARY KEY(run_id, file));
"""


class StoreError(Exception):
    pass


@dataclass(frozen=True)
class Key:
    test_hash: str
    model_hash: str
    options: str
    version: str


class Store:
    def __init__(self, path: str):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout=30000")
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "results" not in tables:
                raise StoreError("not a weakmem results database (it has other tables)")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._create()
        except sqlite3.Error as e:
            raise StoreError(_sqlite_msg(e)) from None

    def _create(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    self.db.execute(stmt)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise StoreError(f"results database schema {row[0]}, this weakmem writes {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def tx(self):
        return _Tx(self.db)

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    # ------------------------------------------------------------------ runs
    def start_run(self, args: str, model_hash: str, options: str, version: str, tests: int) -> int:
        with self.tx():
            cur = self.db.execute("INSERT INTO runs(started, args, model_hash, options, version, tests)"
                                  " VALUES(?,?,?,?,?,?)", (time.time(), args, model_hash, options, version, tests))
            return int(cur.lastrowid)

    def finish_run(self, run_id: int) -> None:
        with self.tx():
            self.db.execute("UPDATE runs SET finished=? WHERE id=?", (time.time(), run_id))

    # --------------------------------------------------------------- results
    def lookup(self, key: Key, file: str) -> tuple[int, Outcome] | None:
        """The stored outcome for `key`, as if `file` (the same text, maybe
        elsewhere) had been checked."""
        row = self.db.execute(
            "SELECT id, test, file, model, kind, verdict, ok, pos, neg, states, flags, condition, error,"
            " error_line, error_col, seconds FROM results"
            " WHERE test_hash=? AND model_hash=? AND options=? AND version=?",
            (key.test_hash, key.model_hash, key.options, key.version)).fetchone()
        if row is None:
            return None
        (rid, test, _, model, kind, verdict, ok, pos, neg, states, flags, cond, err, el, ec, secs) = row
        if err and err.startswith(_HERE):
            err = file + err[len(_HERE):]
        out = Outcome(file, test=test or "", model=model or "", kind=kind or "", verdict=verdict,
                      ok=None if ok is None else bool(ok), pos=pos or 0, neg=neg or 0,
                      states=json.loads(states or "[]"), flags=json.loads(flags or "[]"), condition=cond or "",
                      error=err, error_line=el or 0, error_col=ec or 0, seconds=secs or 0.0)
        return rid, out

    def record(self, run_id: int | None, key: Key | None, out: Outcome, stored: bool, judgement: str,
               expected: str | None, reason: str) -> None:
        """Store one finished test (and its line in the run) in one transaction."""
        with self.tx():
            rid = None
            if key is not None and out.storable:
                row = self.db.execute(
                    "SELECT id FROM results WHERE test_hash=? AND model_hash=? AND options=? AND version=?",
                    (key.test_hash, key.model_hash, key.options, key.version)).fetchone()
                if row is not None:
                    rid = row[0]
                else:
                    cur = self.db.execute(
                        "INSERT INTO results(test_hash, model_hash, options, version, test, file, model, kind,"
                        " verdict, ok, pos, neg, states, flags, condition, error, error_line, error_col, seconds,"
                        " created) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (key.test_hash, key.model_hash, key.options, key.version, out.test, out.file, out.model,
                         out.kind, out.verdict, None if out.ok is None else int(out.ok), out.pos, out.neg,
                         json.dumps(out.states), json.dumps(out.flags), out.condition, _portable(out),
                         out.error_line, out.error_col, out.seconds, time.time()))
                    rid = cur.lastrowid
            if run_id is not None:
                self.db.execute(
                    "INSERT OR REPLACE INTO run_items(run_id, file, result_id, stored, judgement, expected, reason,"
                    " verdict, states, undetermined, error) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                    (run_id, out.file, rid, int(stored), judgement, expected, reason, out.verdict,
                     json.dumps(out.states), out.undetermined, out.error))

    # --------------------------------------------------------------- queries
    def runs(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT r.id, r.started, r.finished, r.args, r.version, r.tests,"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.stored=1),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.judgement='pass'),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.judgement='fail'),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.judgement='error'),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.judgement='undetermined'),"
            " (SELECT COUNT(*) FROM run_items i WHERE i.run_id=r.id AND i.judgement='unjudged')"
            " FROM runs r ORDER BY r.id").fetchall()
        keys = ("id", "started", "finished", "args", "version", "tests", "done", "stored", "pass", "fail", "error",
                "undetermined", "unjudged")
        return [dict(zip(keys, r)) for r in rows]

    def run_items(self, run_id: int) -> dict[str, dict]:
        if self.db.execute("SELECT 1 FROM runs WHERE id=?", (run_id,)).fetchone() is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        out = {}
        for file, verdict, states, judgement, und, err in self.db.execute(
                "SELECT file, verdict, states, judgement, undetermined, error FROM run_items WHERE run_id=?",
                (run_id,)):
            out[file] = {"verdict": verdict, "states": json.loads(states or "[]"), "judgement": judgement,
                         "undetermined": und, "error": err}
        return out

    def count_results(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]


_HERE = "<file>"


def _portable(out: Outcome) -> str | None:
    """An error message with its file name left open (the same text may be
    met again under another name)."""
    if out.error and out.error.startswith(out.file + ":"):
        return _HERE + out.error[len(out.file):]
    return out.error


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any exception)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, et, ev, tb):
        if et is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
        return False


def _sqlite_msg(e: Exception) -> str:
    msg = str(e)
    if "unable to open" in msg:
        return "cannot open results database (does its directory exist and is it writable?)"
    if "not a database" in msg:
        return "not a SQLite results database"
    return msg


def open_store(path: str) -> Store:
    """Open (creating if needed) a results store; StoreError if unusable."""
    import os
    if os.path.isdir(path):
        raise StoreError("is a directory, not a results database")
    return Store(path)
