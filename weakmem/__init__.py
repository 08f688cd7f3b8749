"""weakmem: can this outcome happen?  A herd7-compatible litmus checker."""
__version__ = "0.1.0"
