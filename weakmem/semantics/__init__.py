"""weakmem.semantics"""
