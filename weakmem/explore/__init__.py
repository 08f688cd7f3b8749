"""weakmem.explore"""
