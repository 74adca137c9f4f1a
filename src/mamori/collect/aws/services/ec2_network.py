"""Security group permissions and network ACL entries in one flat, rule-friendly shape.

Every permission or entry becomes one dict per source with ``protocol`` ("all", "tcp",
"udp", "icmp", "icmpv6" or the IANA number AWS gave), an inclusive port range (all
ports: 0-65535; ICMP keeps AWS's type/code numbers), ``cidr``, ``ipv6`` and
``open_to_world`` (the source is 0.0.0.0/0 or ::/0).
"""

from __future__ import annotations

from typing import Any

WORLD_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
_PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_ALL_PORTS = (0, 65535)


def protocol(value: Any) -> str:
    p = str(value).lower()
    return _PROTOCOLS.get(p, p)


def _ports(proto: str, low: Any, high: Any) -> tuple[int, int]:
    if proto == "all":
        return _ALL_PORTS
    if proto in ("tcp", "udp"):
        if low is None or high is None:
            return _ALL_PORTS
        return int(low), int(high)
    return (-1 if low is None else int(low)), (-1 if high is None else int(high))


def sg_permissions(perms: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """DescribeSecurityGroups ``IpPermissions`` / ``IpPermissionsEgress``, one entry per source."""
    out: list[dict[str, Any]] = []
    for perm in perms or []:
        proto = protocol(perm.get("IpProtocol", "-1"))
        low, high = _ports(proto, perm.get("FromPort"), perm.get("ToPort"))
        base = {"protocol": proto, "from_port": low, "to_port": high}
        sources: list[tuple[str, bool, str, str, Any]] = [
            *((str(r.get("CidrIp", "")), False, "", "", r.get("Description")) for r in perm.get("IpRanges") or []),
            *((str(r.get("CidrIpv6", "")), True, "", "", r.get("Description")) for r in perm.get("Ipv6Ranges") or []),
            *(("", False, str(g.get("GroupId", "")), "", g.get("Description")) for g in perm.get("UserIdGroupPairs") or []),
            *(("", False, "", str(p.get("PrefixListId", "")), p.get("Description")) for p in perm.get("PrefixListIds") or []),
        ]
        for cidr, ipv6, group, prefix_list, desc in sources:
            out.append(
                base | {
                    "cidr": cidr,
                    "ipv6": ipv6,
                    "open_to_world": cidr in WORLD_CIDRS,
                    "source_group": group,
                    "prefix_list": prefix_list,
                    "description": str(desc or ""),
                }
            )  # fmt: skip
    return out


def acl_entries(entries: list[dict[str, Any]] | None, *, egress: bool) -> list[dict[str, Any]]:
    """DescribeNetworkAcls ``Entries`` of one direction, in evaluation order (lowest rule number first)."""
    out: list[dict[str, Any]] = []
    for e in entries or []:
        if bool(e.get("Egress")) != egress:
            continue
        proto = protocol(e.get("Protocol", "-1"))
        rng = e.get("PortRange") or {}
        low, high = _ports(proto, rng.get("From"), rng.get("To"))
        ipv6 = "Ipv6CidrBlock" in e
        cidr = str(e.get("Ipv6CidrBlock") if ipv6 else e.get("CidrBlock", ""))
        out.append(
            {
                "rule_number": int(e.get("RuleNumber", 0)),
                "action": str(e.get("RuleAction", "")),
                "protocol": proto,
                "from_port": low,
                "to_port": high,
                "cidr": cidr,
                "ipv6": ipv6,
                "open_to_world": cidr in WORLD_CIDRS,
            }
        )
    return sorted(out, key=lambda x: x["rule_number"])
