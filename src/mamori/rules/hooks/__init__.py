"""Named shared hooks (``{hook: <module>.<function>}`` in a rule); importing registers them all."""

from mamori.rules.hooks import ec2, gcp, monitoring, s3  # noqa: F401  (importing registers the hooks)
from mamori.rules.hooks.registry import SHARED_HOOKS, SharedHook, shared_hook

__all__ = ["SHARED_HOOKS", "SharedHook", "shared_hook"]
