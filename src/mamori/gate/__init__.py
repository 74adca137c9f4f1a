"""Shift-left gates for CI and pre-commit: secrets (``mamori.gate.secrets``), dependencies, IaC."""
