"""Preventive guardrails across an organization: SCPs, detective guardrails by StackSets, drift.

    policies.py   the SCPs (pure: options -> documents within AWS's size limit)
    detective.py  the EventBridge rules mamori's detections need, as CloudFormation templates
    deploy.py     plan (reads only) and apply (audited) into Organizations and CloudFormation
    drift.py      the organization now vs what mamori last deployed (``tables.py``, ``state.py``)
    impact.py     which logged CloudTrail calls an SCP would have denied
    export.py     the same as a Terraform module or CloudFormation templates

Errors: :class:`mamori.guardrails.org.GuardrailsError` (a cloud call failed, exit 3) and
:class:`mamori.guardrails.org.NotManagementAccount` (an input error, exit 2).
"""
