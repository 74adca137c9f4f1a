"""EC2 images and snapshots owned by the account: ``aws.ec2.snapshot`` and ``aws.ec2.image``.

Read by the EC2 collector. DescribeSnapshots (owner ``self``, and an ``owner-id`` filter
for endpoints that ignore ``OwnerIds``) and DescribeImages (owner ``self``) are one bulk
call each per region. Whether a snapshot is public needs DescribeSnapshotAttribute
(``createVolumePermission``) per snapshot, through :meth:`CollectContext.call`, but only
for unencrypted snapshots: AWS refuses to share encrypted snapshots publicly, so those are
known not to be public without a call.
"""

from __future__ import annotations

from typing import Any

from mamori.collect.aws.base import MISSING, CollectContext, iso, tags_of
from mamori.model.resource import Resource
from mamori.model.resources.ec2 import SNAPSHOT, Ec2Image, Ec2Snapshot


def own_snapshots(ctx: CollectContext, client: Any) -> list[dict[str, Any]]:
    found = ctx.paginate(
        client, "describe_snapshots", "Snapshots", OwnerIds=["self"], Filters=[{"Name": "owner-id", "Values": [ctx.account]}]
    )
    return [s for s in found if str(s.get("OwnerId", ctx.account)) == ctx.account]


def own_images(ctx: CollectContext, client: Any) -> list[dict[str, Any]]:
    found = ctx.paginate(client, "describe_images", "Images", Owners=["self"])
    return [i for i in found if str(i.get("OwnerId", ctx.account)) == ctx.account]


def _name(tags: dict[str, str], default: str) -> str:
    return tags.get("Name") or default


def snapshot(ctx: CollectContext, client: Any, region: str, s: dict[str, Any]) -> Resource:
    sid = str(s["SnapshotId"])
    tags = tags_of(s.get("Tags"))
    encrypted = bool(s.get("Encrypted", False))
    shared: Any = None  # not read for encrypted snapshots (they cannot be public)
    public: Any = False
    if not encrypted:
        resp = ctx.call(
            client, "describe_snapshot_attribute", region=region, resource_type=SNAPSHOT, resource_id=sid,
            SnapshotId=sid, Attribute="createVolumePermission",
        )  # fmt: skip
        if resp is MISSING:
            shared = public = MISSING
        else:
            perms = resp.get("CreateVolumePermissions") or []
            public = any(p.get("Group") == "all" for p in perms)
            shared = sorted(str(p["UserId"]) for p in perms if p.get("UserId"))
    props: dict[str, Any] = {
        "encrypted": encrypted,
        "kms_key_id": str(s.get("KmsKeyId") or ""),
        "volume_id": str(s.get("VolumeId") or ""),
        "volume_size_gib": s.get("VolumeSize"),
        "state": str(s.get("State", "")),
        "started": iso(s.get("StartTime")) or "",
        "description": str(s.get("Description") or ""),
        "public": public,
        "shared_with_accounts": shared,
    }
    arn = ctx.arn("ec2", region, f"snapshot/{sid}", account="")
    return ctx.resource(Ec2Snapshot.of(props), region, sid, arn=arn, name=_name(tags, sid), tags=tags)


def image(ctx: CollectContext, region: str, i: dict[str, Any]) -> Resource:
    iid = str(i["ImageId"])
    tags = tags_of(i.get("Tags"))
    devices = i.get("BlockDeviceMappings") or []
    ebs = [d["Ebs"] for d in devices if d.get("Ebs")]
    props: dict[str, Any] = {
        "public": bool(i.get("Public", False)),
        "state": str(i.get("State", "")),
        "image_name": str(i.get("Name") or ""),
        "description": str(i.get("Description") or ""),
        "created": str(i.get("CreationDate") or ""),
        "deprecation_time": str(i.get("DeprecationTime") or ""),
        "platform": str(i.get("PlatformDetails") or i.get("Platform") or ""),
        "architecture": str(i.get("Architecture") or ""),
        "snapshot_ids": [str(e["SnapshotId"]) for e in ebs if e.get("SnapshotId")],
        "ebs_encrypted": all(bool(e.get("Encrypted", False)) for e in ebs) if ebs else False,
    }
    arn = ctx.arn("ec2", region, f"image/{iid}", account="")
    return ctx.resource(Ec2Image.of(props), region, iid, arn=arn, name=str(i.get("Name") or _name(tags, iid)), tags=tags)
