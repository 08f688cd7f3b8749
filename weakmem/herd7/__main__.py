"""python3 -m weakmem.herd7: the herd7-compatible command line (weakmem-herd7)."""
from weakmem.herd7.cli import entry

entry()
