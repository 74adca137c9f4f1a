"""Evaluate rules over an inventory (and try one rule on its test cases: :mod:`mamori.engine.testing`)."""

from mamori.engine.evaluate import Evaluation, evaluate

__all__ = ["Evaluation", "evaluate"]
