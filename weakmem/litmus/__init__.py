"""weakmem.litmus"""
