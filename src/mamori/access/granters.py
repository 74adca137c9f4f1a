"""How access is granted in the cloud: IAM Identity Center assignments, or STS credentials.

:class:`IdentityCenterGranter`
    resolves the requester in the identity store by ``UserName`` and the permission set by
    name, creates the account assignment when a request is approved and deletes it at its
    end. Deleting an assignment does not end sessions already open (their role credentials
    stay valid for up to the permission set's session duration), so every end also adds a
    statement to the permission set's inline policy denying everything to the user's
    sessions issued before that time (``aws:TokenIssueTime``, the condition of IAM's "revoke
    older sessions"), and re-provisions the permission set. docs/access.md has the limits.

:class:`StsGranter`
    no assignment: while the grant is active the requester asks for short credentials of a
    per-grant role (``access.sts.role_name`` in each account) assumed with
    ``SourceIdentity`` = the requester (kept in CloudTrail for every call made with them,
    and through role chaining). An end attaches the same deny to the role (``PutRolePolicy``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from mamori.access.model import GrantError
from mamori.config.access import AccessConfig

REVOKE_SID_PREFIX = "MamoriRevokeOlderSessions"
ClientMaker = Callable[[str, str], Any]  # (service, region) -> a boto3 client


class Granter(Protocol):
    mode: str

    def resolve(self, principal: str, permission_set: str) -> dict[str, Any]:
        """Ids of the principal and permission set (raises GrantError if unknown)."""

    def assign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        """Give ``principal`` the permission set in ``account``."""

    def unassign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        """Take it away (sessions already open are not ended by this)."""

    def deny_older_sessions(self, account: str, permission_set: str, principal: str, before: datetime) -> dict[str, Any]:
        """Deny every call from ``principal``'s sessions issued before ``before``."""


def _sid(principal: str) -> str:
    return REVOKE_SID_PREFIX + re.sub(r"[^A-Za-z0-9]", "", principal)[:60]


def deny_statement(principal: str, before: datetime, *, session_match: str) -> dict[str, Any]:
    """The statement that denies ``principal``'s sessions issued before ``before``."""
    return {
        "Sid": _sid(principal),
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {
            "DateLessThan": {"aws:TokenIssueTime": before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
            **session_match_condition(session_match),
        },
    }


def session_match_condition(session_match: str) -> dict[str, Any]:
    return {"StringLike": {"aws:userid": session_match}}


def merge_deny(policy_text: str, statement: dict[str, Any]) -> str:
    """An inline policy with ``statement`` added, replacing mamori's earlier one for the same principal."""
    doc: dict[str, Any] = json.loads(policy_text) if policy_text.strip() else {"Version": "2012-10-17", "Statement": []}
    stmts = doc.get("Statement") or []
    if isinstance(stmts, dict):
        stmts = [stmts]
    doc["Statement"] = [s for s in stmts if s.get("Sid") != statement["Sid"]] + [statement]
    return json.dumps(doc, sort_keys=True)


def _err(what: str, exc: Exception) -> GrantError:
    return GrantError(f"{what}: {exc}")


class IdentityCenterGranter:
    mode = "identity_center"

    def __init__(self, client: ClientMaker, region: str = "us-east-1", instance_arn: str | None = None) -> None:
        self._client = client
        self.region = region
        self._instance_arn = instance_arn
        self._store_id: str | None = None
        self._users: dict[str, str] = {}
        self._sets: dict[str, str] | None = None

    def _sso(self) -> Any:
        return self._client("sso-admin", self.region)

    def instance(self) -> tuple[str, str]:
        if self._store_id is None or self._instance_arn is None:
            try:
                found = self._sso().list_instances().get("Instances", [])
            except (ClientError, BotoCoreError) as exc:
                raise _err("cannot list IAM Identity Center instances", exc) from exc
            if self._instance_arn:
                found = [i for i in found if i["InstanceArn"] == self._instance_arn]
            if len(found) != 1:
                raise GrantError(f"expected one IAM Identity Center instance, found {len(found)} "
                                 "(set access.identity_center.instance_arn)")  # fmt: skip
            self._instance_arn, self._store_id = found[0]["InstanceArn"], found[0]["IdentityStoreId"]
        return self._instance_arn, self._store_id

    def user_id(self, user_name: str) -> str:
        if user_name not in self._users:
            _, store = self.instance()
            try:
                resp = self._client("identitystore", self.region).get_user_id(
                    IdentityStoreId=store,
                    AlternateIdentifier={"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": user_name}},
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    raise GrantError(f"no user {user_name!r} in the identity store {store}") from None
                raise _err(f"cannot look up {user_name!r} in the identity store", exc) from exc
            except BotoCoreError as exc:
                raise _err(f"cannot look up {user_name!r} in the identity store", exc) from exc
            self._users[user_name] = str(resp["UserId"])
        return self._users[user_name]

    def permission_set_arn(self, name: str) -> str:
        if self._sets is None:
            arn, _ = self.instance()
            sets: dict[str, str] = {}
            try:
                for page in self._sso().get_paginator("list_permission_sets").paginate(InstanceArn=arn):
                    for ps in page.get("PermissionSets", []):
                        d = self._sso().describe_permission_set(InstanceArn=arn, PermissionSetArn=ps)["PermissionSet"]
                        sets[d["Name"]] = ps
            except (ClientError, BotoCoreError) as exc:
                raise _err("cannot list the permission sets", exc) from exc
            self._sets = sets
        if name not in self._sets:
            raise GrantError(f"no permission set named {name!r} (have: {', '.join(sorted(self._sets)) or 'none'})")
        return self._sets[name]

    def resolve(self, principal: str, permission_set: str) -> dict[str, Any]:
        return {"principal_id": self.user_id(principal), "permission_set_arn": self.permission_set_arn(permission_set)}

    def _assignment(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        arn, _ = self.instance()
        return {"InstanceArn": arn, "TargetId": account, "TargetType": "AWS_ACCOUNT",
                "PermissionSetArn": self.permission_set_arn(permission_set), "PrincipalType": "USER",
                "PrincipalId": self.user_id(principal)}  # fmt: skip

    def assign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        params = self._assignment(account, permission_set, principal)
        try:
            st = self._sso().create_account_assignment(**params)["AccountAssignmentCreationStatus"]
        except (ClientError, BotoCoreError) as exc:
            raise _err(f"CreateAccountAssignment in {account}", exc) from exc
        if st.get("Status") == "FAILED":
            raise GrantError(f"CreateAccountAssignment in {account} failed: {st.get('FailureReason', '')}")
        return {"principal_id": params["PrincipalId"], "permission_set_arn": params["PermissionSetArn"],
                "status": st.get("Status"), "request_id": st.get("RequestId")}  # fmt: skip

    def unassign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        params = self._assignment(account, permission_set, principal)
        try:
            st = self._sso().delete_account_assignment(**params)["AccountAssignmentDeletionStatus"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return {"status": "absent (already deleted)"}  # idempotent: a retry, or removed by hand
            raise _err(f"DeleteAccountAssignment in {account}", exc) from exc
        except BotoCoreError as exc:
            raise _err(f"DeleteAccountAssignment in {account}", exc) from exc
        if st.get("Status") == "FAILED":
            raise GrantError(f"DeleteAccountAssignment in {account} failed: {st.get('FailureReason', '')}")
        return {"status": st.get("Status"), "request_id": st.get("RequestId")}

    def deny_older_sessions(self, account: str, permission_set: str, principal: str, before: datetime) -> dict[str, Any]:
        arn, _ = self.instance()
        ps = self.permission_set_arn(permission_set)
        # Identity Center names the role session after the user name: aws:userid = "AROA...:<user name>"
        stmt = deny_statement(principal, before, session_match=f"*:{principal}")
        sso = self._sso()
        try:
            try:
                current = sso.get_inline_policy_for_permission_set(InstanceArn=arn, PermissionSetArn=ps).get("InlinePolicy", "")
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                    raise
                current = ""
            sso.put_inline_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, InlinePolicy=merge_deny(current or "", stmt))
            st = sso.provision_permission_set(InstanceArn=arn, PermissionSetArn=ps, TargetType="AWS_ACCOUNT", TargetId=account)
        except (ClientError, BotoCoreError, ValueError) as exc:
            raise _err(f"cannot deny older sessions of {principal} on {permission_set}", exc) from exc
        return {"denied_before": stmt["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
                "provisioning": st.get("PermissionSetProvisioningStatus", {}).get("Status")}  # fmt: skip


class StsGranter:
    mode = "sts"

    def __init__(self, client: ClientMaker, role_name: str = "mamori-jit-{permission_set}", region: str = "us-east-1") -> None:
        self._client = client
        self.role_name = role_name
        self.region = region

    def role(self, account: str, permission_set: str) -> tuple[str, str]:
        name = self.role_name.format(permission_set=permission_set, account=account)
        return name, f"arn:aws:iam::{account}:role/{name}"

    def resolve(self, principal: str, permission_set: str) -> dict[str, Any]:
        return {"principal_id": None, "role_name": self.role_name.format(permission_set=permission_set, account="")}

    def assign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        _, arn = self.role(account, permission_set)
        return {"principal_id": None, "role_arn": arn, "status": "credentials on demand"}

    def unassign(self, account: str, permission_set: str, principal: str) -> dict[str, Any]:
        return {"status": "no assignment (credentials expire by themselves)"}

    def credentials(self, account: str, permission_set: str, principal: str, request_id: str, seconds: int) -> dict[str, Any]:
        """Short credentials of the per-grant role, ``SourceIdentity`` = the requester."""
        _, arn = self.role(account, permission_set)
        try:
            resp = self._client("sts", self.region).assume_role(
                RoleArn=arn, RoleSessionName=f"mamori-{request_id}"[:64], SourceIdentity=principal,
                DurationSeconds=max(900, min(seconds, 43200)),
            )  # fmt: skip
        except (ClientError, BotoCoreError) as exc:
            raise _err(f"cannot assume {arn}", exc) from exc
        c = resp["Credentials"]
        return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "SessionToken": c["SessionToken"],
                "Expiration": c["Expiration"].isoformat() if hasattr(c["Expiration"], "isoformat") else str(c["Expiration"]),
                "AssumedRoleArn": resp["AssumedRoleUser"]["Arn"]}  # fmt: skip

    def deny_older_sessions(self, account: str, permission_set: str, principal: str, before: datetime) -> dict[str, Any]:
        name, _ = self.role(account, permission_set)
        stmt = deny_statement(principal, before, session_match="*")
        stmt["Condition"]["StringEquals"] = {"aws:SourceIdentity": principal}
        del stmt["Condition"]["StringLike"]
        try:
            self._client("iam", self.region).put_role_policy(
                RoleName=name, PolicyName=_sid(principal), PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [stmt]}))  # fmt: skip
        except (ClientError, BotoCoreError) as exc:
            raise _err(f"cannot deny older sessions on role {name}", exc) from exc
        return {"denied_before": stmt["Condition"]["DateLessThan"]["aws:TokenIssueTime"], "role": name}


def granter_for(cfg: AccessConfig, client: ClientMaker) -> IdentityCenterGranter | StsGranter:
    if cfg.mode == "sts":
        return StsGranter(client, cfg.sts.role_name, cfg.identity_center.region)
    return IdentityCenterGranter(client, cfg.identity_center.region, cfg.identity_center.instance_arn)
