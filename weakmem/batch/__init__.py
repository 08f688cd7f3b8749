"""Batches of litmus tests: `weakmem check` (judge each test against its
`Result:` comment or herd7 `.expected` file), parallel workers or a Dask
cluster, a SQLite results store, and the pytest plugin.  See docs/batch.md.

Modules: expect (expectations and the judgelitmus.sh rules), task (one
test, wherever it runs), pool (worker processes), cluster (Dask), store
(SQLite), runner (a batch), report (lines, table, JSON, JUnit), command
(the CLI), pytest_plugin.
"""
