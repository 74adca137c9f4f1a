"""The accounts of an AWS Organization, as scan targets: `mamori scan --org`.

Listed from the management account or a delegated administrator with
``organizations:ListAccounts`` (and ``ListChildren`` for OU filters). The caller's own
account is scanned directly with the caller's credentials; every other ACTIVE account
through ``arn:aws:iam::<id>:role/<role_name>`` (``OrganizationAccountAccessRole`` by
default, the role AWS creates in accounts made by the organization). SUSPENDED, closed or
pending accounts are skipped, each with a reason. Nothing here changes anything.

``OrgPlan.org_account_ids`` is the whole organization (any status, no filter): an account
missing from it has left the organization (its findings are closed as "account removed").
"""

from __future__ import annotations

import dataclasses
import re
import reprlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.session import DEFAULT_HOME_REGION, AwsTarget
from mamori.errors import CollectionError, ScopeError

DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
ACCOUNT_ID = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")
ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,64}$")
MAX_OU_DEPTH = 8  # AWS allows 5 levels below the root
MAX_ACCOUNTS = 100_000


@dataclass(frozen=True)
class SkippedAccount:
    id: str
    name: str
    status: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass
class OrgPlan:
    """What an organization scan covers: targets (the caller's own account first) and what is skipped."""

    targets: list[AwsTarget]
    skipped: list[SkippedAccount]
    management_account_id: str
    organization_id: str
    org_account_ids: list[str]  # every account of the organization, any status, before filters
    caller_account_id: str = ""
    names: dict[str, str] = field(default_factory=dict)  # account id -> name
    filtered: bool = False  # --accounts / --exclude-accounts / --ou narrowed the scan

    @property
    def target_accounts(self) -> list[str]:
        return [account_of(t, self.caller_account_id) for t in self.targets]

    @property
    def active_account_ids(self) -> list[str]:
        skipped = {s.id for s in self.skipped if s.reason.startswith("status")}
        return [a for a in self.org_account_ids if a not in skipped]


def account_of(target: AwsTarget, caller: str) -> str:
    """The account a target scans: the role's account, else the caller's."""
    if target.role_arn:
        parts = target.role_arn.split(":")
        if len(parts) > 4 and parts[4]:
            return parts[4]
    return caller


def parse_account_ids(values: Iterable[str], what: str = "--accounts") -> tuple[str, ...]:
    """12-digit account ids (comma-separated values allowed); anything else is a ScopeError."""
    return _parse_ids(values, ACCOUNT_ID, lambda p: f"{what}: {_shown(p, 40)} is not a 12-digit AWS account id")


def parse_ou_ids(values: Iterable[str]) -> tuple[str, ...]:
    return _parse_ids(
        values, OU_ID, lambda p: f"--ou: {_shown(p, 60)} is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)"
    )


def _shown(value: str, width: int) -> str:
    """The value's repr cut to ``width`` characters: escapes (``\\U0010ffff``) cannot lengthen the message."""
    r = reprlib.Repr()
    r.maxstring = width
    return r.repr(value)


def _parse_ids(values: Iterable[str], pattern: re.Pattern[str], bad: Callable[[str], str]) -> tuple[str, ...]:
    """Comma-separated ids, deduplicated in order; the first that does not match ``pattern`` is a ScopeError."""
    out: list[str] = []
    for v in values:
        for part in str(v).split(","):
            p = part.strip()
            if not p:
                continue
            if not pattern.match(p):
                raise ScopeError(bad(p))
            if p not in out:
                out.append(p)
    return tuple(out)


def _session(s: boto3.Session | Callable[[], boto3.Session]) -> boto3.Session:
    return s if isinstance(s, boto3.Session) else s()


def _status(acct: dict[str, Any]) -> str:
    """ACTIVE / SUSPENDED / PENDING_CLOSURE / CLOSED ...: ``State`` (newer API) wins over ``Status``."""
    return str(acct.get("State") or acct.get("Status") or "UNKNOWN").upper()


def list_org_accounts(
    session_factory_or_session: boto3.Session | Callable[[], boto3.Session],
    *,
    role_name: str = DEFAULT_ROLE_NAME,
    external_id: str | None = None,
    accounts: Iterable[str] = (),
    exclude_accounts: Iterable[str] = (),
    ous: Iterable[str] = (),
    endpoint_url: str | None = None,
    base: AwsTarget | None = None,
) -> OrgPlan:
    """List the organization's accounts and turn the ACTIVE ones into scan targets.

    ``base`` carries the rest of each target (profile, regions, workers, home region);
    by default ``AwsTarget(endpoint_url=endpoint_url)``. Raises CollectionError when the
    caller cannot list the organization (not its management or delegated admin account).
    """
    if not ROLE_NAME.match(role_name):
        raise ScopeError(f"--role-name: {role_name[:80]!r} is not an IAM role name")
    wanted = parse_account_ids(accounts, "--accounts")
    excluded = set(parse_account_ids(exclude_accounts, "--exclude-accounts"))
    ou_ids = parse_ou_ids(ous)
    base = base or AwsTarget(endpoint_url=endpoint_url)
    if endpoint_url is not None and base.endpoint_url != endpoint_url:
        base = dataclasses.replace(base, endpoint_url=endpoint_url)
    region = base.home_region or DEFAULT_HOME_REGION
    session = _session(session_factory_or_session)
    try:
        sts = session.client("sts", region_name=region, endpoint_url=base.endpoint_url)
        caller = str(sts.get_caller_identity()["Account"])
        org = session.client("organizations", region_name=region, endpoint_url=base.endpoint_url)
        desc = org.describe_organization()["Organization"]
        listed: list[dict[str, Any]] = []
        for page in org.get_paginator("list_accounts").paginate():
            listed.extend(page.get("Accounts", []))
            if len(listed) > MAX_ACCOUNTS:
                raise CollectionError(f"the organization lists more than {MAX_ACCOUNTS} accounts")
        in_ous = _accounts_under(org, ou_ids) if ou_ids else None
    except (ClientError, BotoCoreError) as exc:
        raise CollectionError(
            f"cannot list the organization's accounts (run from the management account or a delegated "
            f"administrator with organizations:ListAccounts): {exc}"
        ) from exc
    names = {str(a["Id"]): str(a.get("Name", "")) for a in listed}
    all_ids = sorted(names)
    unknown = [a for a in wanted if a not in names]
    skipped: list[SkippedAccount] = [SkippedAccount(a, "", "", "not in the organization") for a in unknown]
    selected: list[str] = []
    by_id = {str(a["Id"]): a for a in listed}
    for acct_id in all_ids:
        acct = by_id[acct_id]
        status = _status(acct)
        if wanted and acct_id not in wanted:
            continue
        if acct_id in excluded:
            skipped.append(SkippedAccount(acct_id, names[acct_id], status, "excluded (--exclude-accounts)"))
            continue
        if in_ous is not None and acct_id not in in_ous:
            continue
        if status != "ACTIVE":
            skipped.append(SkippedAccount(acct_id, names[acct_id], status, f"status {status}: not scanned"))
            continue
        selected.append(acct_id)
    targets: list[AwsTarget] = []
    if caller in selected:  # the caller's own account first, with the caller's credentials
        targets.append(dataclasses.replace(base, role_arn=None, external_id=None))
    for acct_id in selected:
        if acct_id == caller:
            continue
        arn = f"arn:aws:iam::{acct_id}:role/{role_name}"
        targets.append(dataclasses.replace(base, role_arn=arn, external_id=external_id))
    return OrgPlan(
        targets=targets,
        skipped=skipped,
        management_account_id=str(desc.get("MasterAccountId", "")),
        organization_id=str(desc.get("Id", "")),
        org_account_ids=all_ids,
        caller_account_id=caller,
        names=names,
        filtered=bool(wanted or excluded or ou_ids),
    )


def _accounts_under(org: Any, ou_ids: tuple[str, ...]) -> set[str]:
    """Accounts in these OUs (or roots) and every OU below them."""
    out: set[str] = set()
    seen: set[str] = set()
    frontier = [(o, 0) for o in ou_ids]
    while frontier:
        parent, depth = frontier.pop()
        if parent in seen:
            continue
        seen.add(parent)
        for page in org.get_paginator("list_children").paginate(ParentId=parent, ChildType="ACCOUNT"):
            out.update(str(c["Id"]) for c in page.get("Children", []))
        if depth < MAX_OU_DEPTH:
            for page in org.get_paginator("list_children").paginate(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT"):
                frontier.extend((str(c["Id"]), depth + 1) for c in page.get("Children", []))
    return out
