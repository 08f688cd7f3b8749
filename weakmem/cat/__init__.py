"""The cat language: parser and interpreter (see weakmem/cat/README.md)."""
from __future__ import annotations

from .eval import EvalCache, ExecInput, Outcome, evaluate
from .model import Cfg, Model, load_cfg, load_from_cfg, load_model, load_model_text

__all__ = ["EvalCache", "ExecInput", "Outcome", "evaluate", "Cfg", "Model",
           "load_cfg", "load_from_cfg", "load_model", "load_model_text"]
