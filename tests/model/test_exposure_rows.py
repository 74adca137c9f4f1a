"""Workload rows of a scan collected in parts (shards, org accounts) equal those of the whole inventory."""

from __future__ import annotations

import json
from typing import Any

from mamori.model.exposure import MAX_TAGS, resolve_rows, sort_rows, workload_rows
from mamori.model.resource import Inventory, Resource

A, B = "111111111111", "222222222222"
EAST, WEST = "us-east-1", "eu-west-1"
URI = f"{A}.dkr.ecr.{EAST}.amazonaws.com/shop"
D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64


def _r(account: str, region: str, type_: str, id_: str, name: str = "", **props: Any) -> Resource:
    return Resource("aws", account, region, type_, id_, arn=f"arn:{type_}:{region}:{account}:{id_}", name=name or id_,
                    properties=props)  # fmt: skip


def _image(digest: str, tags: list[str], pushed: str) -> Resource:
    return _r(A, EAST, "aws.ecr.image", f"shop@{digest}", "shop", repository_uri=URI, digest=digest,
              image_tags=tags, pushed_at=pushed)  # fmt: skip


def _estate() -> list[Resource]:
    return [
        _image(D1, ["1.0", "latest"], "2026-01-01"),
        _image(D2, ["2.0"], "2026-02-01"),
        _r(A, EAST, "aws.elb.load_balancer", "alb", "alb", scheme="internet-facing"),
        _r(A, EAST, "aws.ecs.service", "web", images=[f"{URI}:1.0"], load_balancer_arns=["arn:aws.elb.load_balancer:us-east-1:111111111111:alb"]),
        _r(A, WEST, "aws.ecs.service", "edge", images=[f"{URI}:2.0", "nginx:1.25"], network_mode="awsvpc", assign_public_ip=False),
        _r(B, EAST, "aws.lambda.function", "fn", image_uri=URI, url="https://x", url_auth_type="NONE"),
        _r(B, EAST, "aws.lambda.function", "pinned", image_digest=D2, url="", policy_public=False),
    ]  # fmt: skip


def _key(rows: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(r, sort_keys=True) for r in rows]


def test_parts_joined_equal_the_whole_inventory() -> None:
    whole = sort_rows(workload_rows(Inventory(_estate()))["rows"])
    assert [(r["resource_id"], r["digest"], r["exposure"]) for r in whole] == [
        ("edge", D2, "controlled"), ("web", D1, "open"), ("fn", D1, "open"), ("pinned", D2, "controlled")]  # fmt: skip
    parts = {}
    for r in _estate():
        parts.setdefault((r.account, r.region), []).append(r)
    shipped = [json.loads(json.dumps(workload_rows(Inventory(rs)))) for rs in parts.values()]  # JSON-able
    west = shipped[list(parts).index((A, WEST))]
    assert west["rows"] == [] and west["pending"][0]["refs"] == [[URI, "2.0"], ["nginx", "1.25"]]
    assert _key(resolve_rows(shipped)) == _key(whole)
    assert _key(resolve_rows(reversed(shipped))) == _key(whole)  # whatever order the shards come in
    assert _key(resolve_rows(shipped + shipped[:1])) == _key(whole)  # a part given twice adds nothing


def test_a_pending_ref_whose_repository_was_not_scanned_stays_unresolved() -> None:
    inv = Inventory([r for r in _estate() if r.type != "aws.ecr.image"])
    rows = resolve_rows([workload_rows(inv)])
    assert {r["resource_id"] for r in rows} == {"pinned"}
    assert rows == sort_rows(workload_rows(inv)["rows"])


def test_ecr_tags_are_bounded_most_recent_first() -> None:
    images = [_image(f"sha256:{i:064x}", [f"t{i}"], f"2026-01-01T00:00:{i % 60:02d}") for i in range(MAX_TAGS + 5)]
    got = workload_rows(Inventory(images))["ecr_tags"]
    assert len(got) == MAX_TAGS
    assert [URI, "t59", f"sha256:{59:064x}"] in got  # pushed last (second 59): kept


def test_a_classic_load_balancer_of_the_same_name_in_another_region_does_not_decide() -> None:
    svc = _r(A, EAST, "aws.ecs.service", "api", images=[f"{URI}@{D1}"], classic_load_balancers=["web"],
             load_balancer_arns=[], network_mode="awsvpc", assign_public_ip=False)  # fmt: skip
    internal = _r(A, EAST, "aws.elb.classic_load_balancer", "web", "web", scheme="internal")
    other = _r(A, WEST, "aws.elb.classic_load_balancer", "web", "web", scheme="internet-facing")
    for order in ([internal, other], [other, internal]):
        [row] = workload_rows(Inventory([svc, *order]))["rows"]
        assert row["exposure"] == "controlled", order
    [row] = workload_rows(Inventory([svc, other]))["rows"]
    assert row["exposure"] == "open"  # the Region's own is not in the inventory: assumed internet-facing
