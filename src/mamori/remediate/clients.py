"""AWS clients per account, for the accounts a plan touches.

Built from the same targets as a scan (``--profile``, ``--role-arn`` per account,
``--endpoint-url``): each target's session is asked who it is (sts:GetCallerIdentity)
and its :class:`~mamori.collect.aws.session.ClientFactory` serves that account. Every
call goes through the factory's :class:`~mamori.collect.aws.session.ApiCounter`, so
tests (and ``apply``'s report) can list the mutating calls made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mamori.collect.aws.session import (
    AwsTarget,
    ClientFactory,
    SessionFactory,
    caller_account,
    default_session_factory,
)
from mamori.remediate.action import ActionContext
from mamori.remediate.errors import NoAccessError


class Clients:
    def __init__(self, factories: Mapping[str, ClientFactory]) -> None:
        self._factories = dict(factories)

    @classmethod
    def from_targets(cls, targets: Sequence[AwsTarget], session_factories: Sequence[SessionFactory | None] | None = None) -> Clients:
        facs = list(session_factories or [None] * len(targets))
        out: dict[str, ClientFactory] = {}
        for target, sf in zip(targets, facs, strict=True):
            factory = ClientFactory((sf or default_session_factory(target))(), target)
            out[caller_account(factory)] = factory
        return cls(out)

    @property
    def accounts(self) -> list[str]:
        return sorted(self._factories)

    def context(self, account: str) -> ActionContext:
        factory = self._factories.get(account)
        if factory is None:
            known = ", ".join(self.accounts) or "none"
            raise NoAccessError(f"no credentials for account {account} (have: {known}); pass --role-arn for it")
        return ActionContext(factory, account)

    def mutating(self) -> list[str]:
        """Mutating calls made so far through every account's clients."""
        return sorted({c for f in self._factories.values() for c in f.counter.mutating()})

    def calls(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self._factories.values():
            for name, n in f.counter.calls.items():
                out[name] = out.get(name, 0) + n
        return out
