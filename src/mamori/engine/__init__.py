"""Evaluate rules over an inventory (pure) and score the results."""

from mamori.engine.evaluate import Evaluation, evaluate
from mamori.engine.score import ScoreRow, score

__all__ = ["Evaluation", "ScoreRow", "evaluate", "score"]
