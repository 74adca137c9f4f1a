"""Guardrails that fix things safely: actions, plans, apply with verification, rollback.

The pieces (each its own module):

* :mod:`~mamori.remediate.action`   the Action interface and the ``ACTIONS`` registry
* :mod:`~mamori.remediate.actions`  the built-in actions, one module per service
* :mod:`~mamori.remediate.planner`  open findings -> a stored plan (reads only)
* :mod:`~mamori.remediate.apply`    apply a plan: re-read, change, verify, record
* :mod:`~mamori.remediate.rollback` restore the saved prior configuration
* :mod:`~mamori.remediate.settings` the ``guardrails:`` config (modes, exemptions)

This package imports nothing heavy at import time, so ``mamori.config`` can use its
settings model.
"""
