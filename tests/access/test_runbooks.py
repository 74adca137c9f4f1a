"""Runbooks: reviewer != author, the approved hash only, only under an active grant, each step audited."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori import audit
from mamori.access import runbooks, service
from mamori.access.model import AccessRefused
from mamori.access.runbook import parse
from mamori.access.service import NewRequest
from mamori.collect.aws.session import AwsTarget
from mamori.config.access import AccessConfig
from mamori.errors import InputError
from mamori.findings import Store
from mamori.remediate.clients import Clients
from tests.access.conftest import ACCOUNT, RUNBOOK, T0, IdentityCenter


def _setup(store: Store, cfg: AccessConfig, ic: IdentityCenter, tmp_path: Path) -> tuple[Path, str, Clients]:
    ic.client("s3").create_bucket(Bucket="shop-assets")
    path = tmp_path / "close-public-bucket.yaml"
    path.write_text(RUNBOOK)
    req = service.request_access(store.engine, cfg, NewRequest("alice", (ACCOUNT,), "Operator", "1h", "close the bucket", finding="F-1"), now=T0)
    service.approve(store.engine, req.id, actor="bob", now=T0, granter=ic.granter())
    clients = Clients.from_targets([AwsTarget(home_region="us-east-1")], [lambda: ic.session])
    return path, req.id, clients


def _pab(ic: IdentityCenter) -> dict[str, bool] | None:
    try:
        return dict(ic.client("s3").get_public_access_block(Bucket="shop-assets")["PublicAccessBlockConfiguration"])
    except ic.client("s3").exceptions.ClientError:
        return None


def test_runbook_runs_plan_then_apply_verified_and_audited(store: Store, cfg: AccessConfig, ic: IdentityCenter, tmp_path: Path) -> None:
    path, rid, clients = _setup(store, cfg, ic, tmp_path)
    rec = runbooks.add(store.engine, path, actor="dave", now=T0)
    assert not rec.approved
    with pytest.raises(AccessRefused, match="not approved"):
        runbooks.run(store.engine, rec.name, rid, actor="alice", now=T0, context_for=clients.context)
    with pytest.raises(AccessRefused, match="cannot approve"):
        runbooks.approve(store.engine, rec.name, actor="dave", now=T0)
    rec = runbooks.approve(store.engine, rec.name, actor="carol", now=T0)
    assert rec.approved and rec.approved_sha256 == rec.sha256
    # plan only: nothing changes
    res = runbooks.run(store.engine, rec.name, rid, actor="alice", now=T0 + timedelta(minutes=1), context_for=clients.context, plan_only=True)
    assert res["status"] == "planned" and _pab(ic) is None
    assert "s3:PutPublicAccessBlock" in res["steps"][0]["plan"]["calls"][0]
    res = runbooks.run(store.engine, rec.name, rid, actor="alice", now=T0 + timedelta(minutes=2), context_for=clients.context)
    assert res["status"] == "succeeded" and res["steps"][0]["result"] == "verified"
    assert _pab(ic) == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    steps = audit.entries(store.engine, action="runbook.step")
    assert [(s.details["run"], s.details["result"], s.details["finding"]) for s in steps][-1] == (res["run"], "verified", "F-1")
    assert audit.verify(store.engine).ok
    assert [r["status"] for r in runbooks.runs_for(store.engine, rid)] == ["planned", "succeeded"]


def test_a_runbook_edited_after_approval_is_refused_until_reapproved(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter, tmp_path: Path) -> None:
    store = sqlite_store
    path, rid, clients = _setup(store, cfg, ic, tmp_path)
    runbooks.add(store.engine, path, actor="dave", now=T0)
    runbooks.approve(store.engine, "close-public-bucket", actor="carol", now=T0)
    path.write_text(RUNBOOK.replace("shop-assets", "other-bucket"))
    with pytest.raises(AccessRefused, match="changed since its approval"):
        runbooks.run(store.engine, "close-public-bucket", rid, actor="alice", now=T0, context_for=clients.context)
    assert _pab(ic) is None
    refused = audit.entries(store.engine, action="runbook.run")[-1]
    assert refused.details["result"] == "refused"
    # approving the edited file without adding it again is refused too
    with pytest.raises(AccessRefused, match="changed since `mamori runbook add`"):
        runbooks.approve(store.engine, "close-public-bucket", actor="carol", now=T0)
    runbooks.add(store.engine, path, actor="dave", now=T0)
    assert not runbooks.get(store.engine, "close-public-bucket").approved


def test_runbook_runs_only_under_an_active_grant_of_the_requester(sqlite_store: Store, cfg: AccessConfig, ic: IdentityCenter, tmp_path: Path) -> None:
    store = sqlite_store
    path, rid, clients = _setup(store, cfg, ic, tmp_path)
    runbooks.add(store.engine, path, actor="dave", now=T0)
    runbooks.approve(store.engine, "close-public-bucket", actor="carol", now=T0)
    with pytest.raises(AccessRefused, match="granted to alice"):
        runbooks.run(store.engine, "close-public-bucket", rid, actor="bob", now=T0, context_for=clients.context)
    service.expire(store.engine, now=T0 + timedelta(hours=1), granter=ic.granter())
    with pytest.raises(AccessRefused, match="expired"):
        runbooks.run(store.engine, "close-public-bucket", rid, actor="alice", now=T0 + timedelta(hours=1), context_for=clients.context)
    other = tmp_path / "other.yaml"
    other.write_text(RUNBOOK.replace("name: close-public-bucket", "name: other").replace("target: arn:aws:s3:::shop-assets",
                     "target: shop-assets\n    account: '210987654321'"))  # fmt: skip
    req = service.request_access(store.engine, cfg, NewRequest("alice", (ACCOUNT,), "Operator", "1h", "x", ticket="T-1"), now=T0 + timedelta(hours=2))
    service.approve(store.engine, req.id, actor="bob", now=T0 + timedelta(hours=2), granter=ic.granter())
    runbooks.add(store.engine, other, actor="dave", now=T0)
    runbooks.approve(store.engine, "other", actor="carol", now=T0)
    with pytest.raises(AccessRefused, match="no active access in 210987654321"):
        runbooks.run(store.engine, "other", req.id, actor="alice", now=T0 + timedelta(hours=2), context_for=clients.context)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: x\ndescription: d\nsteps:\n  - action: no_such_action\n    target: b\n", "steps.0.action"),
        ("name: x\ndescription: d\nsteps:\n  - action: s3_bucket_block_public_access\n    target: b\n    params: {nope: 1}\n", "steps.0.params"),
        ("name: X Y\ndescription: d\nsteps: []\n", "name"),
        ("name: x\ndescription: d\nsteps:\n  - {action: s3_bucket_block_public_access, target: b, shell: rm}\n", "steps.0.shell"),
        ("- a list\n", None),
    ],
)
def test_bad_runbooks_name_the_place(text: str, where: str | None) -> None:
    with pytest.raises(InputError) as exc:
        parse(text.encode(), "rb.yaml")
    assert "rb.yaml" in str(exc.value)
    if where:
        assert where in str(exc.value)


@given(st.binary(max_size=2000))
def test_parse_never_crashes_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(InputError):
        parse(data, "fuzz.yaml")


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=30))  # fmt: skip
def test_parse_never_crashes_on_arbitrary_yaml_documents(doc: object) -> None:
    import yaml

    with contextlib.suppress(InputError):
        parse(yaml.safe_dump({"name": "x", "description": "d", "steps": doc}).encode(), "fuzz.yaml")
