"""Just-in-time production access through reviewed runbooks (docs/access.md).

* :mod:`~mamori.access.tables`   requests, grants, runbooks, runbook runs
* :mod:`~mamori.access.model`    typed requests and grants, statuses, errors
* :mod:`~mamori.access.service`  request, approve, deny, revoke, expire, break-glass (store + audit)
* :mod:`~mamori.access.granters` IAM Identity Center assignments, or STS credentials per grant
* :mod:`~mamori.access.runbook`  reviewed runbooks: load (bounded), pin, run through remediate's actions
* :mod:`~mamori.access.report`   what a grant did: CloudTrail calls next to the runbook steps
"""
