"""The organization as mamori deploys into it: clients (injected session), the root, accounts under a target.

Errors: :class:`GuardrailsError` (runtime: the cloud refused or failed) and
:class:`NotManagementAccount` (input: the credentials are not the organization's
management account, or it has no organization).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mamori.errors import InputError, MamoriError

SCP_TYPE = "SERVICE_CONTROL_POLICY"


class GuardrailsError(MamoriError):
    """A call to Organizations, CloudFormation or EventBridge failed."""


class NotManagementAccount(InputError):
    """The credentials cannot manage the organization's policies."""


def call(what: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
    """One AWS call; a refusal becomes a :class:`GuardrailsError` naming ``what``."""
    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as exc:
        raise GuardrailsError(f"{what}: {exc}") from exc


def missing(what: str, fn: Callable[..., Any], codes: tuple[str, ...], text: str = "", **kwargs: Any) -> Any | None:
    """One AWS call, or ``None`` when AWS answers that the thing does not exist (an error code in
    ``codes``, or a ValidationError saying ``text``, as CloudFormation does for a missing stack)."""
    try:
        return fn(**kwargs)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        code, msg = str(err.get("Code", "")), str(err.get("Message", ""))
        if code in codes or (text and code == "ValidationError" and text in msg):
            return None
        raise GuardrailsError(f"{what}: {exc}") from exc
    except BotoCoreError as exc:
        raise GuardrailsError(f"{what}: {exc}") from exc


def pages(what: str, client: Any, op: str, key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    try:
        for page in client.get_paginator(op).paginate(**kwargs):
            out += page.get(key, [])
    except (ClientError, BotoCoreError) as exc:
        raise GuardrailsError(f"{what}: {exc}") from exc
    return out


ClientFactory = Callable[[str, str], Any]
"""``(service, region) -> boto3 client`` in the management account."""
MemberFactory = Callable[[str, str, str], Any]
"""``(account, service, region) -> boto3 client`` in a member account (through an assumed role)."""


def session_factories(session: Any, endpoint_url: str | None, member_role: str) -> tuple[ClientFactory, MemberFactory]:
    """Client factories over a boto3 session; member accounts are reached by assuming ``member_role``."""
    import boto3

    cache: dict[str, Any] = {}

    def client(service: str, region: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint_url)

    def member(account: str, service: str, region: str) -> Any:
        if account not in cache:
            sts = client("sts", region)
            creds = call(f"assume {member_role} in {account}", sts.assume_role,
                         RoleArn=f"arn:aws:iam::{account}:role/{member_role}", RoleSessionName="mamori-guardrails")["Credentials"]  # fmt: skip
            cache[account] = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                           aws_session_token=creds["SessionToken"])  # fmt: skip
        return cache[account].client(service, region_name=region, endpoint_url=endpoint_url)

    return client, member


@dataclass
class Org:
    """The organization seen from its management account."""

    id: str
    management_account: str
    root_id: str
    scp_enabled: bool
    accounts: dict[str, str] = field(default_factory=dict)  # account id -> parent id

    @classmethod
    def read(cls, client: ClientFactory, home: str) -> Org:
        org = client("organizations", home)
        try:
            desc = org.describe_organization()["Organization"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "AWSOrganizationsNotInUseException":
                raise NotManagementAccount("these credentials' account is in no organization") from None
            raise GuardrailsError(f"describe the organization: {exc}") from exc
        except BotoCoreError as exc:
            raise GuardrailsError(f"describe the organization: {exc}") from exc
        roots = pages("list the organization's roots", org, "list_roots", "Roots")
        if not roots:
            raise NotManagementAccount("the organization has no root visible to these credentials")
        root = roots[0]
        enabled = any(p.get("Type") == SCP_TYPE and p.get("Status") == "ENABLED" for p in root.get("PolicyTypes", []))
        me = cls(desc["Id"], desc["MasterAccountId"], root["Id"], enabled)
        me._walk(org, root["Id"])
        return me

    def _walk(self, org: Any, parent: str) -> None:
        for a in pages("list accounts", org, "list_accounts_for_parent", "Accounts", ParentId=parent):
            if a.get("Status", "ACTIVE") == "ACTIVE":
                self.accounts[a["Id"]] = parent
        for ou in pages("list organizational units", org, "list_organizational_units_for_parent", "OrganizationalUnits",
                        ParentId=parent):  # fmt: skip
            self._walk(org, ou["Id"])

    def accounts_under(self, org: Any, target: str) -> list[str]:
        """Member accounts (not the management account) under ``target`` (the root or an OU), recursively."""
        if target == self.root_id:
            found = set(self.accounts)
        else:
            sub = Org(self.id, self.management_account, self.root_id, self.scp_enabled)
            sub._walk(org, target)
            found = set(sub.accounts)
        return sorted(found - {self.management_account})
