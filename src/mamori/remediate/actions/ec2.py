"""EC2: EBS default encryption per region; revoke world-open ingress on administration ports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from mamori.collect.aws.services.ec2_network import protocol
from mamori.model.resources.ec2 import REGION, SECURITY_GROUP
from mamori.remediate.action import Action, ActionContext, register
from mamori.remediate.actions._util import or_absent
from mamori.remediate.model import ApiCall, Proposal, Target

Family = Literal["ipv4", "ipv6"]
_FAMILIES: tuple[Family, ...] = ("ipv4", "ipv6")
WORLD = {"ipv4": ("IpRanges", "CidrIp", "0.0.0.0/0"), "ipv6": ("Ipv6Ranges", "CidrIpv6", "::/0")}


@register
class EbsDefaultEncryption(Action):
    name = "ec2_enable_ebs_default_encryption"
    title = "Turn on EBS encryption by default in the region"
    resource_type = REGION
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {"ec2_ebs_default_encryption_off": {}}
    permissions = ("ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault")

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        resp = ctx.client("ec2", target.region).get_ebs_encryption_by_default()
        return {"ebs_encryption_by_default": bool(resp.get("EbsEncryptionByDefault", False))}

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if state["ebs_encryption_by_default"]:
            return Proposal(state, state, summary="EBS default encryption is already on")
        call = self.call("ec2", "EnableEbsEncryptionByDefault", target.region, "ec2:EnableEbsEncryptionByDefault")
        return Proposal(state, {"ebs_encryption_by_default": True}, (call,), f"encrypt new EBS volumes in {target.region} by default")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        if prior["ebs_encryption_by_default"]:
            return []
        return [self.call("ec2", "DisableEbsEncryptionByDefault", target.region, "ec2:DisableEbsEncryptionByDefault")]


class IngressParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ports: list[int] = Field(default_factory=lambda: [22, 3389], min_length=1)
    """Administration ports: a world-open permission whose range covers one of them is revoked."""
    families: list[Family] = Field(default_factory=lambda: list(_FAMILIES), min_length=1)
    protocols: list[str] = Field(default_factory=lambda: ["tcp", "udp"])
    """Protocols whose port ranges are checked; "all traffic" permissions always count."""


def _world_ingress(perms: list[dict[str, Any]], families: list[Family]) -> list[dict[str, Any]]:
    """The permissions' world-open sources of these families only (0.0.0.0/0, ::/0), in AWS's shape, with descriptions.

    Reading only the families an action instance is about keeps the IPv4 and the IPv6
    change on one group independent of each other (each sees only what it changes).
    """
    out: list[dict[str, Any]] = []
    for p in perms:
        entry: dict[str, Any] = {"IpProtocol": str(p.get("IpProtocol", "-1"))}
        for k in ("FromPort", "ToPort"):
            if p.get(k) is not None:
                entry[k] = int(p[k])
        for key, field, cidr in (WORLD[f] for f in families):
            ranges = [r for r in p.get(key) or [] if r.get(field) == cidr]
            if ranges:
                entry[key] = [{field: cidr, **({"Description": r["Description"]} if r.get("Description") else {})} for r in ranges]
        if "IpRanges" in entry or "Ipv6Ranges" in entry:
            out.append(entry)
    return out


def _covers_admin_port(perm: Mapping[str, Any], ports: list[int], protocols: list[str]) -> bool:
    proto = protocol(perm.get("IpProtocol", "-1"))
    if proto == "all":
        return True
    if proto not in protocols:
        return False
    low, high = perm.get("FromPort"), perm.get("ToPort")
    if low is None or high is None:
        return True
    return any(int(low) <= p <= int(high) for p in ports)


@register
class RevokeWorldAdminIngress(Action):
    name = "ec2_revoke_world_admin_ingress"
    title = "Revoke security group ingress from 0.0.0.0/0 and ::/0 on administration ports"
    resource_type = SECURITY_GROUP
    rules: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "ec2_security_group_admin_port_open_ipv4": {"families": ["ipv4"]},
        "ec2_security_group_admin_port_open_ipv6": {"families": ["ipv6"]},
    }
    permissions = ("ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupIngress")
    Params = IngressParams
    from_rule_params: ClassVar[Mapping[str, str]] = {"ports": "admin_ports", "protocols": "protocols"}

    def read(self, ctx: ActionContext, target: Target, params: Any) -> dict[str, Any]:
        ec2 = ctx.client("ec2", target.region)
        resp = or_absent(lambda: ec2.describe_security_groups(GroupIds=[target.resource_id]), ("InvalidGroup.NotFound",))
        groups = [] if resp is None else resp.get("SecurityGroups") or []
        if not groups:
            return {"exists": False, "world_ingress": []}
        return {"exists": True, "world_ingress": _world_ingress(list(groups[0].get("IpPermissions") or []), params.families)}

    def _selected(self, state: Mapping[str, Any], params: IngressParams) -> tuple[list[dict[str, Any]], list[str]]:
        revoke: list[dict[str, Any]] = []
        labels: list[str] = []
        for perm in state["world_ingress"]:
            if not _covers_admin_port(perm, params.ports, list(params.protocols)):
                continue
            entry = {k: v for k, v in perm.items() if k in ("IpProtocol", "FromPort", "ToPort")}
            for fam in params.families:
                key, field, cidr = WORLD[fam]
                if perm.get(key):
                    entry[key] = [{field: cidr}]
                    ports = "all" if "FromPort" not in perm else (f"{perm['FromPort']}" if perm["FromPort"] == perm["ToPort"] else f"{perm['FromPort']}-{perm['ToPort']}")
                    labels.append(f"{protocol(perm['IpProtocol'])}/{ports} from {cidr}")
            if any(k in entry for k in ("IpRanges", "Ipv6Ranges")):
                revoke.append(entry)
        return revoke, labels

    def propose(self, target: Target, state: Mapping[str, Any], params: Any) -> Proposal:
        if not state["exists"]:
            return Proposal(state, state, summary="the security group no longer exists")
        revoke, labels = self._selected(state, params)
        if not revoke:
            return Proposal(state, state, summary="no world-open ingress on administration ports")
        remaining = []
        for perm in state["world_ingress"]:
            rest = dict(perm)
            for r in revoke:
                if all(r.get(k) == perm.get(k) for k in ("IpProtocol", "FromPort", "ToPort")):
                    for key in ("IpRanges", "Ipv6Ranges"):
                        if key in r:
                            rest.pop(key, None)
            if "IpRanges" in rest or "Ipv6Ranges" in rest:
                remaining.append(rest)
        call = self.call("ec2", "RevokeSecurityGroupIngress", target.region, "ec2:RevokeSecurityGroupIngress",
                         GroupId=target.resource_id, IpPermissions=revoke)  # fmt: skip
        return Proposal(state, {"exists": True, "world_ingress": remaining}, (call,), f"revoke {', '.join(labels)}")

    def rollback_calls(self, target: Target, prior: Mapping[str, Any], current: Mapping[str, Any], params: Any) -> list[ApiCall]:
        present = {repr(sorted(p.items())) for p in current.get("world_ingress", [])}
        back: list[dict[str, Any]] = []
        for perm in prior.get("world_ingress", []):
            if repr(sorted(perm.items())) in present:
                continue
            missing = dict(perm)
            cur: dict[str, Any] = next((c for c in current.get("world_ingress", []) if all(c.get(k) == perm.get(k) for k in ("IpProtocol", "FromPort", "ToPort"))), {})
            for key in ("IpRanges", "Ipv6Ranges"):
                if key in cur:
                    missing.pop(key, None)
            if "IpRanges" in missing or "Ipv6Ranges" in missing:
                back.append(missing)
        if not back:
            return []
        return [self.call("ec2", "AuthorizeSecurityGroupIngress", target.region, "ec2:AuthorizeSecurityGroupIngress",
                          GroupId=target.resource_id, IpPermissions=back)]  # fmt: skip
