"""AWS clients per account, for the accounts a plan touches.

Two ways to reach an account, one class:

* :meth:`Clients.from_targets`: the same targets as a scan (``--profile``, ``--role-arn``
  per account, ``--endpoint-url``): each target's session is asked who it is
  (sts:GetCallerIdentity) and its :class:`~mamori.collect.aws.session.ClientFactory`
  serves that account;
* :meth:`Clients.assuming`: one session (mamori's own account), and a role
  (``role_name``, e.g. ``mamori-responder`` or ``mamori-responder-{account}``) assumed on
  first use in any other account: event responders act in whichever account an event
  came from.

Every call goes through a :class:`~mamori.collect.aws.session.ApiCounter`, so tests
(and ``apply``'s report) can list the mutating calls made.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.session import (
    ApiCounter,
    AwsTarget,
    ClientFactory,
    SessionFactory,
    caller_account,
    default_session_factory,
)
from mamori.remediate.action import ActionContext
from mamori.remediate.errors import NoAccessError


class RoleAssumer:
    """mamori's own session, and a role assumed in every other account (lazily, once each)."""

    def __init__(self, target: AwsTarget, role_name: str | None, session_factory: SessionFactory | None, counter: ApiCounter) -> None:
        self.target = target
        self.role_name = role_name
        self.counter = counter
        self._make = session_factory or default_session_factory(target)
        self._lock = threading.Lock()
        self._base: ClientFactory | None = None
        self._home: str | None = None
        self._by_account: dict[str, ClientFactory] = {}

    def base(self) -> ClientFactory:
        with self._lock:
            if self._base is None:
                self._base = ClientFactory(self._make(), self.target, counter=self.counter)
            return self._base

    def home_account(self) -> str:
        if self._home is None:
            self._home = _identify(self.base())
        return self._home

    def factory_for(self, account: str) -> ClientFactory:
        base = self.base()
        if not self.role_name or not account or account == self.home_account():
            return base
        with self._lock:
            f = self._by_account.get(account)
            if f is None:
                f = self._by_account[account] = self._assume(base, account, self.role_name.format(account=account))
            return f

    def _assume(self, base: ClientFactory, account: str, role: str) -> ClientFactory:
        arn = f"arn:aws:iam::{account}:role/{role}"
        try:
            creds = base.client("sts", self.target.home_region).assume_role(RoleArn=arn, RoleSessionName="mamori-responder")["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            raise NoAccessError(f"cannot assume {arn}: {exc}") from exc
        sess = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.target.home_region,
        )
        return ClientFactory(sess, self.target, counter=self.counter)


def _identify(factory: ClientFactory) -> str:
    try:
        return str(factory.client("sts", factory.target.home_region).get_caller_identity()["Account"])
    except (ClientError, BotoCoreError) as exc:
        raise NoAccessError(f"cannot identify mamori's own account (sts:GetCallerIdentity): {exc}") from exc


class Clients:
    def __init__(self, factories: Mapping[str, ClientFactory], *, assumer: RoleAssumer | None = None) -> None:
        self._factories = dict(factories)
        self._assumer = assumer

    @classmethod
    def from_targets(cls, targets: Sequence[AwsTarget], session_factories: Sequence[SessionFactory | None] | None = None) -> Clients:
        facs = list(session_factories or [None] * len(targets))
        out: dict[str, ClientFactory] = {}
        for target, sf in zip(targets, facs, strict=True):
            factory = ClientFactory((sf or default_session_factory(target))(), target)
            out[caller_account(factory)] = factory
        return cls(out)

    @classmethod
    def assuming(
        cls, target: AwsTarget, *, role_name: str | None = None, session_factory: SessionFactory | None = None,
        counter: ApiCounter | None = None,
    ) -> Clients:  # fmt: skip
        """mamori's own account through ``target``; any other through ``role_name`` (no role: the same session)."""
        return cls({}, assumer=RoleAssumer(target, role_name, session_factory, counter or ApiCounter()))

    @property
    def accounts(self) -> list[str]:
        return sorted(self._factories)

    def context(self, account: str) -> ActionContext:
        factory = self._factories.get(account)
        if factory is None and self._assumer is not None:
            factory = self._assumer.factory_for(account)
        if factory is None:
            known = ", ".join(self.accounts) or "none"
            raise NoAccessError(f"no credentials for account {account} (have: {known}); pass --role-arn for it")
        return ActionContext(factory, account)

    def _counters(self) -> list[ApiCounter]:
        out = [f.counter for f in self._factories.values()]
        if self._assumer is not None:
            out.append(self._assumer.counter)
        return out

    def mutating(self) -> list[str]:
        """Mutating calls made so far through every account's clients."""
        return sorted({c for counter in self._counters() for c in counter.mutating()})

    def calls(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for counter in {id(c): c for c in self._counters()}.values():
            for name, n in counter.calls.items():
                out[name] = out.get(name, 0) + n
        return out
