"""Guardrails that fix things safely: actions, plans, apply with verification, rollback.

The pieces (each its own module):

* :mod:`~mamori.remediate.action`   the Action interface and the ``ACTIONS`` registry
* :mod:`~mamori.remediate.actions`  the built-in actions, one module per service
* :mod:`~mamori.remediate.planner`  open findings -> a stored plan (reads only)
* :mod:`~mamori.remediate.apply`    apply a plan: re-read, change, verify, record
* :mod:`~mamori.remediate.rollback` restore the saved prior configuration
* :mod:`~mamori.remediate.tables`   its tables (plans, changes) and :mod:`~mamori.remediate.repo` their queries

Its section of ``mamori.yaml`` (``guardrails:``: modes, exemptions) is
:mod:`mamori.config.guardrails`; this package receives only that section.
"""
