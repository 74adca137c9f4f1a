"""Owners, SLA due dates, routing and root-cause digests (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mamori.config.hub import NotificationsConfig, OwnersConfig, OwnerTagRule, SlaConfig
from mamori.hub.digest import build_groups, digests
from mamori.hub.owners import due_at, owner_of
from mamori.hub.routing import channels_for, route_all
from mamori.hub.view import enrich
from mamori.model import Finding, FindingStatus, Severity

T0 = datetime(2026, 1, 1, tzinfo=UTC)
OWNERS = OwnersConfig(
    default="security",
    accounts={"123456789012": "platform-sre"},
    tags=[OwnerTagRule(key="app", value="payments", owner="payments-dev"), OwnerTagRule(key="team")],
)


def f(n: int, *, sev: Severity = Severity.HIGH, rule: str = "CVE-1", rid: str = "i-1", account: str = "123456789012",
      source: str = "inspector", family: str = "inspector:PACKAGE_VULNERABILITY", status: FindingStatus = FindingStatus.NEW) -> Finding:  # fmt: skip
    return Finding(f"id-{n}", rule, rule, sev, status, "aws.ec2.instance", rid, "", account, "ap-northeast-1", {"family": family}, T0, T0, source=source)


def test_owner_precedence_tags_then_account_then_default() -> None:
    assert owner_of(OWNERS, "123456789012", {"app": "payments", "team": "web"}) == "payments-dev"
    assert owner_of(OWNERS, "123456789012", {"app": "payments-eu", "team": "web"}) == "web"  # exact values only
    assert owner_of(OWNERS, "123456789012", {}) == "platform-sre"
    assert owner_of(OWNERS, "999999999999", {"team": ""}) == "security"


def test_sla_defaults_and_overdue() -> None:
    sla = SlaConfig()
    assert [sla.days(s) for s in Severity] == [7, 30, 90, 180, None]
    assert due_at(sla, Severity.CRITICAL, T0) == T0 + timedelta(days=7)
    assert due_at(SlaConfig(high=3), Severity.HIGH, T0) == T0 + timedelta(days=3)
    rows = enrich(
        [f(1, sev=Severity.CRITICAL), f(2, sev=Severity.LOW), f(3, sev=Severity.CRITICAL, status=FindingStatus.SUPPRESSED), f(4, sev=Severity.INFORMATIONAL)],
        {"id-1": {"tags": {"team": "web"}}}, OWNERS, sla, T0 + timedelta(days=8),
    )  # fmt: skip
    assert [h.overdue for h in rows] == [True, False, False, False]
    assert rows[0].owner == "web" and rows[0].to_dict()["due_at"] == "2026-01-08T00:00:00+00:00" and rows[3].due_at is None


def test_one_ami_with_1200_cves_is_one_message() -> None:
    findings = [f(i, rule=f"CVE-2017-{i:04d}", rid=f"i-{i % 40}", sev=Severity.CRITICAL if i < 12 else Severity.HIGH) for i in range(1200)]
    hub = enrich(findings, {x.id: {"root_cause": "ami-0c1a2017deadbeef0"} for x in findings}, OWNERS, SlaConfig(), T0)
    other = enrich([f(5000, rid="i-9", family="guardduty:Recon")], {}, OWNERS, SlaConfig(), T0)
    groups = build_groups(hub + other)
    assert len(groups) == 2
    g = groups[0]
    assert (g.root, g.count, g.resources, g.severity, g.by_severity) == ("ami-0c1a2017deadbeef0", 1200, 40, Severity.CRITICAL, {"critical": 12, "high": 1188})
    [msg] = digests(groups[:1])
    assert "ami-0c1a2017deadbeef0" in msg.subject and "1,200 findings" in msg.subject
    assert len(msg.about) == 1200 and msg.kind == "digest" and msg.severity is Severity.CRITICAL
    assert len(msg.data["groups"][0]["finding_ids"]) == 50  # the payload carries a sample; `about` has them all
    many = digests(groups, per_message=1)
    assert len(many) == 2 and many[0].dedup_key != many[1].dedup_key


def test_default_grouping_is_rule_and_resource() -> None:
    rows = enrich([f(1, family="", rule="s3_public", rid="a"), f(2, family="", rule="s3_public", rid="b"), f(3, family="", rule="s3_public", rid="a")], {}, OWNERS, SlaConfig(), T0)
    # the same resource id in the same account/region is one group; another resource another
    assert sorted(g.count for g in build_groups(rows)) == [1, 2]


def test_routing_by_severity_account_rule_owner_source() -> None:
    cfg = NotificationsConfig.model_validate(
        {
            "channels": {"sec": {"type": "memory"}, "sre": {"type": "memory"}, "gd": {"type": "memory"}, "pay": {"type": "memory"}},
            "routes": [
                {"channels": ["sec"], "min_severity": "high"},
                {"channels": ["sre"], "accounts": ["123456789012"], "rules": ["CVE-1"]},
                {"channels": ["gd"], "sources": ["guardduty"]},
                {"channels": ["pay"], "owners": ["payments-dev"], "severities": ["medium"]},
            ],
        }
    )
    rows = enrich(
        [f(1), f(2, sev=Severity.LOW, account="999999999999"), f(3, sev=Severity.MEDIUM, source="guardduty", rule="X"), f(4, sev=Severity.MEDIUM, rule="Y")],
        {"id-4": {"tags": {"app": "payments"}}}, OWNERS, SlaConfig(), T0,
    )  # fmt: skip
    assert [channels_for(cfg, h) for h in rows] == [{"sec", "sre"}, set(), {"gd"}, {"pay"}]
    routed = route_all(cfg, rows)
    assert {k: [h.finding.id for h in v] for k, v in routed.items()} == {"sec": ["id-1"], "sre": ["id-1"], "gd": ["id-3"], "pay": ["id-4"]}
    everything = NotificationsConfig.model_validate({"channels": {"a": {"type": "memory"}}})
    assert all(channels_for(everything, h) == {"a"} for h in rows)


def test_unknown_channel_in_a_route_is_a_config_error() -> None:
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError, match="unknown channel 'nope'"):
        NotificationsConfig.model_validate({"channels": {}, "routes": [{"channels": ["nope"]}]})
    with pytest.raises(pydantic.ValidationError, match="needs url or url_env"):
        NotificationsConfig.model_validate({"channels": {"s": {"type": "slack"}}})


