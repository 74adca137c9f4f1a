"""The lifecycle against moto and the store: dry run, apply, daily re-runs, exemptions, notifications."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mamori import audit
from mamori.config.keys import KeyExemption, KeysConfig
from mamori.demo import emulator
from mamori.findings import Store
from mamori.keys import notices
from mamori.keys.enforce import build_notifiers, enforce
from mamori.keys.inventory import ROOT, key_rows
from mamori.keys.owners import owner_resolver
from mamori.keys.policy import Act, Stage
from mamori.notify.channels import MemoryNotifier
from tests.awsutil import collect
from tests.remediate.conftest import ACCOUNT, Aws

CFG = KeysConfig(owners={"legacy": "legacy-owner@acme.example"}, default_owner="security@acme.example")


def _estate(aws: Aws) -> dict[str, str]:
    iam = aws.client("iam")
    keys: dict[str, str] = {}
    for user, age, tags in (("fresh", 10, []), ("warned", 82, [{"Key": "Owner", "Value": "warned@acme.example"}]),
                            ("old", 95, []), ("ancient", 130, []), ("legacy", 130, []), ("vendor", 200, [])):  # fmt: skip
        iam.create_user(UserName=user, Tags=tags)
        keys[user] = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
        assert emulator.backdate_access_key(ACCOUNT, user, 0, days=age)
    iam.update_access_key(UserName="ancient", AccessKeyId=keys["ancient"], Status="Inactive")  # disabled by a human long ago
    return keys


def _rows(aws: Aws, cfg: KeysConfig = CFG) -> list:
    inv = collect(aws.session, regions=("us-east-1",), services=["iam"]).inventory
    return key_rows(inv, owner_resolver(cfg), now=datetime.now(UTC))


def test_report_rows_come_from_the_iam_collector(aws: Aws) -> None:
    keys = _estate(aws)
    emulator.set_root(ACCOUNT, mfa=False, access_keys=True)
    rows = {r.user: r for r in _rows(aws)}
    assert rows["warned"].access_key_id == keys["warned"] and rows["warned"].age_days == 82
    assert rows["warned"].owner == "warned@acme.example"  # tag, case-insensitive
    assert rows["legacy"].owner == "legacy-owner@acme.example"  # mapping
    assert rows["old"].owner == "security@acme.example"  # default
    assert rows["ancient"].status == "Inactive" and rows["fresh"].last_used_date == "never"
    assert rows["fresh"].console_access is False


def test_dry_run_changes_nothing_and_records_nothing(aws: Aws, sqlite_store: Store) -> None:
    _estate(aws)
    rep = enforce(sqlite_store.engine, _rows(aws), CFG, apply=False, actor="t")
    res = {o.decision.row.user: o.result for o in rep.outcomes}
    assert res == {"fresh": "", "warned": "would notify", "old": "would disable and notify", "ancient": "would delete and notify",
                   "legacy": "would disable and notify", "vendor": "would disable and notify"}  # fmt: skip
    assert notices.load(sqlite_store.engine) == {} and audit.entries(sqlite_store.engine) == []
    assert all(k["Status"] == "Active" for k in aws.client("iam").list_access_keys(UserName="old")["AccessKeyMetadata"])


def test_apply_then_daily_reruns_are_idempotent(aws: Aws, store: Store) -> None:
    keys = _estate(aws)
    cfg = CFG.model_copy(update={"exemptions": [KeyExemption(user="vendor", reason="appliance", approver="sec", expires=date.today() + timedelta(days=30))]})
    outbox = MemoryNotifier()
    clients = aws.fresh_clients()
    rep = enforce(store.engine, _rows(aws, cfg), cfg, apply=True, actor="t", notifiers=[outbox], clients=clients, sleep=lambda s: None)
    res = {o.decision.row.user: o.result for o in rep.outcomes}
    assert res == {"fresh": "", "warned": "notified", "old": "disabled, owner notified", "ancient": "deleted, owner notified",
                   "legacy": "disabled, owner notified", "vendor": ""}  # fmt: skip
    assert sorted(clients.mutating()) == ["iam.DeleteAccessKey", "iam.UpdateAccessKey"]
    iam = aws.client("iam")
    assert iam.list_access_keys(UserName="old")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert iam.list_access_keys(UserName="ancient")["AccessKeyMetadata"] == []
    assert iam.list_access_keys(UserName="vendor")["AccessKeyMetadata"][0]["Status"] == "Active"
    sent = {n.data["user"]: (n.data["stage"], n.recipients) for n in outbox.sent}
    assert sent == {"warned": ("notify", ("warned@acme.example",)), "old": ("disable", ("security@acme.example",)),
                    "ancient": ("delete", ("security@acme.example",)), "legacy": ("disable", ("legacy-owner@acme.example",))}  # fmt: skip
    assert "disabled it today" in next(n for n in outbox.sent if n.data["user"] == "old").body
    stored = notices.load(store.engine)
    assert set(stored[(ACCOUNT, keys["warned"])]) == {Stage.NOTIFY}
    assert {e.subject for e in audit.entries(store.engine, action="keys.notify")} == {keys[u] for u in ("warned", "old", "ancient", "legacy")}
    honoured = audit.entries(store.engine, action="keys.exemption")
    assert [(e.subject, e.details["reason"], e.details["approver"]) for e in honoured] == [(keys["vendor"], "appliance", "sec")]
    # the next day: nothing new
    outbox.sent.clear()
    clients = aws.fresh_clients()
    again = enforce(store.engine, _rows(aws, cfg), cfg, apply=True, actor="t", notifiers=[outbox], clients=clients, sleep=lambda s: None)
    assert outbox.sent == [] and clients.mutating() == []
    assert {o.decision.row.user: o.result for o in again.outcomes if o.result} == {}
    # someone re-enables the old key and the exempt vendor key stays enabled: old is disabled again, not re-notified
    iam.update_access_key(UserName="old", AccessKeyId=keys["old"], Status="Active")
    clients = aws.fresh_clients()
    third = enforce(store.engine, _rows(aws, cfg), cfg, apply=True, actor="t", notifiers=[outbox], clients=clients, sleep=lambda s: None)
    assert {o.decision.row.user: o.result for o in third.outcomes if o.result} == {"old": "disabled"}
    assert outbox.sent == [] and iam.list_access_keys(UserName="old")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    assert audit.verify(store.engine).ok


def test_grace_period_after_mamoris_disable(aws: Aws, sqlite_store: Store) -> None:
    keys = _estate(aws)
    outbox = MemoryNotifier()
    enforce(sqlite_store.engine, _rows(aws), CFG, apply=True, actor="t", notifiers=[outbox], clients=aws.fresh_clients(), sleep=lambda s: None)
    # 'legacy' (130 days, active) was disabled today: not deleted tomorrow, deleted a week later
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    rows = key_rows(collect(aws.session, regions=("us-east-1",), services=["iam"]).inventory, owner_resolver(CFG), now=tomorrow)
    rep = enforce(sqlite_store.engine, rows, CFG, apply=True, actor="t", notifiers=[outbox], clients=aws.fresh_clients(), now=tomorrow, sleep=lambda s: None)
    legacy = next(o for o in rep.outcomes if o.decision.row.user == "legacy")
    assert legacy.result == "" and "deleted from" in legacy.decision.reason
    week = datetime.now(UTC) + timedelta(days=8)
    rows = key_rows(collect(aws.session, regions=("us-east-1",), services=["iam"]).inventory, owner_resolver(CFG), now=week)
    rep = enforce(sqlite_store.engine, rows, CFG, apply=True, actor="t", notifiers=[outbox], clients=aws.fresh_clients(), now=week, sleep=lambda s: None)
    assert {o.decision.row.user: o.result for o in rep.outcomes if o.result} == {
        "legacy": "deleted, owner notified", "vendor": "deleted, owner notified", "warned": "disabled, owner notified",
    }  # 'old' is 103 days now: inactive, deleted from day 120
    assert aws.client("iam").list_access_keys(UserName="legacy")["AccessKeyMetadata"] == []
    assert keys["legacy"] not in {k["AccessKeyId"] for k in aws.client("iam").list_access_keys(UserName="legacy")["AccessKeyMetadata"]}


class Failing:
    name = "broken"

    def send(self, notification: object) -> None:
        from mamori.notify import DeliveryError

        raise DeliveryError("down")


def test_undelivered_warning_is_retried_next_run(aws: Aws, sqlite_store: Store) -> None:
    _estate(aws)
    cfg = CFG
    rep = enforce(sqlite_store.engine, [r for r in _rows(aws) if r.user == "warned"], cfg, apply=True, actor="t", notifiers=[Failing()], clients=aws.fresh_clients())
    assert rep.outcomes[0].result.startswith("failed: notification not delivered") and rep.failed
    assert notices.load(sqlite_store.engine) == {}
    outbox = MemoryNotifier()
    rep = enforce(sqlite_store.engine, [r for r in _rows(aws) if r.user == "warned"], cfg, apply=True, actor="t", notifiers=[Failing(), outbox], clients=aws.fresh_clients())
    assert rep.outcomes[0].result == "notified" and len(outbox.sent) == 1
    outcome = audit.entries(sqlite_store.engine, action="keys.notify")[-1].details["outcome"]
    assert "broken: failed (down)" in outcome and "memory: sent" in outcome


def test_failed_disable_is_reported_and_retried(aws: Aws, sqlite_store: Store) -> None:
    from tests.awsutil import deny

    _estate(aws)
    deny(aws.session, "iam", "UpdateAccessKey")
    outbox = MemoryNotifier()
    rep = enforce(sqlite_store.engine, [r for r in _rows(aws) if r.user == "old"], CFG, apply=True, actor="t", notifiers=[outbox], clients=aws.fresh_clients(), sleep=lambda s: None)
    assert rep.outcomes[0].result.startswith("failed:") and "AccessDenied" in rep.outcomes[0].result
    assert outbox.sent == [] and notices.load(sqlite_store.engine) == {}


def test_notifier_config(aws: Aws) -> None:
    from mamori.config.hub import ChannelConfig
    from mamori.errors import ConfigError

    assert [n.name for n in build_notifiers(["log"], {})] == ["log"]
    chans = {"sec-hook": ChannelConfig(type="webhook", url="http://127.0.0.1:9/hook")}
    assert [n.name for n in build_notifiers(["log", "sec-hook"], chans)] == ["log", "webhook"]
    with pytest.raises(ConfigError, match=r"keys\.notify"):
        build_notifiers(["nope"], chans)


def test_root_keys_are_reported_not_touched(aws: Aws, sqlite_store: Store) -> None:
    _estate(aws)
    emulator.set_root(ACCOUNT, mfa=False, access_keys=True)
    assert emulator.add_root_to_credential_report(ACCOUNT, mfa=False, password_last_used_days=3, access_key_age_days=400)
    rows = _rows(aws)
    root = [r for r in rows if r.is_root]
    assert root and all(r.status == "Active" and not r.access_key_id for r in root)  # reported from the credential report
    clients = aws.fresh_clients()
    rep = enforce(sqlite_store.engine, rows, CFG, apply=True, actor="t", clients=clients, sleep=lambda s: None)
    by_ref = {o.decision.row.key_ref: o for o in rep.outcomes}
    for r in root:
        out = by_ref[r.key_ref]
        assert out.decision.act is Act.NONE and out.result == "" and not out.change_id
        assert "root" in out.decision.reason
    # enforce did act on the users' old keys in the same run, and never on the root user
    assert sorted(set(clients.mutating())) == ["iam.DeleteAccessKey", "iam.UpdateAccessKey"]
    assert not [e for e in audit.entries(sqlite_store.engine) if ROOT in str(e)]
