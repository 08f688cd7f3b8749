"""`python3 -m weakmem ...`: the command line without installing."""
from weakmem.cli import main

main()
