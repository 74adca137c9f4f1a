"""The store side of distributed scans (`mamori scan --broker`): scans in flight and shard results.

Pure SQL over the shared store; the Celery tasks, the planner and the finaliser live in
:mod:`mamori.fleet`.
"""
