"""The cat language: parser and interpreter (see weakmem/cat/README.md)."""
