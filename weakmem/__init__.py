"""weakmem: can this outcome happen?  A herd7-compatible litmus checker.

Python API (docs/api.md), imported on first use so that `import weakmem`
stays cheap: weakmem.check, weakmem.check_many, weakmem.matrix,
weakmem.Result, weakmem.WeakmemError / LitmusError / CatError.
"""
__all__ = ["check", "check_many", "matrix", "Result", "WeakmemError", "LitmusError", "CatError", "__version__"]

_API = {"check", "check_many", "matrix", "Result"}
_ERRORS = {"WeakmemError", "LitmusError", "CatError"}


def __getattr__(name):
    if name in _API:
        from weakmem import api
        return getattr(api, name)
    if name in _ERRORS:
        from weakmem import errors
        return getattr(errors, name)
    if name == "__version__":
        from weakmem.version import __version__
        return __version__
    raise AttributeError(f"module 'weakmem' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
