"""Security group permissions and network ACL entries in their flat shape."""

from __future__ import annotations

from mamori.collect.aws.services.ec2_network import acl_entries, protocol, sg_permissions


def test_protocol_names() -> None:
    assert [protocol(p) for p in ("-1", "6", "17", "1", "58", "TCP", "50")] == ["all", "tcp", "udp", "icmp", "icmpv6", "tcp", "50"]


def test_sg_permissions_one_entry_per_source() -> None:
    perms = [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "all v6"}],
            "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "111122223333"}],
            "PrefixListIds": [{"PrefixListId": "pl-1"}],
        },
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},  # no ports given: all of them
    ]
    out = sg_permissions(perms)
    assert [(e["protocol"], e["from_port"], e["to_port"]) for e in out] == [
        ("all", 0, 65535), ("all", 0, 65535), ("all", 0, 65535), ("all", 0, 65535), ("icmp", 8, -1), ("tcp", 0, 65535)
    ]  # fmt: skip
    assert [(e["cidr"], e["ipv6"], e["open_to_world"]) for e in out[:2]] == [("0.0.0.0/0", False, True), ("::/0", True, True)]
    assert out[1]["description"] == "all v6"
    assert (out[2]["source_group"], out[2]["cidr"], out[2]["open_to_world"]) == ("sg-1", "", False)
    assert out[3]["prefix_list"] == "pl-1"
    assert sg_permissions(None) == [] and sg_permissions([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}]) == []


def test_acl_entries_split_by_direction_in_rule_order() -> None:
    entries = [
        {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0",
         "PortRange": {"From": 22, "To": 22}},
        {"RuleNumber": 101, "Protocol": "6", "RuleAction": "allow", "Egress": False, "Ipv6CidrBlock": "::/0",
         "PortRange": {"From": 3389, "To": 3389}},
        {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": True, "CidrBlock": "0.0.0.0/0"},
    ]  # fmt: skip
    ingress = acl_entries(entries, egress=False)
    assert [(e["rule_number"], e["protocol"], e["from_port"], e["to_port"], e["cidr"], e["ipv6"]) for e in ingress] == [
        (100, "tcp", 22, 22, "0.0.0.0/0", False), (101, "tcp", 3389, 3389, "::/0", True), (32767, "all", 0, 65535, "0.0.0.0/0", False)
    ]  # fmt: skip
    assert all(e["open_to_world"] for e in ingress)
    assert [e["action"] for e in acl_entries(entries, egress=True)] == ["allow"]
