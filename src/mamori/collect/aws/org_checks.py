"""The organization as a whole (``aws.organizations.organization``), for checks across accounts.

Built once per `--org` scan, after every account: from the caller's session (management or
delegated administrator account) and the small per-account facts each account's scan kept
(:func:`account_facts`: GuardDuty administrator and Config recording per Region). Each
property that could not be read is ``None`` and the rule reading it reports UNKNOWN, never
PASS (moto, for one, does not implement every call used here).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from mamori.collect.aws.base import error_code, error_message
from mamori.model.resource import GLOBAL, Inventory, Resource, ScanError
from mamori.model.resources.config import REGION as CONFIG_REGION
from mamori.model.resources.guardduty import REGION as GD_REGION
from mamori.model.resources.organizations import ORGANIZATION, Organization

SECURITY_SERVICES: dict[str, tuple[str, ...]] = {
    "guardduty": ("guardduty.amazonaws.com",),
    "securityhub": ("securityhub.amazonaws.com",),
    "detective": ("detective.amazonaws.com",),
    # aggregators use config.amazonaws.com, conformance packs config-multiaccountsetup
    "config": ("config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"),
}
ORG_LEVEL_TYPES = (ORGANIZATION,)  # resource types built here, not by a per-account collector
_UNSUPPORTED = ("InvalidInputException", "UnsupportedAPIEndpointException")


@dataclass
class AccountFacts:
    """What the org checks need from one account's scan (kept when its inventory is dropped).

    ``guardduty``: region -> administrator account id ("" = enabled, no administrator;
    None = unknown); absent region = GuardDuty not enabled there. ``config``: region ->
    recording (None = unknown)."""

    account: str
    guardduty: dict[str, str | None] = field(default_factory=dict)
    guardduty_off: list[str] = field(default_factory=list)
    config: dict[str, bool | None] = field(default_factory=dict)
    complete: bool = True  # False: the account's GuardDuty/Config scopes were not (all) collected

    def to_dict(self) -> dict[str, Any]:
        return {"account": self.account, "guardduty": dict(self.guardduty), "guardduty_off": list(self.guardduty_off),
                "config": dict(self.config), "complete": self.complete}  # fmt: skip

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> AccountFacts:
        return cls(
            str(d["account"]), {str(k): (None if v is None else str(v)) for k, v in dict(d.get("guardduty") or {}).items()},
            [str(r) for r in d.get("guardduty_off") or ()],
            {str(k): (None if v is None else bool(v)) for k, v in dict(d.get("config") or {}).items()},
            bool(d.get("complete", False)),
        )  # fmt: skip


def join_facts(account: str, regions: Sequence[str], by_region: Mapping[str, AccountFacts | None]) -> AccountFacts:
    """One account's facts from its regional shards' (`scan --broker`), as :func:`account_facts` over
    every region gives them; a region without facts (its shard failed) leaves the account incomplete."""
    out = AccountFacts(account)
    for region in regions:
        f = by_region.get(region)
        if f is None:
            out.complete = False
            continue
        out.complete = out.complete and f.complete
        out.guardduty.update(f.guardduty)
        out.guardduty_off.extend(f.guardduty_off)
        out.config.update(f.config)
    return out


def account_facts(inv: Inventory, account: str, regions: list[str], client: Callable[[str, str], Any] | None) -> AccountFacts:
    # ``client(service, region)``: the account's clients (CollectContext.client), None = no more calls
    """GuardDuty membership and Config recording of one account, from its inventory (+1 call per enabled detector)."""
    facts = AccountFacts(account)
    for region in regions:
        if not (inv.is_clean(account, region, GD_REGION) and inv.is_clean(account, region, CONFIG_REGION)):
            facts.complete = False
        gd = inv.get(GD_REGION, account, region, region)
        if gd is None or gd.properties.get("enabled") is None:
            facts.complete = False
        elif gd.properties.get("enabled") is False:
            facts.guardduty_off.append(region)
        else:
            facts.guardduty[region] = _gd_admin(client, region, str(gd.properties.get("detector_id") or ""))
        cfg = inv.get(CONFIG_REGION, account, region, region)
        facts.config[region] = None if cfg is None else cfg.properties.get("recording")
    return facts


def _gd_admin(client: Callable[[str, str], Any] | None, region: str, detector: str) -> str | None:
    if client is None or not detector:
        return None
    try:
        resp = client("guardduty", region).get_administrator_account(DetectorId=detector)
    except (ClientError, BotoCoreError):
        return None
    admin = resp.get("Administrator") or {}
    return str(admin.get("AccountId") or "")


def organization_data(
    session: boto3.Session, *, endpoint_url: str | None, region: str, management_account_id: str,
    session_for: Callable[[str], boto3.Session | None] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """What the caller's account says of the organization (delegated administrators, organization
    trails, the Config aggregator), JSON-able: the part of the org checks that needs no account's scan.

    `scan --org` reads it after the accounts; `scan --org --broker` once when planning, and the
    finaliser joins it with the shards' :class:`AccountFacts` (:func:`organization_from`)."""
    errors: list[ScanError] = []

    def client(svc: str, sess: boto3.Session | None = None) -> Any:
        return (sess or session).client(svc, region_name=region, endpoint_url=endpoint_url)

    admins: dict[str, list[str] | None] = {}
    try:
        org = client("organizations")
        for svc, principals in SECURITY_SERVICES.items():
            admins[svc] = _delegated(org, principals)
    except (ClientError, BotoCoreError) as exc:  # cannot list at all: every admin unknown
        admins = dict.fromkeys(SECURITY_SERVICES)
        errors.append(_err(management_account_id, "organizations", "ListDelegatedAdministrators", exc))
    org_trails: list[str] | None = None
    try:
        trails = client("cloudtrail").describe_trails(includeShadowTrails=True).get("trailList", [])
        org_trails = sorted(str(t.get("Name", "")) for t in trails if t.get("IsOrganizationTrail"))
    except (ClientError, BotoCoreError) as exc:
        errors.append(_err(management_account_id, "cloudtrail", "DescribeTrails", exc))
    return {
        "delegated_admins": admins,
        "organization_trail_names": org_trails,
        "config_aggregator": _org_aggregator(client, admins, management_account_id, session_for),
        "errors": [e.to_dict() for e in errors],
    }


def organization_from(
    data: Mapping[str, Any], *, organization_id: str, management_account_id: str, active_accounts: list[str],
    facts: Mapping[str, AccountFacts],
) -> Inventory:  # fmt: skip
    """The organization resource of :func:`organization_data` and the accounts' facts (no API call)."""
    props: dict[str, Any] = {
        "organization_id": organization_id,
        "management_account_id": management_account_id,
        "active_accounts": sorted(active_accounts),
    }
    admins: dict[str, list[str] | None] = {k: (None if v is None else list(v)) for k, v in data["delegated_admins"].items()}
    props["delegated_admins"] = admins
    known = {k: v for k, v in admins.items() if v is not None}
    ids = {a for v in known.values() for a in v}
    split = any(len(v) != 1 for v in known.values()) or len(ids) > 1
    if split:
        props["security_admins_consistent"] = False
    elif len(known) == len(admins):
        props["security_admins_consistent"] = True
    props["security_admin_account_id"] = next(iter(ids)) if len(ids) == 1 else ("" if split else None)
    if management_account_id in ids:
        props["security_admin_is_management"] = True
    elif len(known) == len(admins):
        props["security_admin_is_management"] = False
    gd = admins.get("guardduty")
    if gd is not None:
        props["guardduty_admin_account_id"] = gd[0] if len(gd) == 1 else (management_account_id if not gd else "")
    org_trails = data.get("organization_trail_names")
    if org_trails is not None:
        props["organization_trail"] = bool(org_trails)
        props["organization_trail_names"] = list(org_trails)
    props["guardduty_uncovered_accounts"] = _gd_uncovered(active_accounts, facts, props.get("guardduty_admin_account_id"))
    props["config_aggregator"] = data.get("config_aggregator")
    props["config_uncovered_accounts"] = _config_uncovered(active_accounts, facts)
    inv = Inventory(source=f"aws-org:{organization_id}")
    res = Resource(
        provider="aws", account=management_account_id, region=GLOBAL, type=ORGANIZATION, id=organization_id,
        arn=f"arn:aws:organizations::{management_account_id}:organization/{organization_id}",
        name=organization_id, properties=Organization.of(props).to_properties(),
    )  # fmt: skip
    inv.add(res)
    inv.cover(management_account_id, GLOBAL, (ORGANIZATION,))
    for e in data.get("errors", ()):  # partial: the resource stays; the unread properties are None (UNKNOWN)
        inv.add_error(ScanError.from_dict(e))
    return inv


def _delegated(org: Any, principals: tuple[str, ...]) -> list[str] | None:
    """The delegated administrators of one service; None when no principal of it is recognised
    (moto knows guardduty and config-multiaccountsetup only)."""
    got: set[str] | None = None
    for p in principals:
        try:
            for page in org.get_paginator("list_delegated_administrators").paginate(ServicePrincipal=p):
                got = (got or set()) | {str(a["Id"]) for a in page.get("DelegatedAdministrators", [])}
        except ClientError as exc:
            if error_code(exc) not in _UNSUPPORTED:
                raise
    return None if got is None else sorted(got)


def _err(account: str, service: str, op: str, exc: BaseException) -> ScanError:
    return ScanError(account, GLOBAL, service, op, error_code(exc), error_message(exc), (ORGANIZATION,), resource_id="org")


def _gd_uncovered(active: list[str], facts: Mapping[str, AccountFacts], admin: Any) -> list[str] | None:
    if not admin:
        return None
    out: list[str] = []
    for acct in active:
        f = facts.get(acct)
        if f is None or not f.complete:
            return None  # an account not scanned (or not fully): coverage unknown
        if f.guardduty_off:
            out.append(acct)
            continue
        if acct == admin:
            continue
        if any(v is None for v in f.guardduty.values()):
            return None
        if any(v != admin for v in f.guardduty.values()):
            out.append(acct)
    return sorted(out)


def _config_uncovered(active: list[str], facts: Mapping[str, AccountFacts]) -> list[str] | None:
    out: list[str] = []
    for acct in active:
        f = facts.get(acct)
        if f is None or not f.complete or any(v is None for v in f.config.values()):
            return None
        if not all(f.config.values()):
            out.append(acct)
    return sorted(out)


def _org_aggregator(
    client: Callable[..., Any], admins: dict[str, list[str] | None], management: str,
    session_for: Callable[[str], boto3.Session | None] | None,
) -> bool | None:  # fmt: skip
    """An aggregator with an organization source in the Config administrator (or management) account."""
    owner = admins.get("config") or [management]
    sess = None
    if owner[0] != management and session_for is not None:
        sess = session_for(owner[0])
        if sess is None:
            return None
    try:
        aggs = client("config", sess).describe_configuration_aggregators().get("ConfigurationAggregators", [])
    except (ClientError, BotoCoreError):
        return None
    return any(a.get("OrganizationAggregationSource") for a in aggs)
