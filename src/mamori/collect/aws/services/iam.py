"""IAM and the account: users, access keys, customer managed and inline policies, roles, root and password policy.

Global scope (once per account). Bulk sources first:

* the credential report (console access, MFA, password use, root activity),
* GetAccountAuthorizationDetails (users, groups, roles, customer managed policies and
  their default documents, inline policies, AWS managed policies attached anywhere, in a
  few pages; built into resources by :mod:`.iam_entities`),
* GetAccountSummary, GetAccountPasswordPolicy, ListVirtualMFADevices (root MFA kind),
  ListServerCertificates (certificates stored in IAM).

Per item only where AWS has no bulk call: ListAccessKeys per user and
GetAccessKeyLastUsed per key, plus GetLoginProfile / ListMFADevices / GetUser for users
created after the credential report was built.

Failures degrade only what depends on the failing call: a bulk source that fails is a
scope error for the resource types it feeds (their rules report UNKNOWN), a per-item
or account-level detail that fails leaves ``None`` in the affected properties.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.base import (
    COLLECTORS,
    MISSING,
    AwsCollector,
    CollectContext,
    error_code,
    error_message,
    tags_of,
)
from mamori.collect.aws.services.iam_entities import (
    authorization_details,
    inline_policy_resources,
    managed_attachments,
    policy_resource,
    role_resource,
    server_certificate,
)
from mamori.collect.aws.services.iam_report import (
    NEVER,
    CredentialReport,
    ReportNotReady,
    fetch_report,
    flag,
    key_slots,
    last_used,
    latest,
    plain,
    timestamp,
)
from mamori.model.resource import GLOBAL, Resource, ScanError
from mamori.model.resources.iam import (
    ACCESS_KEY,
    ACCOUNT,
    INLINE_POLICY,
    POLICY,
    ROLE,
    USER,
    IamAccessKey,
    IamAccount,
    IamUser,
)

# What IAM enforces when an account has no password policy of its own: 8 characters,
# three of four character classes (no single class required), no reuse prevention, no expiry.
_AWS_DEFAULT_PASSWORD_POLICY: dict[str, Any] = {"MinimumPasswordLength": 8}


@COLLECTORS.register("iam")
class IamCollector(AwsCollector):
    service = "iam"
    scope = "global"
    resource_types = (ACCOUNT, USER, ACCESS_KEY, POLICY, ROLE, INLINE_POLICY)

    report_first_poll: ClassVar[float] = 0.25
    """Seconds before re-asking whether the credential report is ready (doubles each time)."""
    report_max_wait: ClassVar[float] = 60.0
    """Longest wait for the credential report before its data is given up as unknown."""

    def collect(self, ctx: CollectContext, region: str) -> Iterator[Resource]:
        iam = ctx.client("iam")
        report = _guard(
            ctx,
            "GenerateCredentialReport",
            (ACCOUNT, USER),
            lambda: fetch_report(iam, first_poll=self.report_first_poll, max_wait=self.report_max_wait),
        )
        details = _guard(
            ctx, "GetAccountAuthorizationDetails", (USER, ROLE, POLICY, INLINE_POLICY), lambda: authorization_details(iam)
        )
        yield _account(ctx, iam, report, details)
        yield from _users(ctx, iam, report, details)
        if details is not MISSING:
            for policy in details["Policies"]:
                yield policy_resource(ctx, policy)
            for role in details["RoleDetailList"]:
                yield role_resource(ctx, role)
            yield from inline_policy_resources(ctx, details)


def _guard(
    ctx: CollectContext, operation: str, types: tuple[str, ...], fn: Callable[[], Any], resource_id: str = ""
) -> Any:
    """Run one source; on failure record a scope error for ``types`` (or a partial one for ``resource_id``)."""
    try:
        return fn()
    except (ClientError, BotoCoreError, ReportNotReady) as exc:
        if isinstance(exc, ReportNotReady):
            op, code = exc.operation, exc.code
        else:
            op = exc.operation_name if isinstance(exc, ClientError) else operation
            code = error_code(exc)
        ctx.record(
            ScanError(
                account=ctx.account,
                region=GLOBAL,
                service="iam",
                operation=op,
                code=code,
                message=error_message(exc),
                resource_types=types,
                resource_id=resource_id,
            )
        )
        return MISSING


# --- the account: root user and password policy ------------------------------------------


def _account(ctx: CollectContext, iam: Any, report: CredentialReport | Any, details: Any) -> Resource:
    rid = ctx.account
    summary = ctx.call(iam, "get_account_summary", region=GLOBAL, resource_type=ACCOUNT, resource_id=rid)
    policy = ctx.call(
        iam,
        "get_account_password_policy",
        region=GLOBAL,
        resource_type=ACCOUNT,
        resource_id=rid,
        absent=("NoSuchEntity",),
        absent_value={},
    )
    devices = _guard(
        ctx,
        "ListVirtualMFADevices",
        (ACCOUNT,),
        lambda: ctx.paginate(iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned"),
        resource_id=rid,
    )
    certificates = _guard(
        ctx,
        "ListServerCertificates",
        (ACCOUNT,),
        lambda: ctx.paginate(iam, "list_server_certificates", "ServerCertificateMetadataList"),
        resource_id=rid,
    )
    root = None if report is MISSING else report.root
    smap: dict[str, Any] = {} if summary is MISSING else summary.get("SummaryMap", {})
    slots = key_slots(root) if root is not None else None

    mfa = _count_flag(smap.get("AccountMFAEnabled"))
    if mfa is None and root is not None:
        mfa = flag(root.get("mfa_active"))
    keys_present = _count_flag(smap.get("AccountAccessKeysPresent"))
    if keys_present is None and slots is not None:
        keys_present = bool(slots)
    root_arn = f"arn:{ctx.partition}:iam::{rid}:root"
    virtual = None if devices is MISSING else any(_assigned_to(d, root_arn) for d in devices)
    if mfa is False:
        hardware: bool | None = False
    elif mfa is True and virtual is not None:
        hardware = not virtual
    else:
        hardware = None
    password_used = last_used(root.get("password_last_used")) if root is not None else None
    props: dict[str, Any] = {
        "root_mfa_enabled": mfa,
        "root_virtual_mfa": virtual if mfa is not False else False,
        "root_hardware_mfa": hardware,
        "root_access_keys_present": keys_present,
        "root_access_keys": slots,
        "root_password_last_used": password_used,
        "root_last_activity": (
            latest([password_used, *(s["last_used_date"] for s in slots)]) if slots is not None else None
        ),
        **_password_policy(policy),
        **(dict.fromkeys(("support_roles", "cloudshell_full_access")) if details is MISSING else managed_attachments(details)),
        "server_certificates": (
            None if certificates is MISSING else [server_certificate(c) for c in certificates]
        ),
    }
    return ctx.resource(IamAccount.of(props), GLOBAL, rid, arn=root_arn, name=rid)


def _count_flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _assigned_to(device: dict[str, Any], arn: str) -> bool:
    user = device.get("User") or {}
    return bool(user.get("Arn") == arn or str(device.get("SerialNumber", "")).endswith(":mfa/root-account-mfa-device"))


def _password_policy(resp: Any) -> dict[str, Any]:
    keys = (
        "password_policy_present",
        "password_minimum_length",
        "password_reuse_prevention",
        "password_require_symbols",
        "password_require_numbers",
        "password_require_uppercase",
        "password_require_lowercase",
        "password_max_age_days",
        "password_hard_expiry",
        "password_users_can_change",
    )
    if resp is MISSING:
        return dict.fromkeys(keys)
    present = bool(resp)
    p = resp.get("PasswordPolicy", {}) if present else _AWS_DEFAULT_PASSWORD_POLICY
    values = (
        present,
        int(p.get("MinimumPasswordLength", 0)),
        int(p.get("PasswordReusePrevention", 0)),
        bool(p.get("RequireSymbols", False)),
        bool(p.get("RequireNumbers", False)),
        bool(p.get("RequireUppercaseCharacters", False)),
        bool(p.get("RequireLowercaseCharacters", False)),
        int(p.get("MaxPasswordAge", 0)) if p.get("ExpirePasswords", "MaxPasswordAge" in p) else 0,
        bool(p.get("HardExpiry", False)),
        bool(p.get("AllowUsersToChangePassword", False)),
    )
    return dict(zip(keys, values, strict=True))


# --- users and their access keys ---------------------------------------------------------


def _users(ctx: CollectContext, iam: Any, report: CredentialReport | Any, details: Any) -> Iterator[Resource]:
    rows: dict[str, dict[str, str]] = {} if report is MISSING else report.users
    entries: list[tuple[str, dict[str, Any] | None]]
    if details is not MISSING:
        entries = [(u["UserName"], u) for u in details["UserDetailList"]]
    else:  # no authorization details: the users the report knows, without their policies
        entries = [(name, None) for name in rows]
    for name, detail in entries:
        row = rows.get(name)
        arn = (detail or {}).get("Arn") or (row or {}).get("arn", "")
        created = timestamp((detail or {}).get("CreateDate")) or timestamp((row or {}).get("user_creation_time"))
        creds = _credentials(ctx, iam, name, row, report is not MISSING, created)
        keys, summary = _access_keys(ctx, iam, name, arn, row)
        yield from keys
        props: dict[str, Any] = {
            "user_id": (detail or {}).get("UserId"),
            "path": (detail or {}).get("Path"),
            "created": created,
            **creds,
            "access_keys": summary,
            "active_access_keys": None if summary is None else sum(1 for k in summary if k["status"] == "Active"),
            "attached_policies": None,
            "inline_policies": None,
            "groups": None,
        }
        if detail is not None:
            props["attached_policies"] = [
                {"name": p.get("PolicyName"), "arn": p.get("PolicyArn")} for p in detail.get("AttachedManagedPolicies", [])
            ]
            props["inline_policies"] = [p.get("PolicyName") for p in detail.get("UserPolicyList", [])]
            props["groups"] = list(detail.get("GroupList", []))
        yield ctx.resource(IamUser.of(props), GLOBAL, name, arn=arn, name=name, tags=tags_of((detail or {}).get("Tags")))


def _credentials(
    ctx: CollectContext, iam: Any, name: str, row: dict[str, str] | None, report_ok: bool, created: str | None
) -> dict[str, Any]:
    """Console access, MFA and password use: from the report, or asked per user when the report predates them."""
    console: bool | None
    mfa: bool | None
    if row is not None:
        console = flag(row.get("password_enabled"))
        mfa = flag(row.get("mfa_active"))
        used = last_used(row.get("password_last_used"))
        changed = timestamp(row.get("password_last_changed")) or ""
    elif report_ok:
        kw: dict[str, Any] = {"region": GLOBAL, "resource_type": USER, "resource_id": name, "UserName": name}
        profile = ctx.call(iam, "get_login_profile", absent=("NoSuchEntity",), absent_value={}, **kw)
        devices = ctx.call(iam, "list_mfa_devices", **kw)
        user = ctx.call(iam, "get_user", **kw)
        console = None if profile is MISSING else bool(profile)
        changed = "" if profile is MISSING or not profile else timestamp(profile["LoginProfile"].get("CreateDate")) or ""
        mfa = None if devices is MISSING else bool(devices.get("MFADevices"))
        used = None if user is MISSING else timestamp(user["User"].get("PasswordLastUsed")) or NEVER
    else:
        console = mfa = used = changed = None
    if console is True and used is not None:
        unused_since = used if used != NEVER else (changed or created)
    else:
        unused_since = "" if console is False else None
    return {
        "console_access": console,
        "mfa_active": mfa,
        "password_last_used": used if console is not False else NEVER,
        "password_last_changed": changed,
        "password_unused_since": unused_since,
    }


def _access_keys(
    ctx: CollectContext, iam: Any, user: str, user_arn: str, row: dict[str, str] | None
) -> tuple[list[Resource], list[dict[str, Any]] | None]:
    """The user's keys as resources, and a summary of them for the user (``None`` if unknown)."""
    listed = ctx.call(iam, "list_access_keys", region=GLOBAL, resource_type=USER, resource_id=user, UserName=user)
    records: list[dict[str, Any]] = []
    if listed is MISSING:
        # No key ids: fall back to the report's key slots so that key ages are still checked.
        if row is None:
            return [], None
        for slot in key_slots(row):
            active = slot["active"]
            records.append(
                {
                    "id": f"{user}/access_key_{slot['slot']}",
                    "access_key_id": None,
                    "status": None if active is None else ("Active" if active else "Inactive"),
                    "created": slot["last_rotated"],
                    "last_used_date": slot["last_used_date"],
                    "last_used_service": slot["last_used_service"],
                    "last_used_region": slot["last_used_region"],
                }
            )
    else:
        for meta in listed.get("AccessKeyMetadata", []):
            kid = str(meta["AccessKeyId"])
            info = ctx.call(
                iam, "get_access_key_last_used", region=GLOBAL, resource_type=ACCESS_KEY, resource_id=kid, AccessKeyId=kid
            )
            known = info is not MISSING
            lu = info.get("AccessKeyLastUsed", {}) if known else {}
            records.append(
                {
                    "id": kid,
                    "access_key_id": kid,
                    "status": meta.get("Status"),
                    "created": timestamp(meta.get("CreateDate")),
                    "last_used_date": (timestamp(lu.get("LastUsedDate")) or NEVER) if known else None,
                    "last_used_service": plain(lu.get("ServiceName")) if known else None,
                    "last_used_region": plain(lu.get("Region")) if known else None,
                }
            )
    resources, summary = [], []
    for rec in records:
        used = rec["last_used_date"]
        unused_since = None if used is None else (rec["created"] if used == NEVER else used)
        props = {"user": user, "user_arn": user_arn, **{k: v for k, v in rec.items() if k != "id"}}
        props["last_rotated"] = rec["created"]
        props["unused_since"] = unused_since
        resources.append(ctx.resource(IamAccessKey.of(props), GLOBAL, rec["id"], name=rec["id"]))
        summary.append(
            {k: rec[k] for k in ("id", "status", "created", "last_used_date")} | {"unused_since": unused_since}
        )
    return resources, summary
