"""AWS collectors: one module per service, all calls through an injected session."""

from mamori.collect.aws.base import COLLECTORS, AwsCollector, CollectContext
from mamori.collect.aws.session import AwsTarget, SessionFactory

__all__ = ["COLLECTORS", "AwsCollector", "AwsTarget", "CollectContext", "SessionFactory"]
