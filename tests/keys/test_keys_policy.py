"""The lifecycle decision, as a table."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mamori.config.keys import KeyExemption, KeysConfig
from mamori.keys.inventory import ROOT, KeyRow
from mamori.keys.policy import Act, Stage, decide

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CFG = KeysConfig()


def row(age: int | None, status: str = "Active", *, user: str = "ci", key: str = "AKIAEXAMPLE000000001") -> KeyRow:
    return KeyRow("123456789012", user, key, key or f"{user}/access_key_1", status, "", age, "", "", "", None, None, "o@x")


@pytest.mark.parametrize(
    ("age", "status", "notices", "stage", "act", "notify"),
    [
        (10, "Active", {}, None, Act.NONE, False),
        (79, "Active", {}, None, Act.NONE, False),
        (80, "Active", {}, Stage.NOTIFY, Act.NOTIFY, True),
        (85, "Active", {Stage.NOTIFY: NOW}, Stage.NOTIFY, Act.NONE, False),
        (85, "Inactive", {}, Stage.NOTIFY, Act.NONE, False),
        (90, "Active", {Stage.NOTIFY: NOW}, Stage.DISABLE, Act.DISABLE, True),
        (95, "Active", {Stage.DISABLE: NOW}, Stage.DISABLE, Act.DISABLE, False),  # re-enabled: disabled again, not re-notified
        (100, "Inactive", {Stage.DISABLE: NOW}, Stage.DISABLE, Act.NONE, False),
        (125, "Active", {}, Stage.DISABLE, Act.DISABLE, True),  # past delete day but active: disable first
        (125, "Inactive", {Stage.DISABLE: NOW - timedelta(days=2)}, Stage.DELETE, Act.NONE, False),  # grace
        (125, "Inactive", {Stage.DISABLE: NOW - timedelta(days=7)}, Stage.DELETE, Act.DELETE, True),
        (125, "Inactive", {}, Stage.DELETE, Act.DELETE, True),  # disabled by someone else
    ],
)
def test_stages(age: int, status: str, notices: dict[Stage, datetime], stage: Stage | None, act: Act, notify: bool) -> None:
    d = decide(row(age, status), CFG, notices, NOW)
    assert (d.stage, d.act, d.notify) == (stage, act, notify), d.reason


def test_exempt_key_is_left_alone_until_the_exemption_expires() -> None:
    ex = KeyExemption(access_key_id="AKIAEXAMPLE000000001", reason="vendor appliance", approver="sec", expires=date(2026, 12, 31))
    cfg = KeysConfig(exemptions=[ex])
    d = decide(row(200), cfg, {Stage.DISABLE: NOW - timedelta(days=50)}, NOW)
    assert d.act is Act.NONE and "exempt until 2026-12-31" in d.reason
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert decide(row(200), cfg, {}, later).act is Act.DISABLE
    by_user = KeysConfig(exemptions=[KeyExemption(user="ci", account="123456789012", reason="batch", approver="sec", expires=date(2027, 1, 1))])
    assert decide(row(200), by_user, {}, NOW).act is Act.NONE
    other_account = KeysConfig(exemptions=[KeyExemption(user="ci", account="999999999999", reason="batch", approver="sec", expires=date(2027, 1, 1))])
    assert decide(row(200), other_account, {}, NOW).act is Act.DISABLE


def test_root_unknown_and_report_only_keys_are_never_acted_on() -> None:
    assert decide(row(300, user=ROOT, key=""), CFG, {}, NOW).act is Act.NONE
    assert "re-scan" in decide(row(300, key=""), CFG, {}, NOW).reason
    assert decide(row(None), CFG, {}, NOW).reason == "age or status unknown"
    assert decide(row(300, status=""), CFG, {}, NOW).act is Act.NONE


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="warn_days <= disable_days"):
        KeysConfig(warn_days=95, disable_days=90)
    with pytest.raises(ValueError, match="access_key_id or a user"):
        KeyExemption(reason="why", approver="a", expires=date(2027, 1, 1))
    assert KeyExemption(user="u", account=123, reason="why", approver="a", expires=date(2027, 1, 1)).account == "000000000123"  # type: ignore[arg-type]
