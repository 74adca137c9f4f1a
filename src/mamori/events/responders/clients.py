"""AWS clients for responders: one session per account, a role assumed where configured.

``role_name`` (e.g. ``mamori-responder`` or ``mamori-responder-{account}``) is assumed in
every account other than the one mamori's own credentials belong to. All sessions share
one :class:`ApiCounter`, so a test (or an operator) can check exactly which calls a
run made — and that a dry run made no mutating one.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.session import (
    ApiCounter,
    AwsTarget,
    ClientFactory,
    SessionFactory,
    default_session_factory,
)
from mamori.events.errors import ResponderError


class ResponderClients:
    def __init__(
        self,
        target: AwsTarget,
        *,
        session_factory: SessionFactory | None = None,
        role_name: str | None = None,
        counter: ApiCounter | None = None,
    ) -> None:
        self.target = target
        self.role_name = role_name
        self.counter = counter or ApiCounter()
        self._make = session_factory or default_session_factory(target)
        self._lock = threading.Lock()
        self._base: ClientFactory | None = None
        self._home_account: str | None = None
        self._by_account: dict[str, ClientFactory] = {}

    def _base_factory(self) -> ClientFactory:
        if self._base is None:
            self._base = ClientFactory(self._make(), self.target, counter=self.counter)
        return self._base

    def home_account(self) -> str:
        if self._home_account is None:
            try:
                ident = self._base_factory().client("sts", self.target.home_region).get_caller_identity()
            except (ClientError, BotoCoreError) as exc:
                raise ResponderError(f"cannot identify mamori's own account (sts:GetCallerIdentity): {exc}") from exc
            self._home_account = str(ident["Account"])
        return self._home_account

    def _factory_for(self, account: str) -> ClientFactory:
        base = self._base_factory()
        if not self.role_name or not account or account == self.home_account():
            return base
        with self._lock:
            f = self._by_account.get(account)
            if f is None:
                role = self.role_name.format(account=account)
                arn = f"arn:aws:iam::{account}:role/{role}"
                sts = base.client("sts", self.target.home_region)
                try:
                    creds = sts.assume_role(RoleArn=arn, RoleSessionName="mamori-responder")["Credentials"]
                except (ClientError, BotoCoreError) as exc:
                    raise ResponderError(f"cannot assume {arn}: {exc}") from exc
                sess = boto3.Session(
                    aws_access_key_id=creds["AccessKeyId"],
                    aws_secret_access_key=creds["SecretAccessKey"],
                    aws_session_token=creds["SessionToken"],
                    region_name=self.target.home_region,
                )
                f = self._by_account[account] = ClientFactory(sess, self.target, counter=self.counter)
            return f

    def client(self, service: str, account: str, region: str) -> Any:
        return self._factory_for(account).client(service, region or self.target.home_region)
