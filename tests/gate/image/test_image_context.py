"""`mamori gate image` in context: exposure from the store's last scan, and the FIX BY clock kept per image.

Exposure: an ECS service behind an internet-facing ALB, one with a public IP and a security
group open to the world, a Lambda function URL without auth -> ``open`` from the scan; an
internal service -> ``controlled``; an image the scan does not show, or no scan -> the
default ``open``, marked as a default. History: a vulnerability first seen in an earlier
run keeps its first-seen date and deadline; ``--no-store`` neither reads nor writes.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mamori.engine import evaluate
from mamori.findings import Store
from mamori.gate.image.service import ImageRequest, run_image_gate
from mamori.model import Inventory, Resource
from mamori.rules import load_rules
from tests.clirun import runner
from tests.gate.image.builders import docker_archive
from tests.gate.image.conftest import debian_layers

ACCOUNT, REGION = "123456789012", "us-east-1"
ALB_PUBLIC = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/public/1"
ALB_INTERNAL = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/internal/2"


def _config_digest(archive: bytes) -> str:
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = [m.name for m in tar.getmembers() if m.name.endswith(".json") and m.name != "manifest.json"]
        data = tar.extractfile(names[0]).read()  # type: ignore[union-attr]
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _r(rtype: str, rid: str, props: dict[str, object], tags: dict[str, str] | None = None, arn: str = "") -> Resource:
    return Resource("aws", ACCOUNT, REGION, rtype, rid, arn=arn or f"arn:aws:x:{REGION}:{ACCOUNT}:{rid}", name=rid,
                    tags=tags or {}, properties=props)  # fmt: skip


def _service(name: str, digest: str, **props: object) -> Resource:
    base = {"images": [f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop@{digest}"], "image_digests": [],
            "network_mode": "awsvpc", "assign_public_ip": False, "security_group_ids": [], "target_group_arns": [],
            "load_balancer_arns": [], "classic_load_balancers": []}  # fmt: skip
    return _r("aws.ecs.service", f"prod/{name}", {**base, **props}, {"data-classification": "confidential"})


def _estate(digest: str, where: str) -> Inventory:
    lbs = [_r("aws.elb.load_balancer", "public", {"scheme": "internet-facing"}, arn=ALB_PUBLIC),
           _r("aws.elb.load_balancer", "internal", {"scheme": "internal"}, arn=ALB_INTERNAL),
           _r("aws.ec2.security_group", "sg-world", {"ingress": [{"open_to_world": True}]}),
           _r("aws.ec2.security_group", "sg-closed", {"ingress": []})]  # fmt: skip
    runs = {
        "alb": _service("web", digest, target_group_arns=["tg"], load_balancer_arns=[ALB_PUBLIC]),
        "public-ip": _service("web", digest, assign_public_ip=True, security_group_ids=["sg-world"]),
        "lambda-url": _r("aws.lambda.function", "fn", {"package_type": "Image", "image_digest": digest,
                                                        "url": "https://x.lambda-url.aws", "url_auth_type": "NONE",
                                                        "policy_public": False}),  # fmt: skip
        "internal": _service("web", digest, target_group_arns=["tg"], load_balancer_arns=[ALB_INTERNAL],
                             security_group_ids=["sg-closed"]),  # fmt: skip
        "elsewhere": _service("web", "sha256:" + "e" * 64),
    }
    return Inventory([*lbs, runs[where]], collected_at=datetime(2026, 11, 30, tzinfo=UTC), source="aws")


def _scan(url: str, inv: Inventory, at: datetime) -> None:
    store = Store.open(url)
    try:
        store.record_scan(inv, evaluate(inv, load_rules().select([])), {}, [], started_at=at, finished_at=at)
    finally:
        store.close()


@pytest.fixture
def image(tmp_path: Path) -> tuple[Path, str]:
    data = docker_archive(debian_layers())
    p = tmp_path / "app.tar"
    p.write_bytes(data)
    return p, _config_digest(data)


def _exposure(report) -> dict[str, object]:  # the factor on log4j's KEV vulnerability
    [log4j] = [r for r in report.packages if r.package.name.endswith("log4j-core")]
    factors = {f.factor: f for f in log4j.decision.vulns[0].vulnerability.risk.factors}
    e = factors["exposure"]
    return {"value": e.value, "source": e.source, "date": e.date, "default": e.default, "note": e.note,
            "impact": factors["human-impact"].value}  # fmt: skip


@pytest.mark.parametrize(
    ("where", "value", "why"),
    [
        ("alb", "open", "behind internet-facing load balancer public"),
        ("public-ip", "open", "public IP, security group sg-world open to the world"),
        ("lambda-url", "open", "Lambda fn: function URL without auth"),
        ("internal", "controlled", "no public IP, internal load balancer(s) only"),
    ],
)
def test_exposure_comes_from_the_last_scan(store_url: str, image: tuple[Path, str], now: datetime, where: str,
                                           value: str, why: str) -> None:  # fmt: skip
    path, digest = image
    _scan(store_url, _estate(digest, where), now - timedelta(days=1))
    report = run_image_gate(ImageRequest(path, now, sample_data=True, db=store_url, use_store=True))
    e = _exposure(report)
    assert e["value"] == value and not e["default"] and why in str(e["note"])
    assert str(e["source"]).startswith("scan ") and e["date"] == "2026-11-30"
    assert report.runs_on["exposure"] == value and report.runs_on["default"] is False
    if where != "lambda-url":
        assert e["impact"] == "high"  # the service's data-classification=confidential tag


def test_an_image_the_scan_does_not_show_keeps_the_default(store_url: str, image: tuple[Path, str],
                                                           now: datetime) -> None:  # fmt: skip
    path, digest = image
    _scan(store_url, _estate(digest, "elsewhere"), now - timedelta(days=1))
    report = run_image_gate(ImageRequest(path, now, sample_data=True, db=store_url, use_store=True))
    e = _exposure(report)
    assert e["value"] == "open" and e["default"] is True
    assert str(e["source"]).startswith("the image runs nowhere in the last scan's inventory: scan ")
    assert any("exposure unknown" in n for n in report.notices)
    # the registry digest given with --digest finds it
    other = "sha256:" + "e" * 64
    found = run_image_gate(ImageRequest(path, now, sample_data=True, db=store_url, use_store=True, digests=(other,)))
    assert _exposure(found)["default"] is False


def test_no_scan_no_store_and_the_command_line(tmp_path: Path, image: tuple[Path, str], now: datetime) -> None:
    path, _ = image
    db = str(tmp_path / "none.db")
    e = _exposure(run_image_gate(ImageRequest(path, now, sample_data=True, db=db, use_store=True, record=False)))
    assert e["default"] is True and e["source"] == "no store (no `mamori scan` recorded)"
    assert not Path(db).exists()  # --no-record on a store that does not exist creates nothing
    e = _exposure(run_image_gate(ImageRequest(path, now, sample_data=True)))
    assert e["default"] is True and e["source"] == "the store was not read"
    e = _exposure(run_image_gate(ImageRequest(path, now, sample_data=True, exposure="controlled")))
    assert e == {**e, "value": "controlled", "source": "command line (--exposure)", "default": False}


def test_the_fix_by_clock_keeps_running_across_runs(store_url: str, image: tuple[Path, str], now: datetime) -> None:
    path, _ = image
    first = run_image_gate(ImageRequest(path, now, sample_data=True, db=store_url, use_store=True))
    assert first.run_id and first.deps.project == "image:demo/app"
    later = now + timedelta(days=30)
    again = run_image_gate(ImageRequest(path, later, sample_data=True, db=store_url, use_store=True))

    def libc(report):  # a FIX BY finding: its deadline counts from when it was first seen
        [r] = [r for r in report.packages if r.package.name == "libc6"]
        return r.decision.vulns[0]

    assert libc(first).first_seen == libc(again).first_seen == now
    assert libc(again).deadline == libc(first).deadline
    # --no-store: the clock restarts (nothing read), nothing written
    fresh = run_image_gate(ImageRequest(path, later, sample_data=True, db=store_url, use_store=False))
    assert libc(fresh).first_seen == later and fresh.run_id is None
    assert libc(fresh).deadline > libc(first).deadline
    # another image (another repository) has its own clock
    other = run_image_gate(ImageRequest(path, later, sample_data=True, db=store_url, use_store=True,
                                        project="image:other"))  # fmt: skip
    assert libc(other).deadline == libc(fresh).deadline


def test_cli_reads_the_store_by_default_and_no_store_turns_it_off(image: tuple[Path, str], now: datetime,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:  # fmt: skip
    path, digest = image
    db = str(tmp_path / "cli.db")
    _scan(db, _estate(digest, "alb"), now - timedelta(days=1))
    run = runner(capsys)
    r = run("gate", "image", str(path), "--sample-data", "--db", db, "-o", "json", "--now", "2026-12-01")
    doc = json.loads(r.out)
    assert doc["runs_on"]["exposure"] == "open" and doc["runs_on"]["default"] is False
    assert doc["history"]["run_id"] and doc["history"]["project"] == "image:demo/app"
    r = run("gate", "image", str(path), "--sample-data", "--db", db, "--no-store", "-o", "json")
    doc = json.loads(r.out)
    assert doc["runs_on"]["default"] is True and doc["history"]["run_id"] is None
    table = run("gate", "image", str(path), "--sample-data", "--db", db, "--no-record", "--now", "2026-12-01").out
    assert "runs on: exposure open from scan " in table and "internet-facing load balancer public" in table
    assert run("gate", "image", str(path), "--sample-data", "--digest", "nope").code == 2
